"""Contacts (services/intake/contacts.py): one Vietnamese phone number or one e-mail address,
the same rule in every model that takes one; and notification refusing to mail more than one
address whatever reaches it."""

from __future__ import annotations

import asyncio

import pytest
from pydantic import ValidationError

from services.demo.seed import demo_commune
from services.intake.contacts import check_contact, check_email, check_phone, is_email, is_phone
from services.intake.importer import Importer
from services.intake.plan_schemas import DelegateIn
from services.intake.registrations import RegistrationIn
from services.intake.schemas import SubmissionIn
from services.notification.headers import check_single_recipient, new_message, recipient, set_encoded
from services.notification.smtp import SmtpSender
from shared.errors import PermanentError
from shared.http import BilingualError, error_body

PHONES = [
    "0912 345 678",
    "0912.345.678",
    "0912-345-678",
    "0912345678",
    "+84 912 345 678",
    "+84912345678",
    "(0277) 3851 234",
    "02773851234",
    "912345678",
]
NOT_PHONES = [
    "12",
    "abc",
    "0912 345 678 9999",
    "0912345678\n0987654321",
    "0912345678, 0987654321",
    "0912;345678",
    "+1 415 555 0100",
    "+84 12",
    "０９１２３４５６７８",
    "gọi tôi",
]
EMAILS = ["dan.cho@example.org", "nguyen.van.bay@tanphuoc.gov.vn", "a+b@x.vn", "DAN_CHO@Example.VN"]
NOT_EMAILS = [
    "a@x.vn, b@y.vn",
    "a@x.vn;b@y.vn",
    "a@x.vn b@y.vn",
    "a@x.vn\r\nBcc: c@z.vn",
    "a@x.vn\nb@y.vn",
    "Nguyễn Văn Bảy <bay@x.vn>",
    "<bay@x.vn>",
    '"bay"@x.vn',
    "bay@x",
    "bay@@x.vn",
    "bay..cho@x.vn",
    "bảy@x.vn",
    "bay@-x.vn",
    "a" * 65 + "@x.vn",
]


@pytest.mark.parametrize("text", PHONES)
def test_vietnamese_phone_numbers_as_people_write_them(text):
    assert is_phone(text) and check_phone(f"  {text} ") == text and check_contact(text) == text


@pytest.mark.parametrize("text", NOT_PHONES)
def test_what_is_not_one_phone_number(text):
    assert not is_phone(text)
    with pytest.raises(BilingualError) as refused:
        check_phone(text)
    assert "Số điện thoại không hợp lệ" in refused.value.vi and "phone" in refused.value.en


@pytest.mark.parametrize("text", EMAILS)
def test_one_email_address(text):
    assert is_email(text) and check_email(text) == text and check_contact(text) == text


@pytest.mark.parametrize("text", NOT_EMAILS)
def test_lists_names_and_line_breaks_are_not_an_address(text):
    assert not is_email(text)
    with pytest.raises(BilingualError) as refused:
        check_contact(text)
    assert "không hợp lệ" in refused.value.vi and refused.value.en.startswith("Invalid")


def test_a_submission_contact_is_one_phone_or_one_address():
    base = {"source": "citizen", "kind": "petition", "text": "Đường vào ấp Chợ ngập nước mỗi khi mưa."}
    assert SubmissionIn.model_validate({**base, "contact": " 0912 345 678 "}).contact == "0912 345 678"
    assert (
        SubmissionIn.model_validate({**base, "contact": "dan.cho@example.org"}).contact
        == "dan.cho@example.org"
    )
    assert SubmissionIn.model_validate({**base, "contact": ""}).contact is None
    for bad in ("a@x.vn, b@y.vn, c@z.vn", "dan@x.vn\r\nBcc: all@x.vn", "nhà tôi ở đầu ấp"):
        with pytest.raises(ValidationError) as refused:
            SubmissionIn.model_validate({**base, "contact": bad})
        body = error_body(list(refused.value.errors()))
        assert [d["field"] for d in body["detail"]] == ["contact"]
        assert (
            "không hợp lệ" in body["message_vi"]
            and "contact" in body["message_vi"]
            and body["message_en"].startswith("Invalid input: contact")
        )


def test_registration_and_delegates_follow_the_same_rule():
    person = {"name": "Nguyễn Văn Bảy", "hamlet": "ấp Chợ"}
    assert RegistrationIn.model_validate({**person, "phone": "+84 909 123 456"}).phone == "+84 909 123 456"
    assert (
        RegistrationIn.model_validate({**person, "phone": "0909123456\n"}).phone == "0909123456"
    )  # trimmed: no line break is kept
    for bad in ("0909 123 456, 0909 654 321", "0909 123 456\n0909 654 321", "12"):
        with pytest.raises(ValidationError):
            RegistrationIn.model_validate({**person, "phone": bad})
    assert (
        DelegateIn.model_validate(
            {"name": "Chủ tịch UBND xã", "email": "chutich@tanphuoc.example", "phone": "0277 3851 234"}
        ).email
        == "chutich@tanphuoc.example"
    )
    for field, bad in (
        ("email", "a@x.vn,b@y.vn"),
        ("email", "Chủ tịch <ct@x.vn>"),
        ("phone", "0277;3851234"),
    ):
        with pytest.raises(ValidationError) as refused:
            DelegateIn.model_validate({"name": "Chủ tịch UBND xã", field: bad})
        assert error_body(list(refused.value.errors()))["detail"][0]["field"] == field


def test_the_bulk_import_refuses_a_list_of_numbers():
    commune = demo_commune()
    rows = (
        "Ấp,Nội dung,Điện thoại\n"
        "ấp Chợ,Đường vào ấp Chợ ngập nước.,0912 345 678\n"
        'ấp Chợ,Đèn đường hư ban đêm.,"0912 345 678; 0987 654 321"\n'
    )
    result = Importer(commune, frozenset({0, 1, 2, 3})).read("y-kien.csv", rows.encode())
    assert [r.submission.contact for r in result.rows] == ["0912 345 678"]
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "phone")
    ] and "Số điện thoại không hợp lệ" in result.errors[0].reason


@pytest.mark.parametrize(
    "address", ["a@x.vn, b@y.vn", "a@x.vn;b@y.vn", "a@x.vn\r\nBcc: b@y.vn", "a@x.vn\n", ""]
)
def test_notification_refuses_a_recipient_that_could_be_several(address):
    with pytest.raises(PermanentError):
        recipient(address)


def test_notification_sends_each_email_to_exactly_one_address():
    one = new_message()
    one["To"] = recipient("vanphong@tanphuoc.example")
    check_single_recipient(one)
    named = new_message()
    set_encoded(named, "To", "Nguyễn, Văn Bảy", trailer="<bay@tanphuoc.example>")
    check_single_recipient(named)  # a comma inside an encoded display name is not a second address
    for build in (
        lambda m: m.__setitem__("To", "a@x.vn, b@y.vn"),
        lambda m: (m.__setitem__("To", "a@x.vn"), m.__setitem__("Cc", "b@y.vn")),
        lambda m: None,
    ):
        message = new_message()
        build(message)
        with pytest.raises(PermanentError):
            check_single_recipient(message)


def test_the_smtp_sender_refuses_before_it_connects():
    message = new_message()
    message["To"] = "a@x.vn, b@y.vn, c@z.vn"
    sender = SmtpSender("smtp://127.0.0.1:9", 0.5)  # nothing listens there: refusing must come first
    with pytest.raises(PermanentError, match="exactly one"):
        asyncio.run(sender.send(message))
