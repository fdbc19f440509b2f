"""What the public views state of an issue once the conclusion notice is issued: the office the
Secretary assigned, the higher-level body a recommendation goes to, not routing's guess (pure
`open_rows`, `public_outcome` and `published_conclusions`; rows and the record are plain dicts)."""

from __future__ import annotations

from services.reporting.handlers.open_data import (
    HIGHER_LEVEL,
    NOT_CONCLUDED,
    open_rows,
    public_outcome,
    published_conclusions,
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
