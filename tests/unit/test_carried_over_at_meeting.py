"""An issue an earlier dialogue left unresolved (kéo dài) that nobody raised again this year is
listed on the meeting page with this year's issues, so the Secretary can conclude on it; the
conclusion is what the notice and the minutes print for it, and follow-up opens a task from it
that takes over (`supersedes`) the earlier dialogue's task, which is carried no further. Without
a conclusion it stays as before: printed with the default sentence, no new task.

In-memory fakes of test_reporting_handlers and test_meeting_record (the demo 2017 plan, with a
2016 dialogue whose street-light task is overdue and escalated)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from prometheus_client import CollectorRegistry

from services.reporting import handlers
from services.reporting.documents.build import build_data
from services.reporting.handlers import DocumentDeps, IssueDocument
from services.reporting.handlers import meeting as m
from services.reporting.handlers.carried import carried_over
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

EARLIER = DIALOGUE.model_copy(update={"id": "demo-2016", "year": 2016})
LATER = DIALOGUE.model_copy(update={"id": "demo-2018", "year": 2018})
ITEMS = [item(1), item(2, topic=1, topic_name="Kinh tế")]
LIGHTS = "demo-2016:x1"


def earlier_task() -> dict:
    return {
        **item(9),
        "_id": LIGHTS,
        "dialogue_id": EARLIER.id,
        "cluster_id": "x1",
        "submission_ids": ["x1"],
        "text": "Giao Phòng Kinh tế sửa đèn đường, gọi 0901234567 khi xong",
        "issue_text": "Đèn đường ấp Chợ hư",
        "conclusion_kind": "assigned",
        "status": "escalated",
        "due": "2016-06-10",
        "times_raised": 1,
        "commune_id": COMMUNE.id,
        "revision": 2,
    }


@pytest.fixture
def deps() -> tuple[MeetingDeps, DocumentDeps]:
    directory = FakeDirectory(EARLIER, DIALOGUE, LATER)
    items, tasks, meetings, outbox = FakeItems(ITEMS), FakeTasks(), FakeMeetings(), FakeOutbox()
    tasks.rows[LIGHTS] = earlier_task()
    meeting = MeetingDeps(directory, items, meetings, FakeSubmissions(), outbox, lambda: NOW, tasks=tasks)
    docs = DocumentDeps(
        directory,
        items,
        FakeDocuments(),
        tasks,
        FakeNumbers(),
        outbox,
        FakeRenderer(),
        ReportingMetrics(CollectorRegistry()),
        environment(),
        lambda: NOW,
        meetings=meetings,
    )
    return meeting, docs


def conclude(key: str, **body: object) -> m.SetConclusion:
    return m.SetConclusion(COMMUNE.id, DIALOGUE.id, key, dict(body), "Văn phòng Đảng ủy")


async def test_the_meeting_lists_a_carried_over_issue_first_in_its_topic_with_how_it_ended(deps):
    meeting, _ = deps
    record = await m.meeting_record(meeting, COMMUNE.id, DIALOGUE.id)
    rows = {i["key"]: i for i in record["issues"]}
    assert set(rows) == {"x1", "s1", "s2"}
    lights = rows["x1"]
    assert lights["carried_over"] is True and rows["s1"]["carried_over"] is False
    assert lights["topic"] == 3 and lights["number"] < rows["s1"]["number"]  # first within its topic
    assert lights["summary"] == "Đèn đường ấp Chợ hư"  # what residents raised, not the conclusion
    assert lights["repeat_mark"] == "Đã nêu, kéo dài từ năm 2016" and lights["earlier_years"] == [2016]
    [line] = lights["earlier"]
    assert line.startswith("Đợt năm 2016: kết luận “Giao Phòng Kinh tế sửa đèn đường")
    assert "quá hạn (hạn 10/06/2016), chưa giải quyết xong" in line
    assert "0901234567" not in line  # masked as the page masks every printed line


async def test_a_conclusion_on_it_is_printed_recorded_in_the_minutes_and_followed_up(deps):
    meeting, docs = deps
    with pytest.raises(m.UnknownIssue):  # a key that is neither this year's nor carried over
        await m.set_conclusion(meeting, conclude("nope", kind="answered", text="Đã trả lời"))
    saved = await m.set_conclusion(
        meeting,
        conclude(
            "x1",
            kind="assigned",
            text="Thay toàn bộ bóng đèn đường ấp Chợ trước mùa mưa",
            office_id="cong-an-xa",
            deadline_working_days=20,
        ),
    )
    assert saved["issue_key"] == "x1" and saved["office_name"] == "Công an xã"

    items, carried = await handlers.documents.material(docs, COMMUNE, DIALOGUE)
    record = await meeting.meetings.get(COMMUNE.id, DIALOGUE.id)
    printed = [*carried, *items]
    notice = build_data(
        "thong-bao-ket-luan", COMMUNE, DIALOGUE, printed, number=None, issued_on=NOW.date(), meeting=record
    ).notice
    assert notice is not None
    lights = next(i for g in notice.groups for i in g.issues if i.key == "x1")
    assert lights.conclusion_kind == "assigned" and lights.office == "Công an xã"
    assert "Thay toàn bộ bóng đèn đường ấp Chợ" in lights.conclusion
    assert lights.deadline_working_days == 20 and lights.repeat_mark == "Đã nêu, kéo dài từ năm 2016"
    minutes = build_data(
        "bien-ban", COMMUNE, DIALOGUE, printed, number=None, issued_on=NOW.date(), meeting=record
    ).minutes
    assert minutes is not None
    assert any("giao Công an xã chủ trì: Thay toàn bộ bóng đèn" in c for c in minutes.conclusion)

    await handlers.issue_document(docs, IssueDocument(COMMUNE.id, DIALOGUE.id, "thong-bao-ket-luan", "vp"))
    task = docs.tasks.rows[f"{DIALOGUE.id}:x1"]
    assert task["text"] == "Thay toàn bộ bóng đèn đường ấp Chợ trước mùa mưa"
    assert (task["office_name"], task["status"], task["conclusion_kind"]) == (
        "Công an xã",
        "assigned",
        "assigned",
    )
    assert task["issue_text"] == "Đèn đường ấp Chợ hư" and task["submission_ids"] == ["x1"]
    assert task["supersedes"] == [LIGHTS] and task["years_raised"] == [2016]
    assert task["notice_number"] == lights.number  # the number the notice prints
    assert docs.tasks.rows[LIGHTS]["status"] == "escalated"  # the 2016 task is kept as it ended

    later = await carried_over(docs.tasks, docs.directory, COMMUNE.id, LATER)
    [lights_later] = [c for c in later.items if c["cluster_id"] == "x1"]  # not the 2016 task too
    assert lights_later["carried_from"] == f"{DIALOGUE.id}:x1" and lights_later["years_raised"] == [
        2016,
        2017,
    ]


async def test_without_a_conclusion_it_prints_as_before_and_opens_no_new_task(deps):
    meeting, docs = deps
    await m.set_conclusion(meeting, conclude("s1", kind="answered", text="Đã trả lời tại hội nghị"))
    await handlers.issue_document(docs, IssueDocument(COMMUNE.id, DIALOGUE.id, "thong-bao-ket-luan", "vp"))
    assert f"{DIALOGUE.id}:x1" not in docs.tasks.rows
    assert sorted(docs.tasks.rows) == sorted([LIGHTS, f"{DIALOGUE.id}:s1", f"{DIALOGUE.id}:s2"])
    later = await carried_over(docs.tasks, docs.directory, COMMUNE.id, LATER)
    assert [c["carried_from"] for c in later.items if c["cluster_id"] == "x1"] == [LIGHTS]  # as before


async def test_without_the_task_store_the_meeting_lists_this_dialogue_only(deps):
    meeting, _ = deps
    record = await m.meeting_record(replace(meeting, tasks=None), COMMUNE.id, DIALOGUE.id)
    assert {i["key"] for i in record["issues"]} == {"s1", "s2"}
