"""What the public views state of an issue once the conclusion notice is issued: the office the
Secretary assigned, the higher-level body a recommendation goes to, not routing's guess (pure
`open_rows`, `public_outcome` and `published_conclusions`; rows and the record are plain dicts),
and what Open311 reads of it (`published_summaries`, the in-memory fakes of the reporting tests)."""

from __future__ import annotations

from services.intake.open311 import service_request
from services.intake.tracking import headline
from services.reporting.handlers.open_data import (
    HIGHER_LEVEL,
    NOT_CONCLUDED,
    UNDER_REVIEW,
    open_rows,
    public_outcome,
    published_conclusions,
    published_outcomes,
    published_summaries,
)
from services.reporting.handlers.ports import MeetingDeps
from services.reporting.open_data import concluded
from tests.unit.test_meeting_record import FakeMeetings, FakeSubmissions
from tests.unit.test_reporting_handlers import (
    COMMUNE,
    DIALOGUE,
    NOW,
    FakeDirectory,
    FakeItems,
    FakeOutbox,
    item,
)

ITEM = {
    "_id": "s1",
    "topic": 3,
    "topic_name": "Nông nghiệp",
    "hamlet": "ấp Chợ",
    "text": "Kênh thủy lợi bồi lắng",
    "office_id": "kinh-te",
    "office_name": "Phòng Kinh tế",
    "authority_level": "commune",
}
RECOMMENDED = {
    "kind": "recommended",
    "text": "Kiến nghị Sở Nông nghiệp và Môi trường nạo vét kênh",
    "office_id": None,
    "office_name": None,
    "higher_body": "Sở Nông nghiệp và Môi trường",
}
ASSIGNED = {
    "kind": "assigned",
    "text": "Giao Công an xã kiểm tra, xử lý",
    "office_id": "cong-an",
    "office_name": "Công an xã",
    "deadline_working_days": 10,
}


def _task(conclusion: dict, office: str, level: str = "commune", status: str = "assigned") -> dict:
    """A task as `followup.tasks_for_record` opens it: a recommendation is the Party office's."""
    return {
        "_id": "d:s1",
        "cluster_id": "s1",
        "submission_ids": ["s1"],
        "topic": 3,
        "topic_name": "Nông nghiệp",
        "hamlet": "ấp Chợ",
        "text": conclusion["text"],
        "office_name": office,
        "authority_level": level,
        "conclusion_kind": conclusion["kind"],
        "status": status,
        "due": "2017-04-19",
    }


def test_a_recommendation_names_the_higher_level_body_not_the_commune() -> None:
    task = _task(RECOMMENDED, "Văn phòng Đảng ủy", status="awaiting_higher_level")
    (row,) = open_rows([task], [ITEM], conclusions={"s1": RECOMMENDED})
    assert row["office"] == "Sở Nông nghiệp và Môi trường"
    assert row["authority"] == HIGHER_LEVEL != "Cấp xã"
    assert row["status"] == "Chờ cấp trên giải quyết"


def test_an_issue_assigned_at_the_meeting_names_that_office_at_the_commune_level() -> None:
    escalated = {**ITEM, "authority_level": "province"}
    task = _task(ASSIGNED, "Công an xã", level="province")
    (row,) = open_rows([task], [escalated], conclusions={"s1": ASSIGNED})
    assert (row["office"], row["authority"]) == ("Công an xã", "Cấp xã")


def test_before_the_notice_routing_decides() -> None:
    (row,) = open_rows([], [ITEM])
    assert (row["office"], row["authority"], row["status"]) == ("Phòng Kinh tế", "Cấp xã", NOT_CONCLUDED)
    outcome = public_outcome(None, "Phòng Kinh tế", "province")
    assert (outcome.office, outcome.authority, outcome.kind) == ("Phòng Kinh tế", "Cấp tỉnh", None)


def test_conclusions_are_published_only_once_the_record_is_locked() -> None:
    record = {"conclusions": {"s1": RECOMMENDED}, "locked": False}
    assert published_conclusions(record) == {}
    assert published_conclusions(None) == {}
    assert published_conclusions({**record, "locked": True}) == {"s1": RECOMMENDED}


