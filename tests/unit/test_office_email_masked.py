"""The office's assignment e-mail quotes the resident's text with personal data masked: office
staff never see who sent an item (seen from outside, it quoted 'Nhà tôi số 12 đường Lê Lợi, gọi
0912345678' as typed). The earlier years' texts and answers of a repeated issue are masked too;
the subject carries no text of the resident."""

from __future__ import annotations

from shared.contracts.events import EarlierItem
from tests.unit.test_notification_mail_format import office_email

TYPED = "Nhà tôi số 12 đường Lê Lợi, gọi 0912345678, email an.nguyen@example.com"


def test_the_residents_text_is_quoted_masked() -> None:
    message = office_email(TYPED)
    body = message.get_content()
    for secret in ("số 12", "0912345678", "an.nguyen@example.com"):
        assert secret not in body and secret not in str(message["Subject"])
    assert "Nhà tôi [địa chỉ] đường Lê Lợi, gọi [số điện thoại], email [email]" in body


def test_a_name_and_its_house_number_are_masked() -> None:
    body = office_email("Trước nhà ông Nguyễn Văn An số 45 cống bị nghẹt, gọi 0987654321").get_content()
    assert "Nguyễn Văn An" not in body and "45" not in body and "0987654321" not in body
    assert "Trước nhà ông [họ tên] [địa chỉ] cống bị nghẹt, gọi [số điện thoại]" in body


def test_earlier_years_texts_and_answers_are_masked() -> None:
    earlier = (
        EarlierItem(
            year=2016, submission_id="e1", text="Bà Lê Thị Hoa số 7 ấp Chợ, ĐT 0909123456", answer=None
        ),
        EarlierItem(
            year=2015, submission_id="e2", text="Cống nghẹt", answer="Đã liên hệ ông Tư qua số 0911222333"
        ),
    )
    body = office_email(
        "Cống lại nghẹt", times_raised=3, years_raised=(2015, 2016), earlier=earlier
    ).get_content()
    for secret in ("Hoa", "0909123456", "0911222333", "số 7"):
        assert secret not in body
    assert "- Năm 2016: Bà [họ tên] [địa chỉ] ấp Chợ, ĐT [số điện thoại]" in body
    assert "Trả lời đã có: Đã liên hệ ông [họ tên] qua số [số điện thoại]" in body
    assert "Trả lời đã có: (chưa có trả lời)" in body


def test_ordinary_text_is_quoted_as_typed() -> None:
    text = "Đường ấp 3 hư hỏng từ năm 2017, đề nghị sửa trong quý II"
    assert f"Nội dung ý kiến:\n{text}\n" in office_email(text).get_content()
