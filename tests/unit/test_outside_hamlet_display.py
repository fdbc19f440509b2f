"""Hamlet names are written one way on every page: the unit word in lower case ("ấp Chợ"), as
official documents write it, capitalised only where the name opens a sentence or a heading."""

from __future__ import annotations

import pytest

from services.intake.logic import hamlet_display
from services.intake.web.pages import _environment


@pytest.mark.parametrize(
    ("stored", "inside", "opening"),
    [
        ("ấp Chợ", "ấp Chợ", "Ấp Chợ"),
        ("Ấp Căn cứ", "ấp Căn cứ", "Ấp Căn cứ"),
        ("Khu Phố 3", "khu phố 3", "Khu phố 3"),
        ("THÔN Đông", "thôn Đông", "Thôn Đông"),
        ("Toàn xã", "Toàn xã", "Toàn xã"),
        ("Rạch Tràm", "Rạch Tràm", "Rạch Tràm"),
        ("Ấpxyz", "Ấpxyz", "Ấpxyz"),  # not the unit word followed by a name
        (None, "", ""),
    ],
)
def test_the_unit_word_is_lower_case_except_at_an_opening(stored, inside, opening):
    assert hamlet_display(stored) == inside
    assert hamlet_display(stored, opening=True) == opening


def test_every_page_template_has_the_filter():
    env = _environment()
    rendered = env.from_string(
        "{{ a | hamlet }}; {{ a | hamlet(opening=True) }}: {{ b | map('hamlet') | join(', ') }}"
    )
    assert rendered.render(a="Ấp Chợ", b=["Ấp Chợ", "ấp Căn cứ"]) == "ấp Chợ; Ấp Chợ: ấp Chợ, ấp Căn cứ"
