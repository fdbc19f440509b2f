"""The public speaking order prints only a name: a registration's name is what anyone typed, so
a word with a digit, ':', '@' or '/' is never shown (the turn's label instead), a registration
naming a phone or a link is refused (422 on `name`, in both languages), and staff still see the
names as registered."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.demo.seed import demo_dialogue
from services.intake.registrations import RegistrationIn, is_name_word, public_name, speaking_order
from shared.directory import SpeakerNames
from shared.http import error_body

TRICKS = [
    "Lan https://lua-dao.example/nhan-qua",
    "Hoa 0909123456",
    "Hoa Zalo:0909.123.457",
    "An an@example.com",
]
NAMES = ["Trần Anh Tuấn", "H'Hen Niê", "Nguyễn V. Bình"]


def speaker(n: int, name: str) -> dict[str, Any]:
    return {
        "_id": f"r{n}",
        "name": name,
        "hamlet": "ấp Chợ",
        "hamlet_id": "ap-cho",
        "topic": None,
        "wants_to_speak": True,
        "registered_at": f"2017-03-0{n}T08:00:00+00:00",
    }


ROWS = [speaker(n, name) for n, name in enumerate(TRICKS + NAMES, start=1)]


def names(shown: SpeakerNames | None) -> list[str | None]:
    return [s["name"] for s in speaking_order(demo_dialogue(), ROWS, shown)]


def test_the_given_name_is_shown_only_when_it_is_a_name():
    assert names(SpeakerNames.GIVEN_NAME) == [
        "Người đăng ký số 1",  # was "https://lua-dao.example/nhan-qua"
        "Người đăng ký số 2",  # was "0909123456"
        "Người đăng ký số 3",  # was "Zalo:0909.123.457"
        "Người đăng ký số 4",  # was "an@example.com"
        "Tuấn",
        "Niê",
        "Bình",
    ]


def test_a_full_name_shown_to_the_public_has_nothing_but_name_words():
    assert names(SpeakerNames.FULL) == [f"Người đăng ký số {n}" for n in range(1, 5)] + NAMES
    assert names(SpeakerNames.HIDDEN) == [None] * len(ROWS)


def test_staff_see_the_names_as_registered():
    assert names(None) == TRICKS + NAMES


@pytest.mark.parametrize(
    "word", ["0909123456", "Zalo:0909", "a@b", "https://x.vn", "lua-dao.example", "Lan_"]
)
def test_a_word_with_a_digit_or_a_link_is_not_a_name(word):
    assert not is_name_word(word)
    assert public_name(f"Lan {word}", SpeakerNames.GIVEN_NAME, 7) == "Người đăng ký số 7"


@pytest.mark.parametrize("name", TRICKS + ["Lan lua-dao.example", "Hoa (0909)"])
def test_a_registration_naming_a_phone_or_a_link_is_refused_on_the_name(name):
    with pytest.raises(ValidationError) as refused:
        RegistrationIn(name=name, phone="0909 123 456", hamlet="ấp Chợ")
    body = error_body(refused.value.errors())
    (detail,) = body["detail"]
    assert detail["field"] == "name"
    assert "chữ cái" in detail["message_vi"] and "letters only" in detail["message_en"]


@pytest.mark.parametrize("name", NAMES + ["Lê Thị Tám", "Ka-Lô Y Điêng"])
def test_names_of_letters_are_accepted(name):
    assert RegistrationIn(name=name, phone="0909 123 456", hamlet="ấp Chợ").name == name
