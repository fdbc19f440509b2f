"""Masking gaps an outside probe found (names in lower case, in capitals, after a signature, with a
family name outside the common ones or a name by birth order; ID numbers grouped by spaces, dots or
dashes; an address after "ở" or its label; bank accounts, health-insurance cards, passports), with
or without diacritics; and what offices need to act on stays (a road complained about, hamlets,
offices, dates, amounts, road numbers, roads counted). Masking twice changes nothing more."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.personal_data import (
    ACCOUNT,
    ADDRESS,
    ID_NUMBER,
    NAME,
    PHONE,
    has_personal_data,
    mask_personal_data,
)


@pytest.mark.parametrize(
    ("typed", "masked"),
    [
        # names
        ("tôi là trần thị bích", f"tôi là {NAME}"),
        ("toi la tran thi bich", f"toi la {NAME}"),
        ("tôi là trần thị bích ở ấp Chợ, xin phản ánh", f"tôi là {NAME} ở ấp Chợ, xin phản ánh"),
        ("TÔI LÀ TRẦN THỊ BÍCH", f"TÔI LÀ {NAME}"),
        ("Tôi là Kiều Văn An", f"Tôi là {NAME}"),
        ("Tôi là Thạch Thị Sa Rết, ấp Chợ", f"Tôi là {NAME}, ấp Chợ"),
        ("Tôi là Danh Sà Rinh", f"Tôi là {NAME}"),
        ("Tôi là Út Mười", f"Tôi là {NAME}"),
        ("Tôi là Út, nhà ở ấp Chợ", f"Tôi là {NAME}, nhà ở ấp Chợ"),
        ("ký tên Nguyễn Văn Thành", f"ký tên {NAME}"),
        ("ky ten Nguyen Van Thanh", f"ky ten {NAME}"),
        ("Người viết: Nguyễn Văn Thành", f"Người viết: {NAME}"),
        ("Người gửi: Hoa", f"Người gửi: {NAME}"),
        ("nguoi viet: nguyen van thanh", f"nguoi viet: {NAME}"),
        ("Kính đơn.\nNGUYỄN VĂN THÀNH, ấp Chợ", f"Kính đơn.\n{NAME}, ấp Chợ"),
        ("NGUYỄN VĂN THÀNH,", f"{NAME},"),
        ("Trần Văn Hùng đổ rác ra kênh", f"{NAME} đổ rác ra kênh"),
        ("Kiều Thị Lan lấn chiếm lối đi", f"{NAME} lấn chiếm lối đi"),
        # ID numbers, their name kept
        ("CCCD: 0791 2345 6789", f"CCCD: {ID_NUMBER}"),
        ("căn cước 079-123-456-789", f"căn cước {ID_NUMBER}"),
        ("số CCCD 079.123.456.789", f"số CCCD {ID_NUMBER}"),
        ("cmnd 272345678", f"cmnd {ID_NUMBER}"),
        (
            "căn cước công dân số: 079123456789 cấp ngày 12/3/2021",
            f"căn cước công dân số: {ID_NUMBER} cấp ngày 12/3/2021",
        ),
        ("chung minh nhan dan so 272 345 678", f"chung minh nhan dan so {ID_NUMBER}"),
        # addresses: the house number (and after its label the street), not the hamlet
        ("nhà tôi ở 123 Nguyễn Trãi", f"nhà tôi ở {ADDRESS} Nguyễn Trãi"),
        ("nha toi o 123 Nguyen Trai bi ngap", f"nha toi o {ADDRESS} Nguyen Trai bi ngap"),
        ("địa chỉ: 12/5 Lê Lợi, ấp Chợ", f"địa chỉ: {ADDRESS}, ấp Chợ"),
        ("Địa chỉ: số 12 đường Lê Lợi ấp Chợ", f"Địa chỉ: {ADDRESS} ấp Chợ"),
        ("dia chi 45 Tran Phu, ap Cho", f"dia chi {ADDRESS}, ap Cho"),
        # other numbers
        ("STK 0071000123456 Vietcombank", f"STK {ACCOUNT} Vietcombank"),
        ("số tài khoản Agribank: 5500 2050 12345", f"số tài khoản Agribank: {ACCOUNT}"),
        ("chuyển tiền vào 0071000123456 giúp tôi", f"chuyển tiền vào {ID_NUMBER} giúp tôi"),
        ("thẻ bảo hiểm y tế GD4797912345678 hết hạn", f"thẻ bảo hiểm y tế {ID_NUMBER} hết hạn"),
        ("BHYT gd4797912345678", f"BHYT {ID_NUMBER}"),
        ("hộ chiếu C1234567", f"hộ chiếu {ID_NUMBER}"),
        ("ho chieu so c1234567", f"ho chieu so {ID_NUMBER}"),
        ("passport: B7654321", f"passport: {ID_NUMBER}"),
        # together
        (
            "Tôi là Thạch Thị Sa Rết, CCCD 079 123 456 789, ĐT 0912 888 999, nhà ở 45 Hùng Vương ấp Chợ",
            f"Tôi là {NAME}, CCCD {ID_NUMBER}, ĐT {PHONE}, nhà ở {ADDRESS} Hùng Vương ấp Chợ",
        ),
    ],
)
def test_what_the_probe_found_is_masked(typed: str, masked: str) -> None:
    assert mask_personal_data(typed) == masked
    assert has_personal_data(typed)


@pytest.mark.parametrize(
    "typed",
    [
        # the road complained about, roads counted, road numbers
        "đường Lê Lợi bị ngập",
        "Đường Lê Lợi bị ngập khi mưa, đề nghị nạo vét",
        "ở 2 đường Lê Lợi và Trần Phú thiếu đèn",
        "ở 2 đường Lê Lợi và đường Trần Phú thiếu đèn",
        "quốc lộ 1A đoạn qua ấp Chợ xuống cấp",
        "Quốc lộ 1A",
        "đường tỉnh 741 có nhiều ổ gà",
        "ĐT.741 sạt lở",
        "đường Nguyễn Văn Cừ thiếu đèn",
        "Trường Tiểu học Nguyễn Thị Định xuống cấp",
        "đường mang tên Nguyễn Thị Minh Khai",
        # hamlets, offices
        "Địa chỉ: ấp Chợ",
        "ở 3 Ấp Chợ, Mới và Bưng thiếu nước",
        "tại 2 Xã Phú An và Tân Hòa",
        "Phòng Văn hóa - Xã hội chưa trả lời",
        "Phòng Kinh tế UBND xã Phú An",
        "Công an xã ấp Chợ",
        # dates, years, amounts, counts, document numbers
        "ngày 12/3/2024 có họp, năm 2017 đã kiến nghị",
        "hỗ trợ 2.000.000 đồng cho 12 hộ",
        "bồi thường 1.500.000.000 đồng",
        "tổng kinh phí 100000000 đồng",
        "tài khoản nhận 2 000 000 đồng",
        "Quyết định số 1234/QĐ-UBND ngày 5/6/2024",
        "mã hồ sơ 000.00.12.H12-241207-0001",
        "CCCD hết hạn từ năm 2019",
        "làm CCCD gắn chip mất 3 tháng",
        # a role, a group, not a name
        "Tôi là Đảng Viên ở ấp Chợ",
        "Chúng tôi là Hội Nông Dân xã",
        "Tôi là Người Dân ấp Chợ",
        "tôi là người dân ấp chợ",
        "toi la nguoi dan ap cho",
        "tôi là trưởng ấp",
        "Họ tên người gửi không ghi",
        "người gửi Phòng Kinh tế",
        "ký tên vào biên bản",
    ],
)
def test_what_offices_need_stays(typed: str) -> None:
    assert mask_personal_data(typed) == typed
    assert not has_personal_data(typed)


def _petitions() -> list[str]:
    root = Path(__file__).resolve().parents[1]
    files = sorted((root / "data" / "corpus").glob("*.jsonl"))
    return [
        json.loads(line)["text"] for file in files for line in file.read_text("utf-8").splitlines() if line
    ]


_FRAGMENTS = [
    "tôi là trần thị bích",
    "Tôi là Thạch Thị Sa Rết",
    "ký tên Nguyễn Văn Thành",
    "NGUYỄN VĂN THÀNH,",
    "ông Tư số 45",
    "CCCD: 0791 2345 6789",
    "cmnd 272345678",
    "nhà tôi ở 123 Nguyễn Trãi",
    "địa chỉ: 12/5 Lê Lợi, ấp Chợ",
    "ở 2 đường Lê Lợi và Trần Phú",
    "STK 0071000123456",
    "GD4797912345678",
    "hộ chiếu C1234567",
    "ĐT 0912 888 999",
    "a.b@example.com",
    "đường Lê Lợi bị ngập",
    "quốc lộ 1A",
    "2.000.000 đồng",
    "ngày 12/3/2024",
    ",",
    ".",
    "\n",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS), min_size=1, max_size=6), st.sampled_from([" ", ", ", ". "]))
def test_masking_twice_is_masking_once(fragments: list[str], glue: str) -> None:
    once = mask_personal_data(glue.join(fragments))
    assert mask_personal_data(once) == once


def test_masking_the_corpus_twice_is_masking_it_once() -> None:
    for text in _petitions():
        once = mask_personal_data(text)
        assert mask_personal_data(once) == once


def test_a_month_or_a_day_with_its_year_before_to_is_not_an_address() -> None:
    """An outside walkthrough read "từ tháng [địa chỉ] tổ thu gom" on the residents' page: the
    Secretary's "từ tháng 4/2017 tổ thu gom rác…" ("tổ" is a street word of addresses too)."""
    for text in (
        "Đã trả lời: từ tháng 4/2017 tổ thu gom rác sẽ thu gom 2 lần mỗi tuần.",
        "Ngày 15/3/2017 tổ dân phố họp bàn việc làm đường.",
    ):
        assert mask_personal_data(text) == text
    assert mask_personal_data("nhà 12/5 đường Lê Lợi") == "nhà [địa chỉ] đường Lê Lợi"
