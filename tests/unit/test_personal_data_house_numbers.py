"""A house number beside a masked name or address is masked too (seen from outside: "nhà ông
[họ tên] số 45" and "ông [họ tên], số 45" were shown and published while "nhà số 7" was masked);
the numbers of places, dates, counts and amounts are left alone, beside a name or not."""

from __future__ import annotations

import pytest

from shared.personal_data import ADDRESS, NAME, PHONE, mask_personal_data


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        (
            "nhà ông Nguyễn Văn An số 45, gọi 0987654321",
            f"nhà ông {NAME} {ADDRESS}, gọi {PHONE}",
        ),
        (
            "Đường hư trước nhà ông Nguyễn Văn Sáu, số 45 ấp Chợ; liên hệ 0912 888 999",
            f"Đường hư trước nhà ông {NAME}, {ADDRESS} ấp Chợ; liên hệ {PHONE}",
        ),
        ("trước nhà ông Nguyễn Văn Sáu, số 45, đề nghị sửa", f"trước nhà ông {NAME}, {ADDRESS}, đề nghị sửa"),
        ("ông Sáu số 45 lấn hẻm", f"ông {NAME} {ADDRESS} lấn hẻm"),
        ("nhà ông Năm ở số 45/2 bị ngập", f"nhà ông {NAME} ở {ADDRESS} bị ngập"),
        ("bà Hai nhà 12A bán hàng", f"bà {NAME} {ADDRESS} bán hàng"),
        ("gia đình ông Tư số nhà 12", f"gia đình ông {NAME} {ADDRESS}"),
        ("nhà bà Lan, 45 ấp Chợ", f"nhà bà {NAME}, {ADDRESS} ấp Chợ"),
        ("số 45 nhà ông Tư bị lấn", f"{ADDRESS} nhà ông {NAME} bị lấn"),
        ("Nguyễn Văn An số 12, 0912345678", f"{NAME} {ADDRESS}, {PHONE}"),
        ("nha ong Nguyen Van An so 45, goi 0987654321", f"nha ong {NAME} {ADDRESS}, goi {PHONE}"),
        ("ong Tu o so 45", f"ong {NAME} o {ADDRESS}"),
        ("nhà ở đường Lê Lợi số 45 ngập", f"nhà ở đường Lê Lợi {ADDRESS} ngập"),
        ("nhà số 7 bị ngập", f"{ADDRESS} bị ngập"),
    ],
)
def test_a_house_number_beside_a_name_or_an_address_is_masked(typed: str, masked: str) -> None:
    assert mask_personal_data(typed) == masked


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("ông Tư ở ấp 3 nói", f"ông {NAME} ở ấp 3 nói"),
        ("ông Tư tổ 5 ấp 3", f"ông {NAME} tổ 5 ấp 3"),
        ("ông Tư, Quốc lộ 1A xuống cấp", f"ông {NAME}, Quốc lộ 1A xuống cấp"),
        ("ông Tư ngày 15/3/2024 có đơn", f"ông {NAME} ngày 15/3/2024 có đơn"),
        ("ông Tư năm 2017 đã kiến nghị", f"ông {NAME} năm 2017 đã kiến nghị"),
        ("bà Lan nộp 500.000 đồng", f"bà {NAME} nộp 500.000 đồng"),
        ("ông Tư 2.000.000 đồng tiền đền bù", f"ông {NAME} 2.000.000 đồng tiền đền bù"),
        ("ông Tư có 3 con", f"ông {NAME} có 3 con"),
        ("ông Tư nhà 3 người", f"ông {NAME} nhà 3 người"),
        ("bà Lan, 45 tuổi", f"bà {NAME}, 45 tuổi"),
        ("ông An, 20 năm nay chưa sửa", f"ông {NAME}, 20 năm nay chưa sửa"),
        ("ông Tư số 3 lần kiến nghị", f"ông {NAME} số 3 lần kiến nghị"),
    ],
)
def test_numbers_of_places_dates_counts_and_amounts_beside_a_name_stay(typed: str, masked: str) -> None:
    assert mask_personal_data(typed) == masked


@pytest.mark.parametrize(
    "typed",
    [
        "Đường ấp 3 hư hỏng nặng",
        "Quốc lộ 1A đoạn qua ấp Chợ ngập",
        "tổ 5 ấp 3 thiếu đèn",
        "đường số 5 ngập khi mưa",
        "đường tỉnh 845 có nhiều ổ gà",
        "ngày 15 tháng 3 năm 2024 có họp tổ 5",
        "hỗ trợ 2.000.000 đồng cho 12 hộ nghèo",
        "nhà văn hóa ấp 3 xuống cấp",
        "Trường THCS Nguyễn Văn Trỗi số 5 cần sửa mái",
    ],
)
def test_ordinary_numbers_without_a_name_stay(typed: str) -> None:
    assert mask_personal_data(typed) == typed
