"""The detector of residents' text printed as typed (`services/reporting/printed_text.py`): pure
functions over Vietnamese sentences, no fakes needed."""

from __future__ import annotations

from datetime import date

import pytest

from services.reporting.printed_text import (
    FIRST_PERSON,
    NO_DIACRITICS,
    first_person,
    one_paragraph,
    printed,
    warnings,
)


@pytest.mark.parametrize(
    "text",
    [
        "cong thoat nuoc bi nghet",
        "Duong vao ap 3 xuong cap nghiem trong, de nghi sua chua",
        "den duong khong sang vao buoi toi",
    ],
)
def test_text_without_diacritics_is_flagged(text: str) -> None:
    assert NO_DIACRITICS in warnings(text)


@pytest.mark.parametrize(
    "text",
    [
        "Nhà tôi bị ngập mỗi khi mưa lớn.",
        "Gia đình tôi chưa được cấp giấy chứng nhận quyền sử dụng đất.",
        "Chúng tôi đề nghị xã sửa đường.",
        "Em xin hỏi khi nào có đèn đường?",
        "Cháu đề nghị lắp camera ở cổng trường.",
        "Đường ấp 2 hư hỏng. Chúng em mong được sửa sớm.",
        "nha toi bi ngap",
        "Đề nghị xem xét giúp tôi trường hợp này.",
    ],
)
def test_first_person_is_flagged(text: str) -> None:
    assert FIRST_PERSON in warnings(text)


def test_bare_first_person_has_both_warnings_in_order() -> None:
    assert warnings("gia dinh toi chua duoc ho tro") == [NO_DIACRITICS, FIRST_PERSON]


@pytest.mark.parametrize(
    "text",
    [
        "Cống thoát nước trên đường liên ấp bị nghẹt, gây ngập khi mưa lớn.",
        "Đề nghị sửa chữa đường giao thông nông thôn ấp 3.",
        "Hộ dân ấp Bình Hòa phản ánh đèn đường không sáng vào buổi tối.",
        "Em bé ở ấp 2 chưa được tiêm chủng đầy đủ.",
        "Cháu nhỏ trong xóm phải lội nước đi học.",
        "Con đường liên ấp xuống cấp.",
        "Một số hộ dân đề nghị hỗ trợ giống cây trồng.",
        "Cảm ơn.",
        "",
    ],
)
def test_proper_third_person_text_has_no_warning(text: str) -> None:
    assert warnings(text) == []


def test_evening_typed_bare_is_not_the_speaker() -> None:
    assert not first_person("den duong khong sang vao buoi toi")
    assert warnings(None) == []


def test_personal_data_is_flagged_for_review_even_though_it_is_masked_when_printed():
    from services.reporting.printed_text import PERSONAL_DATA, warnings

    assert warnings("Nhà ông Nguyễn Văn Tám, ĐT 0909123456, lấn chiếm hẻm chung.") == [PERSONAL_DATA]
    assert PERSONAL_DATA not in warnings("Đường vào ấp Chợ ngập nước khi mưa lớn.")


@pytest.mark.parametrize(
    ("typed", "quoted"),
    [
        (
            "Đường vào ấp bị hỏng nặng\nĐề nghị xã sửa trước mùa mưa",
            "Đường vào ấp bị hỏng nặng Đề nghị xã sửa trước mùa mưa",
        ),
        ("Đề nghị:\n- sửa đường\n- lắp đèn\n\n", "Đề nghị: sửa đường; lắp đèn"),
        ("Đề nghị:\n1. Sửa cống.\n2) Nạo vét kênh", "Đề nghị: Sửa cống. Nạo vét kênh"),
        ("Mưa là ngập,\r\nnước  tràn vào nhà", "Mưa là ngập, nước tràn vào nhà"),
        ("Nhiệt độ -5 độ\n-5 là sai", "Nhiệt độ -5 độ -5 là sai"),
        ("Mức phí thu theo\nNghị quyết của HĐND tỉnh", "Mức phí thu theo Nghị quyết của HĐND tỉnh"),
        (
            "UBND xã sẽ sửa chữa\nđường vào chợ\ntrong quý II",
            "UBND xã sẽ sửa chữa đường vào chợ trong quý II",
        ),
        ("Sửa cống trước chợ\n\nLắp đèn ấp Mới", "Sửa cống trước chợ. Lắp đèn ấp Mới"),
        ("- sửa đường\n- lắp đèn", "sửa đường; lắp đèn"),
        ("   ", ""),
    ],
)
def test_a_quotation_is_one_paragraph_its_words_as_typed_separators_only_where_the_layout_had_them(
    typed: str, quoted: str
) -> None:
    assert one_paragraph(typed) == quoted


def test_printed_masks_before_joining_lines() -> None:
    assert printed("Liên hệ 0912345678\nđể biết thêm") == "Liên hệ [số điện thoại] để biết thêm"


def test_the_notice_quotes_a_two_line_petition_as_one_paragraph_of_two_sentences() -> None:
    """Through the document builder: the demo notice with its first petition typed on two lines."""
    from services.demo.documents import demo_dataset
    from services.reporting.documents import build_data

    commune, dialogue, items, minutes = demo_dataset()
    first = items[0]
    typed = "Cống thoát nước ở đầu ấp bị nghẹt\nMỗi khi mưa lớn nước tràn vào nhà dân"
    items = [{**first, "text": typed}, *items[1:]]
    data = build_data(
        "thong-bao-ket-luan", commune, dialogue, items, number=5, issued_on=date(2017, 4, 5), minutes=minutes
    )
    assert data.notice is not None
    texts = [c.text for c in data.notice.conclusions] + [e.text for e in data.notice.escalations]
    assert "Cống thoát nước ở đầu ấp bị nghẹt Mỗi khi mưa lớn nước tràn vào nhà dân" in texts
    assert not any("\n" in t for t in texts)
