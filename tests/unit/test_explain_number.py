"""The "#" of a rule phrase ("# lần rồi", "đã # lần", "từ năm # đến nay") stands for a number,
which the classifier takes as digits or number words (`classifier._is_number`: nhiều, vài, ba…);
the Vietnamese explanation (services/routing/explain.py) quotes the resident's own words for it,
with or without diacritics, never the phrase's “#”."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone

import pytest

from services.demo.seed import demo_commune, demo_dialogue
from services.routing import explain
from services.routing.classifier import RuleSet, classify
from services.routing.logic import decide
from shared.contracts import Kind, Source, SubmissionReceivedV1

RULES = RuleSet.load_default()
COMMUNE, DIALOGUE = demo_commune(), demo_dialogue()
ROAD = "Đường ấp Chợ hư nặng, mưa là ngập. "


@pytest.mark.parametrize(
    ("said", "quoted"),
    [
        ("Đã kiến nghị 3 lần rồi", "“3 lần rồi”"),
        ("Da kien nghi 3 lan roi", "“3 lan roi”"),
        ("Đã kiến nghị nhiều lần rồi", "“nhiều lần rồi”"),
        ("Da kien nghi nhieu lan roi", "“nhieu lan roi”"),
        ("Đã kiến nghị vài lần rồi", "“vài lần rồi”"),
        ("Da kien nghi ba lan roi", "“ba lan roi”"),
        ("Đã 2 lần lên xã", "“Đã 2 lần”"),
        ("Da hai lan len xa", "“Da hai lan”"),
    ],
)
def test_the_raised_before_line_quotes_the_number_as_written(said, quoted):
    text = ROAD + said
    result = classify(text, RULES)
    assert any("#" in phrase for phrase in result.recurring_phrases)  # a wildcard phrase fired
    line = explain.recurring_line(result.recurring_phrases, text)
    assert line is not None and quoted in line and "#" not in line


@pytest.mark.parametrize(
    ("text", "term", "spelled"),
    [
        ("Từ năm 2015 đến nay vẫn chưa sửa", "tu nam # den nay", "Từ năm 2015 đến nay"),
        ("Tu nam 2015 den nay van chua sua", "tu nam # den nay", "Tu nam 2015 den nay"),
        ("đã mấy lần rồi", "# lan roi", "mấy lần rồi"),
        ("lần thứ tư kiến nghị", "lan thu #", "lần thứ tư"),
    ],
)
def test_a_wildcard_term_is_found_back_as_written(text, term, spelled):
    assert explain.original_spelling(text, term) == spelled


def test_a_word_that_is_no_number_does_not_fill_the_wildcard():
    assert explain.original_spelling("đã xong lần rồi", "# lan roi") == "# lan roi"  # not found: as before


def test_the_decision_stored_for_the_item_page_has_no_placeholder():
    received = SubmissionReceivedV1(
        submission_id="s1",
        dialogue_id=DIALOGUE.id,
        tracking_code="DT-AB12CD34",
        source=Source.CITIZEN,
        kind=Kind.PETITION,
        text="Duong ap Cho hu nang ... Da kien nghi nhieu lan roi",
        received_at=datetime(2026, 12, 2, tzinfo=timezone.utc),
    )
    decision = decide(received, COMMUNE, DIALOGUE, RULES, review_threshold=0.5)
    why = " ".join(decision.explanation_vi)
    assert "“nhieu lan roi”" in why and "#" not in why


def test_explain_imports_on_its_own():
    # explain borrows classifier._is_number while the classifier imports explain: no import cycle
    code = "import services.routing.explain as e; print(e.original_spelling('vài lần rồi', '# lan roi'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "vài lần rồi"