ANSWERED = {
    "kind": "answered",
    "text": "Phòng Kinh tế đã trả lời: ông Nguyễn Văn Tám (ĐT 0909123456) được hỗ trợ giống lúa",
    "office_id": None,
    "office_name": None,
}
NO_ACTION = {
    "kind": "no_action",
    "text": "",
    "reason": "Đã giải quyết xong năm 2016, gọi 0909 123 456 nếu cần",
    "office_id": None,
    "office_name": None,
}
OTHER = {**ITEM, "_id": "s2", "hamlet": "ấp Mới", "text": "Đèn đường hỏng"}


def test_issues_closed_at_the_meeting_are_listed_with_their_outcome_once_the_notice_is_issued() -> None:
    """They open no task: before, the notice's issue left them out of every public row."""
    conclusions: dict[str, dict] = {"s1": ANSWERED, "s2": NO_ACTION}
    rows = open_rows([], [ITEM, OTHER], {"s1": "Kênh thủy lợi bồi lắng"}, conclusions=conclusions)
    answered, explained = rows
    assert answered["issue"] == "Kênh thủy lợi bồi lắng"
    assert answered["status"] == "Đã trả lời, kết thúc tại hội nghị"
    assert "được hỗ trợ giống lúa" in answered["conclusion"]
    assert "0909123456" not in answered["conclusion"] and "Tám" not in answered["conclusion"]
    assert explained["issue"] == UNDER_REVIEW  # not reviewed: never the text as typed
    assert explained["status"] == "Giải thích, không cần giải quyết"
    assert explained["conclusion"].startswith("Đã giải quyết xong năm 2016")
    assert "0909" not in explained["conclusion"] and "Đèn đường hỏng" not in str(explained)
    assert concluded(rows)


def test_closed_issues_sit_beside_the_tasks_and_a_withheld_one_stays_out() -> None:
    task = _task(ASSIGNED, "Công an xã")
    conclusions: dict[str, dict] = {"s1": ASSIGNED, "s2": ANSWERED}
    rows = open_rows([task], [ITEM, OTHER], conclusions=conclusions)
    assert [(r["stt"], r["hamlet"], r["status"]) for r in rows] == [
        (1, "ấp Chợ", "Đã giao"),
        (2, "ấp Mới", "Đã trả lời, kết thúc tại hội nghị"),
    ]
    assert rows[0]["conclusion"] == "Giao Công an xã kiểm tra, xử lý"
    assert [
        r["hamlet"]
        for r in open_rows([task], [ITEM, OTHER], withheld=frozenset({"s2"}), conclusions=conclusions)
    ] == ["ấp Chợ"]


def test_before_the_notice_no_conclusion_is_published() -> None:
    rows = open_rows([], [ITEM, OTHER])
    assert {r["status"] for r in rows} == {NOT_CONCLUDED} and {r["conclusion"] for r in rows} == {""}


async def test_open311_reads_the_agency_and_the_outcome_once_the_notice_is_issued() -> None:
    """What intake's Open311 reads (`published_summaries`): nothing concluded before the notice;
    after it, who acts on each public submission and the outcome of those closed at the meeting."""
    items = [
        item(1, cluster_id="s1"),
        item(2, cluster_id="s1"),
        item(3, hamlet="ấp Mới"),
        item(4, hamlet="ấp Đình"),
        item(5, hamlet="ấp Giữa"),
    ]
    meetings = FakeMeetings()
    deps = MeetingDeps(
        FakeDirectory(), FakeItems(items), meetings, FakeSubmissions(), FakeOutbox(), lambda: NOW
    )
    record: dict = {
        "_id": f"{COMMUNE.id}:{DIALOGUE.id}",
        "revision": 3,
        "summaries": {"s1": "Kênh bồi lắng"},
        "public": {"s5": False},
        "conclusions": {"s1": RECOMMENDED, "s3": ASSIGNED, "s4": ANSWERED, "s5": NO_ACTION},
        "locked": False,
    }
    meetings.records[record["_id"]] = record
    before = await published_summaries(deps, COMMUNE.id, DIALOGUE.id)
    assert "agencies" not in before and "outcomes" not in before
    record["locked"] = True
    after = await published_summaries(deps, COMMUNE.id, DIALOGUE.id)
    assert after["agencies"] == {
        "s1": "Sở Nông nghiệp và Môi trường",
        "s2": "Sở Nông nghiệp và Môi trường",
        "s3": "Công an xã",
        "s4": "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường",  # 2017: the notice's title
    }
    assert after["withheld"] == ["s5"] and "s5" not in after["outcomes"]
    (answered,) = after["outcomes"].items()
    assert answered[0] == "s4" and answered[1]["kind"] == "answered"
    assert "được hỗ trợ giống lúa" in answered[1]["note"] and "0909123456" not in answered[1]["note"]


