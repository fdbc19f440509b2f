"""The Party office's public flag on an issue (issue 16): set with the reviewed summary and audited
with it (`handlers.meeting.set_issue_summary`), honoured by open data (`handlers.open_data`: the
issue is left out, row and all, before and after the notice) and by what Open311 reads
(`published_summaries`), while the issued notice still prints the summary. In-memory fakes of
tests/unit/test_meeting_record.py and test_reporting_handlers.py (the demo commune, 2017 plan)."""

from __future__ import annotations

from datetime import date

import pytest
from prometheus_client import CollectorRegistry

from services.reporting import handlers
from services.reporting.documents.build import build_data
from services.reporting.handlers import DocumentDeps, FollowUpDeps, IssueDocument
from services.reporting.handlers import meeting as m
from services.reporting.handlers.open_data import UNDER_REVIEW, EraNames, published_summaries
from services.reporting.handlers.ports import MeetingDeps
from services.reporting.metrics import ReportingMetrics
from services.reporting.radio import environment
from tests.unit.test_meeting_record import FakeMeetings, FakeSubmissions
from tests.unit.test_reporting_handlers import (
    COMMUNE,
    DIALOGUE,
    NOW,
    FakeDirectory,
    FakeDocuments,
    FakeItems,
    FakeNumbers,
    FakeOutbox,
    FakeRenderer,
    FakeTasks,
    item,
)

ITEMS = [
    item(1, text="Tranh chấp ranh đất giữa hai hộ ở ấp Chợ, gọi 0909123456"),
    item(2, text="Cống trước chợ bị nghẹt", topic=4, topic_name="Môi trường"),
]
PRIVATE = "Tranh chấp ranh đất giữa hai hộ gia đình"
PUBLIC = "Cống thoát nước trước chợ bị nghẹt, ĐT 0909123456"
VP = "Văn phòng Đảng ủy"


@pytest.fixture
def world():
    meetings, items, tasks = FakeMeetings(), FakeItems(ITEMS), FakeTasks()
    deps = MeetingDeps(FakeDirectory(), items, meetings, FakeSubmissions(), FakeOutbox(), lambda: NOW)
    metrics = ReportingMetrics(CollectorRegistry())
    follow = FollowUpDeps(FakeDirectory(), items, tasks, FakeOutbox(), metrics, 3, lambda: NOW, meetings)
    docs = DocumentDeps(
        FakeDirectory(),
        items,
        FakeDocuments(),
        tasks,
        FakeNumbers(),
        FakeOutbox(),
        FakeRenderer(),
        metrics,
        environment(),
        lambda: NOW,
        meetings=meetings,
    )
    return deps, follow, docs


async def _review(deps: MeetingDeps) -> None:
    await m.set_issue_summary(deps, COMMUNE.id, DIALOGUE.id, "s1", PRIVATE, VP, public=False)
    await m.set_issue_summary(deps, COMMUNE.id, DIALOGUE.id, "s2", PUBLIC.split(", ĐT")[0], VP)
    # a summary with a phone, as stored before reviewed summaries were checked (`check_summary`
    # refuses one now): every public view and document still prints it masked
    deps.meetings.records["demo:demo-2017"]["summaries"]["s2"] = PUBLIC


async def test_the_flag_is_stored_with_the_summary_audited_and_shown_per_issue(world):
    deps, _, _ = world
    fresh = await m.meeting_record(deps, COMMUNE.id, DIALOGUE.id)
    assert {i["key"]: (i["public"], i["printed_as_typed"]) for i in fresh["issues"]} == {
        "s1": (True, True),
        "s2": (True, True),
    }
    await _review(deps)
    view = await m.meeting_record(deps, COMMUNE.id, DIALOGUE.id)
    issues = {i["key"]: i for i in view["issues"]}
    assert (issues["s1"]["summary"], issues["s1"]["public"], issues["s1"]["printed_as_typed"]) == (
        PRIVATE,
        False,
        False,
    )
    assert issues["s2"]["public"] is True
    first = deps.meetings.edits[0]
    assert first["action"] == "meeting.issue.summary" and first["target"]["issue_key"] == "s1"
    assert first["before"] == {"summary": None, "public": True}
    assert first["after"] == {"summary": PRIVATE, "public": False}
    await m.set_issue_summary(deps, COMMUNE.id, DIALOGUE.id, "s1", PRIVATE, VP, public=True)
    assert deps.meetings.edits[-1]["before"] == {"summary": PRIVATE, "public": False}
    assert deps.meetings.records["demo:demo-2017"]["public"] == {}  # public is the default
    with pytest.raises(m.UnknownIssue):
        await m.set_issue_summary(deps, COMMUNE.id, DIALOGUE.id, "s9", PRIVATE, VP, public=False)


