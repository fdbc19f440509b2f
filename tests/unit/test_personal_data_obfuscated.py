"""Masking gaps a second outside probe found, each typed inside an ordinary petition: e-mail
addresses written around the filters ("(at)", "[dot]", spaces around "@" and "."), links to a
person's social profile, a phone number spelled in words, the alley after a house number, a
residence after an "địa chỉ:" label, vehicle plates and a tax code masked as a phone. The near
misses (a few number words, road numbers, years, amounts, areas, dates, document numbers, hamlets
and streets) stay. Masking twice changes nothing more."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.personal_data import (
    ADDRESS,
    EMAIL,
    ID_NUMBER,
    NAME,
    PHONE,
    PLATE,
    PROFILE,
    TAX_CODE,
    has_personal_data,
    mask_personal_data,
)


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        (
            "Xin trả lời qua an.nguyen(at)example.com giúp tôi",
            f"Xin trả lời qua {EMAIL} giúp tôi",
        ),
        ("email: an.nguyen @ example . com, cảm ơn", f"email: {EMAIL}, cảm ơn"),
        (
            "gửi kết quả về an.nguyen[at]gmail[dot]com để tôi biết",
            f"gửi kết quả về {EMAIL} để tôi biết",
        ),
        ("mail an.nguyen (at) gmail (dot) com.", f"mail {EMAIL}."),
        ("AN.NGUYEN[AT]GMAIL[DOT]COM", EMAIL),
        ("thư gửi an.nguyen a còng gmail chấm com nhé", f"thư gửi {EMAIL} nhé"),
        ("an_nguyen@gmail . com . vn", EMAIL),
    ],
)
def test_an_obfuscated_e_mail_is_masked(typed: str, masked: str) -> None:
    assert mask_personal_data(typed) == masked
    assert has_personal_data(typed)


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        (
            "Ông ấy đăng ảnh lên facebook.com/nguyenvanan để bôi nhọ tôi",
            f"Ông ấy đăng ảnh lên {PROFILE} để bôi nhọ tôi",
        ),
        ("Xem clip ở fb.com/nguyenvanan.", f"Xem clip ở {PROFILE}."),
        ("liên hệ zalo.me/0912345678 khi cần", f"liên hệ {PROFILE} khi cần"),
        (
            "https://www.facebook.com/profile.php?id=100012345678901 đăng tin sai sự thật",
            f"{PROFILE} đăng tin sai sự thật",
        ),
        ("trang m.facebook.com/nguyen.van.an.123/ có video", f"trang {PROFILE} có video"),
        ("kênh tiktok.com/@nguyenvanan quay lén", f"kênh {PROFILE} quay lén"),
    ],
)
def test_a_link_to_a_social_profile_is_masked(typed: str, masked: str) -> None:
    assert mask_personal_data(typed) == masked
    assert has_personal_data(typed)


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        (
            "Số điện thoại của tôi là không chín một hai ba bốn năm sáu bảy tám, mong được gọi lại",
            f"Số điện thoại của tôi là {PHONE}, mong được gọi lại",
        ),
        ("goi khong chin mot hai ba bon nam sau bay tam de biet them", f"goi {PHONE} de biet them"),
        ("ĐT: Không Chín Một Hai, Ba Bốn Năm, Sáu Bảy Tám", f"ĐT: {PHONE}"),
        ("gọi không-chín-tám-tám-bảy-bảy-sáu-sáu-năm-năm nhé", f"gọi {PHONE} nhé"),
        ("số chín một hai ba bốn năm sáu bảy tám", f"số {PHONE}"),
        (
            "CCCD không bảy chín một hai ba bốn năm sáu bảy tám chín",
            f"CCCD {ID_NUMBER}",
        ),
    ],
)
def test_a_number_spelled_in_words_is_masked(typed: str, masked: str) -> None:
    assert mask_personal_data(typed) == masked
    assert has_personal_data(typed)


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        (
            "nhà số 45/3 hẻm 12 đường Nguyễn Huệ bị ngập",
            f"{ADDRESS} đường Nguyễn Huệ bị ngập",
        ),
        ("nhà số 45, hẻm 12, đường Nguyễn Huệ", f"{ADDRESS}, đường Nguyễn Huệ"),
        ("số nhà 7 ngõ 12 ngách 34 phố Huế mất điện", f"{ADDRESS} phố Huế mất điện"),
        ("số 5 ngõ 12 phố Huế mất điện", f"{ADDRESS} phố Huế mất điện"),
        ("căn 12/3A hẻm 5 ngập", f"căn {ADDRESS} ngập"),
        ("nha so 45 hem 12 duong Nguyen Hue", f"{ADDRESS} duong Nguyen Hue"),
        ("nhà ông Tư số 45 kiệt 12 Lê Lợi", f"nhà ông {NAME} {ADDRESS} Lê Lợi"),
        ("nhà tôi ở 45 hẻm 12 Nguyễn Huệ", f"nhà tôi ở {ADDRESS} Nguyễn Huệ"),
    ],
)
def test_the_alley_after_a_house_number_is_masked_with_it(typed: str, masked: str) -> None:
    assert mask_personal_data(typed) == masked


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("địa chỉ: tổ 5, ấp Chợ", f"địa chỉ: {ADDRESS}, ấp Chợ"),
        (
            "Địa chỉ: tổ 5 ấp Chợ, xin phản ánh việc đổ rác",
            f"Địa chỉ: {ADDRESS} ấp Chợ, xin phản ánh việc đổ rác",
        ),
        ("dia chi: to 5, ap Cho", f"dia chi: {ADDRESS}, ap Cho"),
        ("địa chỉ thường trú: hẻm 12 Nguyễn Huệ, ấp Chợ", f"địa chỉ thường trú: {ADDRESS}, ấp Chợ"),
        ("Địa chỉ: 12/5 Lê Lợi, tổ 5, ấp Chợ", f"Địa chỉ: {ADDRESS}, ấp Chợ"),
        ("Địa chỉ: tổ 12, khu phố 2", f"Địa chỉ: {ADDRESS}, khu phố 2"),
        ("Địa chỉ: đường Lê Lợi, ấp Chợ", f"Địa chỉ: {ADDRESS}, ấp Chợ"),
        ("Địa chỉ: số 12 ĐT.845, ấp Chợ", f"Địa chỉ: {ADDRESS}, ấp Chợ"),
        ("địa chỉ: tổ 5 xin phản ánh đường hư", f"địa chỉ: {ADDRESS} xin phản ánh đường hư"),
    ],
)
def test_a_residence_after_its_label_is_masked_up_to_the_hamlet(typed: str, masked: str) -> None:
    assert mask_personal_data(typed) == masked
    assert has_personal_data(typed)


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        ("xe biển số 66B1-123.45 chạy quá tốc độ", f"xe biển số {PLATE} chạy quá tốc độ"),
        ("ô tô 51F-123.45 đậu trước cổng chợ cả ngày", f"ô tô {PLATE} đậu trước cổng chợ cả ngày"),
        ("xe máy 59-X1 234.56 chở cát rơi vãi", f"xe máy {PLATE} chở cát rơi vãi"),
        ("BKS 51F12345 đậu lấn lề", f"BKS {PLATE} đậu lấn lề"),
        ("xe tải 29C-12345 chạy ban đêm", f"xe tải {PLATE} chạy ban đêm"),
        ("bien so 66b1-123.45", f"bien so {PLATE}"),
        ("xe 51F 12345 đậu trên vỉa hè", f"xe {PLATE} đậu trên vỉa hè"),
    ],
)
def test_a_vehicle_plate_is_masked(typed: str, masked: str) -> None:
    assert mask_personal_data(typed) == masked
    assert has_personal_data(typed)


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        (
            "hộ kinh doanh mã số thuế 0312345678 bị tính sai",
            f"hộ kinh doanh mã số thuế {TAX_CODE} bị tính sai",
        ),
        ("MST: 0312345678-001", f"MST: {TAX_CODE}"),
        ("mã số thuế cá nhân của tôi là 8012345678", f"mã số thuế cá nhân của tôi là {TAX_CODE}"),
        ("ma so thue 0312345678", f"ma so thue {TAX_CODE}"),
    ],
)
def test_a_tax_code_reads_as_a_tax_code(typed: str, masked: str) -> None:
    assert mask_personal_data(typed) == masked


@pytest.mark.parametrize(
    "typed",
    [
        # a few number words, years, counts
        "hai ba hộ dân bị ảnh hưởng",
        "Từ năm 2017 đến nay, ba bốn năm rồi chưa sửa",
        "sáu bảy hộ ở ấp Chợ, năm năm nay chưa có điện",
        "đếm một hai ba bốn năm sáu bảy tám chín mười vẫn chưa xong",
        "ba tôi năm nay bảy mươi tám tuổi",
        # roads, their numbers and streets
        "đường tỉnh 845 có nhiều ổ gà",
        "ĐT.845 đoạn qua ấp Chợ sạt lở",
        "QL1A đoạn qua xã xuống cấp",
        "đường Nguyễn Huệ bị ngập",
        "hẻm 12 đường Nguyễn Huệ bị ngập",
        "ngõ 12 phố Huế mất điện",
        "kiệt 5 Lê Lợi chưa có đèn",
        "đường tổ 5 ấp Chợ bị ngập",
        "tổ 5 ấp Chợ thiếu nước sạch",
        # amounts, areas, dates, document numbers
        "hỗ trợ 2.500.000 đồng mỗi hộ",
        "thu hồi 1.200 m2 đất ruộng",
        "ngày 13/03/2017 đã có đơn",
        "Báo cáo số 12/BC-UBND ngày 13/03/2017",
        "Quyết định số 1234/QĐ-UBND ngày 5/6/2024",
        "Kế hoạch 25-KH/ĐU và Nghị quyết 12-NQ/TW",
        "mã hồ sơ 000.00.12.H12-241207-0001",
        "lớp 12A 2023 thiếu phòng học",
        "khóa 12A-2023 thiếu phòng học",
        # labels with no residence after them
        "Địa chỉ: ấp Chợ",
        "địa chỉ: xã Phú An",
        "không rõ địa chỉ tổ chức hội nghị",
        "địa chỉ đường dây nóng của xã",
        "Địa chỉ: khu phố 2, phường 3",
        "Địa chỉ: tổ dân phố 3, phường 2",
        # e-mail and social words with nothing personal
        "đăng trên facebook.com và zalo của xã",
        "trang facebook của UBND xã đã đăng",
        "tra cứu trên dichvucong.gov.vn/p/home",
        "họp lúc 7 giờ tại nhà văn hóa, at the hall",
        "mã số thuế của hộ kinh doanh chưa được cấp",
    ],
)
def test_near_misses_stay(typed: str) -> None:
    assert mask_personal_data(typed) == typed
    assert not has_personal_data(typed)


_FRAGMENTS = [
    "an.nguyen(at)example.com",
    "an.nguyen @ example . com",
    "an.nguyen[at]gmail[dot]com",
    "facebook.com/nguyenvanan",
    "zalo.me/0912345678",
    "không chín một hai ba bốn năm sáu bảy tám",
    "nhà số 45/3 hẻm 12 đường Nguyễn Huệ",
    "địa chỉ: tổ 5, ấp Chợ",
    "66B1-123.45",
    "59-X1 234.56",
    "mã số thuế 0312345678",
    "hai ba hộ dân",
    "ĐT.845",
    "ông Tư",
    ",",
    "\n",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=6), st.sampled_from([" ", ", ", ". "]))
def test_masking_twice_is_masking_once(fragments: list[str], glue: str) -> None:
    once = mask_personal_data(glue.join(fragments))
    assert mask_personal_data(once) == once
