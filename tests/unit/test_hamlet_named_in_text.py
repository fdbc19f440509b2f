"""An item sent without a hamlet (an integration, Open311 without an address) takes the one
hamlet its text names, so the repeat finder compares it with that hamlet's items.

Seen from outside: "Đường ấp Căn Cứ bị ngập sâu khi mưa lớn", sent through Open311 without an
address, was stored for the whole commune and merged into ấp Chợ's market-drain issue."""

from __future__ import annotations

import pytest

from services.demo.seed import demo_commune
from services.intake.logic import accept_submission, hamlet_named_in
from services.intake.schemas import SubmissionIn

COMMUNE = demo_commune()


@pytest.mark.parametrize(
    ("text", "hamlet"),
    [
        ("Đường ấp Căn Cứ bị ngập sâu khi mưa lớn", "ấp Căn Cứ"),
        ("duong ap can cu bi ngap sau khi mua lon", "ấp Căn Cứ"),  # typed without diacritics
        ("Cống thoát nước đường vào chợ bị nghẹt", None),  # "chợ" is not "ấp Chợ"
        ("Đường từ ấp Chợ sang ấp Căn Cứ hư hỏng", None),  # two hamlets: no one of them
        ("Đèn đường hư hỏng lâu ngày", None),
    ],
)
def test_the_one_hamlet_a_text_names(text, hamlet):
    assert hamlet_named_in(COMMUNE, text) == hamlet


def test_a_submission_without_a_hamlet_takes_the_one_its_text_names_and_toan_xa_stays():
    text = "Đường ấp Căn Cứ bị ngập sâu khi mưa lớn"
    unnamed = SubmissionIn(source="citizen", kind="petition", text=text)
    assert accept_submission(unnamed, COMMUNE, correlation_id="c")["hamlet"] == "ấp Căn Cứ"
    chosen = SubmissionIn(source="citizen", kind="petition", text=text, hamlet="Toàn xã")
    assert accept_submission(chosen, COMMUNE, correlation_id="c")["hamlet"] is None
    other = SubmissionIn(source="citizen", kind="petition", text=text, hamlet="ấp Chợ")
    assert accept_submission(other, COMMUNE, correlation_id="c")["hamlet"] == "ấp Chợ"
