"""The personal-data masker on Vietnamese examples, both ways (pure functions, no fakes)."""

from __future__ import annotations

import pytest

from shared.personal_data import has_personal_data, mask_personal_data


@pytest.mark.parametrize(
    ("typed", "secret", "label"),
    [
        ("Liên hệ 0909123456 để biết thêm", "0909123456", "[số điện thoại]"),
        ("gọi 0909 123 456 nhé", "0909 123 456", "[số điện thoại]"),
        ("ĐT: +84 909 123 456", "+84 909 123 456", "[số điện thoại]"),
        ("số bàn 028 3822 1234 của ấp", "028 3822 1234", "[số điện thoại]"),
        ("dt 0909.123.456", "0909.123.456", "[số điện thoại]"),
        ("email nguyen.tam@example.com giúp", "nguyen.tam@example.com", "[email]"),
        ("CCCD 079123456789 bị giữ", "079123456789", "[số giấy tờ]"),
        ("CMND 023456789 hết hạn", "023456789", "[số giấy tờ]"),
        ("trước số nhà 12 có ổ gà", "số nhà 12", "[địa chỉ]"),
        ("nhà số 45/3 bị ngập", "45/3", "[địa chỉ]"),
        ("so nha 7 bi ngap", "so nha 7", "[địa chỉ]"),
        ("số 12 đường Lê Lợi lấn chiếm", "số 12", "[địa chỉ]"),
        ("căn 12/3A hẻm 5 ngập", "12/3A", "[địa chỉ]"),
        ("ông Nguyễn Văn Tám lấn hẻm", "Nguyễn Văn Tám", "[họ tên]"),
        ("ong Nguyen Van Tam lan hem", "Nguyen Van Tam", "[họ tên]"),
        ("bà Hai bán hàng trên vỉa hè", "Hai", "[họ tên]"),
        ("chi Lan o ap Cho", "Lan", "[họ tên]"),
        ("Nguyễn Văn Tám, ĐT 0909123456, lấn chiếm", "Nguyễn Văn Tám", "[họ tên]"),
    ],
)
def test_masks_personal_data(typed: str, secret: str, label: str) -> None:
    masked = mask_personal_data(typed)
    assert secret not in masked
    assert label in masked
    assert has_personal_data(typed)


@pytest.mark.parametrize(
    "typed",
    [
        "Đề nghị sửa đường từ năm 2017 đến nay chưa làm",
        "Kế hoạch quý II sẽ triển khai",
        "Giải quyết trong 30 ngày làm việc",
        "Ấp Chợ ngập nước khi mưa",
        "ấp Chợ thiếu đèn đường",
        "Quốc lộ 30 xuống cấp nghiêm trọng",
        "đường tỉnh 845 có nhiều ổ gà",
        "Đường Lê Lợi thiếu đèn chiếu sáng",
        "bà con ấp Chợ đề nghị nạo vét kênh",
        "Xin hỗ trợ 2.000.000 đồng cho hộ nghèo",
        "Trường THCS Nguyễn Văn Trỗi cần sửa mái",
        "ngày 12/3/2024 có họp",
        "",
    ],
)
def test_leaves_ordinary_text_alone(typed: str) -> None:
    assert mask_personal_data(typed) == typed
    assert not has_personal_data(typed)


def test_the_petition_of_the_issue() -> None:
    masked = mask_personal_data("Nhà ông Nguyễn Văn Tám số 12 đường Lê Lợi, ĐT 0909123456, lấn chiếm hẻm")
    for secret in ("0909123456", "số 12", "Nguyễn Văn Tám"):
        assert secret not in masked
    assert "đường Lê Lợi" in masked and "lấn chiếm hẻm" in masked


def test_none_is_empty() -> None:
    assert mask_personal_data(None) == ""
