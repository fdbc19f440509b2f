"""Reporting's `issuing_readiness` over the in-memory fakes of test_reporting_handlers (stores,
number register and outbox as dicts, a renderer of fixed bytes, the demo commune and its 2017
plan): what issuing would meet is listed without numbering anything, and a reissue names the
code the earlier version keeps.

The fakes are shared so that readiness and issuing see the very same world: the check must
number nothing, which only the register's own fake shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from services.reporting import handlers
from services.reporting.handlers import UnknownDocumentKind
from tests.unit import test_reporting_handlers as shared_fakes
from tests.unit.test_reporting_handlers import COMMUNE, DIALOGUE, FakeDirectory, issue

world = shared_fakes.world  # the same fixture: readiness and issuing over one world

KIND = "thong-bao-ket-luan"


async def test_readiness_lists_what_is_not_ready_and_numbers_nothing(world):
    docs, _ = world
    docs.items.rows["s3"]["needs_review"] = True
    docs.items.rows["s1"]["text"] = "cong thoat nuoc truoc cho bi nghet mua la ngap"
    body = await handlers.issuing_readiness(docs, COMMUNE.id, DIALOGUE.id, KIND)
    problems = {p["code"]: p for p in body["problems"]}
    assert problems["awaiting_review"]["count"] == 1 and problems["not_classified"]["count"] == 1
    assert problems["printed_as_typed"]["count"] >= 1 and problems["printed_as_typed"]["issue_keys"]
    assert not any(p["blocking"] for p in body["problems"])
    assert (body["ready"], body["blocked"], body["reissue"]) == (False, False, None)
    assert body["recipients"] == list(COMMUNE.recipients_on(DIALOGUE.meeting_date)) and body["signer"]["name"]
    assert docs.numbers.seq == {} and docs.documents.stored == {}


async def test_a_reissue_names_the_code_the_earlier_version_keeps(world):
    docs, _ = world
    first = await handlers.issue_document(docs, issue())
    body = await handlers.issuing_readiness(docs, COMMUNE.id, DIALOGUE.id, KIND)
    assert body["reissue"] == {"current_code": first["code"], "version": 1}
    assert len(docs.documents.stored) == 1


async def test_a_signer_without_a_name_blocks(world, monkeypatch):
    docs, _ = world
    holders = COMMUNE.office_holders.model_copy(update={"secretary": ""})
    unsigned = COMMUNE.model_copy(update={"office_holders": holders})

    async def commune(self, commune_id: str):
        return unsigned if commune_id == COMMUNE.id else None

    monkeypatch.setattr(FakeDirectory, "commune", commune)
    body = await handlers.issuing_readiness(docs, COMMUNE.id, DIALOGUE.id, KIND)
    missing = next(p for p in body["problems"] if p["code"] == "signer_missing")
    assert body["blocked"] is True and missing["field"] == "office_holders.secretary"
    # staff read where to enter the name, not the API's field (outside walkthrough: "(meeting.chair)")
    assert "office_holders" not in missing["message_vi"] and "lãnh đạo Đảng ủy" in missing["message_vi"]


async def test_an_unknown_kind_is_refused(world):
    docs, _ = world
    with pytest.raises(UnknownDocumentKind):
        await handlers.issuing_readiness(docs, COMMUNE.id, DIALOGUE.id, "no-such-kind")


async def test_the_invitation_is_not_held_up_by_the_issues_and_warns_when_late(world):
    """Seen by an outside walkthrough: the invitation's issue page warned only that "5 issues would
    be printed as typed" (it prints none) and nothing about issuing it months after the meeting."""
    docs, _ = world
    docs.items.rows["s3"]["needs_review"] = True
    docs.items.rows["s1"]["text"] = "cong thoat nuoc truoc cho bi nghet mua la ngap"
    on_time = replace(docs, clock=lambda: datetime(2017, 3, 15, 2, tzinfo=UTC))
    body = await handlers.issuing_readiness(on_time, COMMUNE.id, DIALOGUE.id, "giay-moi")
    assert (body["ready"], body["problems"]) == (True, [])
    late = await handlers.issuing_readiness(docs, COMMUNE.id, DIALOGUE.id, "giay-moi")  # 05/04/2017
    problems = {p["code"]: p for p in late["problems"]}
    assert set(problems) == {"after_meeting", "past_plan_deadline"} and not late["blocked"]
    assert "25/03/2017" in problems["after_meeting"]["message_vi"]
    assert "05/04/2017 là trễ hạn" in problems["past_plan_deadline"]["message_vi"]
    notice = await handlers.issuing_readiness(docs, COMMUNE.id, DIALOGUE.id, KIND)
    assert "past_plan_deadline" not in {p["code"] for p in notice["problems"]}  # due 10/04/2017
    after = replace(docs, clock=lambda: datetime(2017, 4, 12, 2, tzinfo=UTC))
    notice = await handlers.issuing_readiness(after, COMMUNE.id, DIALOGUE.id, KIND)
    assert "past_plan_deadline" in {p["code"] for p in notice["problems"]}


async def test_the_listing_says_when_the_notice_was_issued_and_whether_late(world):
    """Seen by an outside walkthrough: a notice issued after its deadline read "đã ban hành" with
    nothing saying it was late. Due 10/04/2017 (10 working days after the meeting)."""
    docs, _ = world
    listing = await handlers.list_documents(docs, COMMUNE.id, DIALOGUE.id)
    assert (listing["conclusion_notice"]["issued_on"], listing["conclusion_notice"]["late"]) == (None, False)
    await handlers.issue_document(docs, issue(issued_on=date(2017, 4, 12)))
    await handlers.issue_document(docs, issue(issued_on=date(2017, 4, 13)))  # a later version
    notice = (await handlers.list_documents(docs, COMMUNE.id, DIALOGUE.id))["conclusion_notice"]
    assert (notice["state"], notice["issued_on"], notice["late"]) == ("done", "2017-04-12", True)
