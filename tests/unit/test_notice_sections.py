"""The conclusion notice's sections I (commune authority) and II (recommendations to the higher
level): every issue lands in exactly one, the repeated ones first and otherwise in the order its
items came (`common.repeated_first`), and an issue the meeting recommends upward moves from I to
II even though it is of commune authority."""

from __future__ import annotations

from datetime import date

from services.demo.documents import demo_dataset
from services.reporting.documents import build_data
from services.reporting.documents.common import issue_key, repeated_first

ISSUED_ON = date(2017, 4, 5)
HIGHER_BODY = "UBND huyện Cần Giuộc"
RECOMMENDATION = "Kiến nghị cấp trên hỗ trợ kinh phí."


def _built(meeting: dict | None = None):
    commune, dialogue, items, _ = demo_dataset()
    data = build_data(
        "thong-bao-ket-luan", commune, dialogue, items, number=5, issued_on=ISSUED_ON, meeting=meeting
    )
    return items, data


def _notice(meeting: dict | None = None):
    items, data = _built(meeting)
    return items, data.notice


def _keys_in_order(items: list[dict], level: str | None = None) -> list[str]:
    """Issue keys in order of first appearance (routed items only), all or of one level (an
    issue's level is its first item's)."""
    levels: dict[str, str] = {}
    for n, item in enumerate(items):
        if item.get("topic") is not None:
            levels.setdefault(issue_key(item, n), item["authority_level"])
    return [k for k, lv in levels.items() if level is None or (lv == "commune") == (level == "commune")]


def _repeated_first(keys: list[str], notice) -> list[str]:
    """`keys` ordered as the notice orders its issues: repeated ones first, else as they came."""
    by_key = {i.key: i for i in (*notice.conclusions, *notice.escalations)}
    return [i.key for i in repeated_first([by_key[k] for k in keys])]


def test_each_issue_in_one_section_escalations_in_item_order() -> None:
    items, notice = _notice()
    section_one = [c.key for c in notice.conclusions]
    section_two = [e.key for e in notice.escalations]
    assert sorted(section_one + section_two) == sorted(_keys_in_order(items))
    assert section_two == _repeated_first(_keys_in_order(items, "higher"), notice)
    assert notice.escalations[0].repeated and not notice.escalations[-1].repeated
    assert set(section_one) == set(_keys_in_order(items, "commune"))


def test_commune_issue_recommended_at_the_meeting_moves_to_section_two() -> None:
    items, plain = _notice()
    moved = plain.conclusions[1].key
    conclusion = {"kind": "recommended", "text": RECOMMENDATION, "higher_body": HIGHER_BODY}
    _, notice = _notice({"conclusions": {moved: conclusion}})
    assert moved not in [c.key for c in notice.conclusions]
    assert len(notice.conclusions) == len(plain.conclusions) - 1
    expected = [k for k in _keys_in_order(items) if k == moved or k in {e.key for e in plain.escalations}]
    assert [e.key for e in notice.escalations] == _repeated_first(expected, notice)
    escalated = next(e for e in notice.escalations if e.key == moved)
    assert escalated.authority == HIGHER_BODY
    numbers = [c.number for c in notice.conclusions] + [e.number for e in notice.escalations]
    assert numbers == list(range(1, len(numbers) + 1))


def test_issues_closed_at_the_meeting_are_counted_in_the_opening() -> None:
    """The opening names every issue the items raised, those answered or explained at the
    meeting (listed after sections I and II) included."""
    items, plain = _notice()
    answered, explained = plain.conclusions[0].key, plain.conclusions[1].key
    conclusions = {
        answered: {"kind": "answered", "text": "Đã trả lời tại hội nghị."},
        explained: {"kind": "no_action", "text": "Đã giải thích, không cần giải quyết."},
    }
    _, data = _built({"conclusions": conclusions})
    issues = len(_keys_in_order(items))
    assert len(data.notice.conclusions) + len(data.notice.escalations) == issues - 2
    assert f"về {issues} vấn đề" in " ".join(data.intro)


def test_an_issue_above_commune_authority_that_the_meeting_assigns_to_a_commune_office_is_in_section_one():
    """The Secretary may assign an issue routing found beyond commune authority to a commune
    office: the notice then prints it in section I with that office (as its follow-up task has
    it), not in section II under the Party office's recommendation."""
    _, before = _notice()
    above = before.escalations[0]
    conclusion = {
        "kind": "assigned",
        "text": "Kiểm tra hiện trạng, lập phương án sửa chữa",
        "office_id": "cong-an-xa",  # not the office routing chose for it
        "deadline_working_days": 30,
    }
    _, notice = _notice({"conclusions": {above.key: conclusion}})
    assert above.key not in [i.key for i in notice.escalations]
    [assigned] = [i for i in notice.conclusions if i.key == above.key]
    assert assigned.conclusion.startswith("Kiểm tra hiện trạng") and assigned.office
    assert assigned.office != above.office
