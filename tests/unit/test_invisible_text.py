"""A submission's text is what a person reads: invisible formatting characters (zero-width
spaces, byte-order marks, direction overrides) are dropped at the boundary, and a text without
five letters or digits is refused with the field and the reason in both languages. Seen from
outside: ten zero-width spaces were accepted (202), routed and e-mailed to an office."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.intake.schemas import SubmissionIn, clean_text
from shared.http import error_body


@pytest.mark.parametrize(
    "text",
    [
        "\u200b" * 10,  # zero-width spaces
        "\u202e\u0301\u0301\u0301\ufeff\u0301\u0301",  # a direction override, accents, a BOM
        ".....!!!",
        "\u00a0 \u2060\u2060 \u200d\u200d\u200d\u200d\u200d",
        "\u3164" * 7,  # Hangul filler: a letter to Unicode, blank on screen
        "\u115f" * 6 + "\u1160\uffa0\u2800",
    ],
)
def test_a_text_that_shows_nothing_readable_is_refused_on_its_field(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        SubmissionIn(source="citizen", kind="petition", text=text)
    [error] = error_body(caught.value.errors())["detail"]
    assert error["field"] == "text" and error["message_vi"] and error["message_en"]


def test_invisible_characters_are_dropped_and_the_rest_kept() -> None:
    typed = "\ufeffĐèn\u200b đường\u202e ấp Chợ hư\u2060"
    assert clean_text(typed) == "Đèn đường ấp Chợ hư"
    accepted = SubmissionIn(source="citizen", kind="petition", text=typed)
    assert accepted.text == "Đèn đường ấp Chợ hư"
    assert SubmissionIn(source="citizen", kind="petition", text="Cầu 3 sập").text == "Cầu 3 sập"
