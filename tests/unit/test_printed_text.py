"""The detector of residents' text printed as typed (`services/reporting/printed_text.py`): pure
functions over Vietnamese sentences, no fakes needed."""

from __future__ import annotations

import pytest

from services.reporting.printed_text import FIRST_PERSON, NO_DIACRITICS, first_person, warnings


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