def test_published_outcomes_reads_items_by_their_keys_only() -> None:
    """`published_outcomes` for items carrying only what their issue key needs (as a bounded read
    of the dialogue's items gives): a conclusion naming no office adds no agency."""
    record = {"conclusions": {"s1": RECOMMENDED, "s4": ANSWERED}, "public": {}, "locked": True}
    keyed = [{"_id": "s1"}, {"_id": "s2", "cluster_id": "s1"}, {"_id": "s4"}, {"_id": "s9"}]
    found = published_outcomes(record, keyed)
    assert found["agencies"] == {"s1": "Sở Nông nghiệp và Môi trường", "s2": "Sở Nông nghiệp và Môi trường"}
    assert set(found["outcomes"]) == {"s4"}
    assert published_outcomes({**record, "locked": False}, keyed) == {}
    assert published_outcomes({**record, "public": {"s1": False}}, keyed)["agencies"] == {}


def test_open311_states_the_concluded_agency_and_closes_an_issue_settled_at_the_meeting() -> None:
    doc = {"_id": "s4", "received_at": "2017-03-04T02:00:00Z", "office_name": "Phòng Kinh tế", "topic": 3}
    outcome = {"kind": "no_action", "note": "Đã giải quyết năm 2016, gọi 0909123456"}
    request = service_request(doc, "Đèn đường", agency="Công an xã", outcome=outcome)
    assert (request["agency_responsible"], request["status"]) == ("Công an xã", "closed")
    assert request["status_notes"].startswith("Giải thích, không cần giải quyết: Đã giải quyết năm 2016")
    assert "0909123456" not in request["status_notes"]
    assert service_request(doc, notes=False, outcome=outcome)["status_notes"] is None
    routed = service_request(doc)
    assert (routed["agency_responsible"], routed["status"], routed["status_notes"]) == (
        "Phòng Kinh tế",
        "open",
        None,
    )
    followed = {**doc, "followup_status": "in_progress", "followup_note": "Đang làm", "followup_revision": 1}
    assert service_request(followed, outcome=outcome)["status"] == "open"  # the follow-up's own word wins


def test_the_tracking_headline_tells_an_outcome_given_at_the_meeting() -> None:
    """A follow-up settled when it opens (revision 0) is an issue closed at the meeting."""
    answered = {"status": "office_notified", "followup_status": "resolved", "followup_revision": 0}
    assert headline(answered) == ("followup_resolved", "Đã trả lời, kết thúc tại hội nghị đối thoại")
    explained = {**answered, "followup_status": "rejected"}
    assert "không đặt ra việc giải quyết" in headline(explained)[1]
    assert headline({**answered, "followup_revision": 2}) == ("followup_resolved", "Đã giải quyết")


def test_a_task_opened_settled_at_the_meeting_shows_the_conclusion_until_reopened() -> None:
    settled = {**_task(ANSWERED, "Phòng Kinh tế", status="resolved"), "revision": 0}
    (row,) = open_rows([settled], [ITEM], conclusions={"s1": ANSWERED})
    assert (row["status"], row["due"]) == ("Đã trả lời, kết thúc tại hội nghị", "")
    (reopened,) = open_rows(
        [{**settled, "status": "in_progress", "revision": 1}], [ITEM], conclusions={"s1": ANSWERED}
    )
    assert (reopened["status"], reopened["due"]) == ("Đang giải quyết", "19/04/2017")
