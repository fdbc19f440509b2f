"""The one phone rule (shared/phone.py) on numbers as Vietnamese residents write them, and the
forms and request models that use it."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.intake.plan_schemas import DelegateIn
from services.intake.registrations import RegistrationIn, person_key
from services.intake.schemas import SubmissionIn
from shared.phone import PHONE_VI, is_phone, national, phone_digits

WRITTEN = {
    "0912345678": "0912345678",  # a mobile number, 10 digits
    "0912 345 678": "0912345678",
    "0912.345.678": "0912345678",
    "0912-345-678": "0912345678",
    "+84 912 345 678": "0912345678",
    "+84912345678": "0912345678",
    "+84 912.345.678": "0912345678",
    "0084 912 345 678": "0912345678",
    "84912345678": "0912345678",
    "(0277) 3851 234": "02773851234",  # a landline in Đồng Tháp, 11 digits
    "0277.3851.234": "02773851234",
    " 0909 123 456 ": "0909123456",
}
NOT_PHONES = [
    "",
    "gọi tôi",
    "0912 345",  # too short
    "0912 345 678 999",  # too long: 14 digits
    "0912345678, 0987654321",  # two numbers
    "0912345678 / 0987654321",
    "０９１２３４５６７８",  # full-width digits
    "+1 202 555 0143 999",
    "số 0912345678",
]


@pytest.mark.parametrize("written", WRITTEN)
def test_numbers_as_residents_write_them_are_one_phone_in_national_form(written):
    assert is_phone(written) and national(written) == WRITTEN[written]
    assert phone_digits(written) is not None and phone_digits(written).isdigit()


@pytest.mark.parametrize("written", NOT_PHONES)
def test_what_is_not_one_phone_number_is_refused(written):
    assert not is_phone(written) and national(written) is None


def test_the_message_states_the_rule_in_vietnamese():
    assert "9–11 chữ số" in PHONE_VI and "+84" in PHONE_VI and "0912 345 678" in PHONE_VI


@pytest.mark.parametrize("written", ["0912 345 678", "+84 912.345.678", "(0277) 3851 234"])
def test_submissions_registrations_and_delegates_take_the_same_numbers(written):
    """One rule everywhere: the submission's contact, the registration and a plan's delegate."""
    assert SubmissionIn(source="citizen", kind="petition", text="Đường ngập nước", contact=written).contact
    assert RegistrationIn(name="Lê Văn Tư", phone=written, hamlet="ấp Chợ").phone == written.strip()
    assert DelegateIn(name="Nguyễn Văn Minh", role="Bí thư", phone=written).phone == written.strip()


@pytest.mark.parametrize("written", ["0912 345", "0912 345 678 999", "gọi tôi", "0912345678; 0987654321"])
def test_submissions_registrations_and_delegates_refuse_the_same_numbers(written):
    with pytest.raises(ValidationError):
        SubmissionIn(source="citizen", kind="petition", text="Đường ngập nước", contact=written)
    with pytest.raises(ValidationError):
        RegistrationIn(name="Lê Văn Tư", phone=written, hamlet="ấp Chợ")
    with pytest.raises(ValidationError):
        DelegateIn(name="Nguyễn Văn Minh", role="Bí thư", phone=written)


def test_one_person_is_one_key_however_the_number_is_written():
    keys = {person_key("Lê Văn Tư", w) for w in ("0912 345 678", "+84 912.345.678", "0084912345678")}
    assert keys == {"le van tu|0912345678"}