async def test_a_record_saved_before_the_flag_existed_reads_as_public(world):
    deps, follow, _ = world
    deps.meetings.records["demo:demo-2017"] = {
        "_id": "demo:demo-2017",
        "commune_id": COMMUNE.id,
        "dialogue_id": DIALOGUE.id,
        "revision": 1,
        "summaries": {"s1": PRIVATE},  # no `public` at all
    }
    view = await m.meeting_record(deps, COMMUNE.id, DIALOGUE.id)
    assert all(i["public"] for i in view["issues"])
    rows = (await handlers.open_data(follow, COMMUNE.id, DIALOGUE.id)).rows
    assert PRIVATE in [r["issue"] for r in rows]
    await m.set_issue_summary(deps, COMMUNE.id, DIALOGUE.id, "s1", PRIVATE, VP, public=False)
    assert deps.meetings.records["demo:demo-2017"]["public"] == {"s1": False}


async def test_open_data_leaves_a_non_public_issue_out_before_and_after_the_notice(world):
    deps, follow, docs = world
    before_review = (await handlers.open_data(follow, COMMUNE.id, DIALOGUE.id)).rows
    assert [r["issue"] for r in before_review] == [UNDER_REVIEW, UNDER_REVIEW]
    await _review(deps)
    compiling = (await handlers.open_data(follow, COMMUNE.id, DIALOGUE.id)).rows
    assert [(r["stt"], r["topic"], r["issue"]) for r in compiling] == [
        (1, "Môi trường", "Cống thoát nước trước chợ bị nghẹt, ĐT [số điện thoại]")
    ]
    assert "Tranh chấp" not in str(compiling)

    await handlers.issue_document(docs, IssueDocument(COMMUNE.id, DIALOGUE.id, "thong-bao-ket-luan", VP))
    assert len(await docs.tasks.for_dialogue(COMMUNE.id, DIALOGUE.id)) == 2  # both are followed up
    concluded = (await handlers.open_data(follow, COMMUNE.id, DIALOGUE.id)).rows
    # the number the notice prints for it: the withheld issue (1.) leaves a gap
    numbers = {
        t["cluster_id"]: t["notice_number"] for t in await docs.tasks.for_dialogue(COMMUNE.id, DIALOGUE.id)
    }
    assert numbers == {"s1": 1, "s2": 2}
    assert [(r["stt"], r["issue"], r["status"]) for r in concluded] == [
        (2, "Cống thoát nước trước chợ bị nghẹt, ĐT [số điện thoại]", "Đã giao")
    ]


async def test_the_issued_notice_still_prints_the_non_public_summary(world):
    deps, _, _ = world
    await _review(deps)
    record = deps.meetings.records["demo:demo-2017"]
    issued_on = date(2017, 4, 5)
    data = build_data(
        "thong-bao-ket-luan", COMMUNE, DIALOGUE, ITEMS, number=None, issued_on=issued_on, meeting=record
    )
    notice = data.notice
    assert notice is not None
    assert PRIVATE in [c.text for c in notice.conclusions]


async def test_open311_reads_withheld_submissions_and_masked_public_summaries(world):
    deps, follow, _ = world
    assert await published_summaries(deps, COMMUNE.id, DIALOGUE.id) == {
        "dialogue_id": DIALOGUE.id,
        "summaries": {},
        "withheld": [],
        "offices": EraNames.of(COMMUNE, DIALOGUE).by_name(),  # 2017: the titles of that time
    }
    await _review(deps)
    for reader in (deps, follow):
        published = await published_summaries(reader, COMMUNE.id, DIALOGUE.id)
        assert published["withheld"] == ["s1"]
        assert published["summaries"] == {"s2": "Cống thoát nước trước chợ bị nghẹt, ĐT [số điện thoại]"}
    with pytest.raises(handlers.NotFound):
        await published_summaries(deps, COMMUNE.id, "demo-1999")


async def test_once_the_notice_is_issued_only_the_flag_changes(world):
    deps, follow, _ = world
    await _review(deps)
    await deps.meetings.lock(COMMUNE.id, DIALOGUE.id)
    with pytest.raises(m.RecordLocked):
        await m.set_issue_summary(deps, COMMUNE.id, DIALOGUE.id, "s2", "Một nội dung khác", VP, public=False)
    await m.set_issue_summary(deps, COMMUNE.id, DIALOGUE.id, "s2", PUBLIC, VP, public=False)
    record = deps.meetings.records["demo:demo-2017"]
    assert record["locked"] is True and record["summaries"]["s2"] == PUBLIC
    assert (await handlers.open_data(follow, COMMUNE.id, DIALOGUE.id)).rows == []
    await m.set_issue_summary(deps, COMMUNE.id, DIALOGUE.id, "s1", PRIVATE, VP, public=True)
    rows = (await handlers.open_data(follow, COMMUNE.id, DIALOGUE.id)).rows
    assert [r["issue"] for r in rows] == [PRIVATE]
