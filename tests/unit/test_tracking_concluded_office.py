"""The resident's tracking page, once the item's issue is concluded: it names the office the
Secretary assigned when routing had chosen another, and drops routing's authority note (a
conclusion decides who acts). Seen from outside: an item assigned at the meeting to Văn phòng
HĐND và UBND still read "Cơ quan chuẩn bị trả lời: Phòng Kinh tế", and one recommended to a
provincial Sở "Vấn đề thuộc thẩm quyền trung ương". Fake: the repository's history read."""

from __future__ import annotations

from datetime import UTC, datetime

from services.intake.web.pages import _tracking_view


class _Repo:
    async def history(self, doc: dict) -> list[dict]:
        return []


def _doc(**facts) -> dict:
    return {
        "_id": "s1",
        "tracking_code": "DT-ABCDEFGH",
        "status": "office_notified",
        "kind": "petition",
        "text": "Cống ấp Chợ nghẹt",
        "received_at": datetime(2017, 3, 1, tzinfo=UTC),
        "topic": 3,
        "topic_name": "Đường giao thông",
        "office_name": "Phòng Kinh tế",
        "authority_level": "central",
        **facts,
    }


async def test_the_office_assigned_at_the_meeting_is_named_and_routings_authority_dropped() -> None:
    concluded = await _tracking_view(
        _Repo(),
        _doc(followup_status="assigned", followup_revision=0, followup_office="Văn phòng HĐND và UBND"),
    )  # type: ignore[arg-type]
    assert concluded["followup_office"] == "Văn phòng HĐND và UBND" and concluded["authority"] is None
    before = await _tracking_view(_Repo(), _doc())  # type: ignore[arg-type]
    assert before["followup_office"] is None and "trung ương" in before["authority"]
    same = await _tracking_view(_Repo(), _doc(followup_status="assigned", followup_office="Phòng Kinh tế"))  # type: ignore[arg-type]
    assert same["followup_office"] is None  # the office routing chose: said once
