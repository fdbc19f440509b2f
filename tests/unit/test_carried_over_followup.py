"""What follows a conclusion on an issue carried over from an earlier dialogue (kéo dài): the new
task takes over the earlier one (`supersedes`).

1. The residents' tracking of the earlier submission follows the new task from its first
   revision, whatever the revisions and the order of the events (intake's `followup_wins`).
2. The earlier task keeps its status, but is marked taken over (`superseded_by`, with the new
   task's year and number): no longer overdue on its board, counted or reminded, and not changed.
3. The readiness check before issuing the notice names the carried-over issues left without a
   conclusion apart from this year's.
4. The staff draft notice prints them as the issued notice does (test_earlier_followup_material).

In-memory fakes of test_reporting_handlers and test_carried_over_at_meeting (a 2016 dialogue whose
street-light task is escalated and overdue, carried into the demo 2017 plan)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.intake.handlers.status import StatusDeps, record_follow_up
from services.intake.metrics import IntakeMetrics
from services.intake.repository import followup_wins
from services.reporting import handlers
from services.reporting.handlers import DocumentDeps, IssueDocument
from services.reporting.handlers import meeting as m
from services.reporting.handlers.followup import (
    ChangeFollowUp,
    ReopenFollowUp,
    TakenOver,
    Viewer,
    change_follow_up,
    follow_up_board,
    reopen_follow_up,
    scan_follow_up,
)
from services.reporting.handlers.ports import FollowUpDeps, MeetingDeps
from shared.contracts import Envelope, FollowUpChangedV1, FollowUpStatus
from tests.unit.test_carried_over_at_meeting import EARLIER, LATER, LIGHTS, conclude, deps  # noqa: F401
from tests.unit.test_reporting_handlers import COMMUNE, DIALOGUE, FakeDirectory, FakeItems, FakeOutbox

NEW = f"{DIALOGUE.id}:x1"
CONCLUDED = "Thay toàn bộ bóng đèn đường ấp Chợ trước mùa mưa"


def facts(task: str, revision: int, *supersedes: str) -> dict:
    return {"followup_task": task, "followup_revision": revision, "followup_superseded": list(supersedes)}


# --- 1. intake: which follow-up a submission shows -------------------------------------------


def test_a_task_taking_over_wins_from_its_first_revision_and_the_earlier_never_again() -> None:
    earlier = {**facts(LIGHTS, 2), "followup_superseded": []}
    assert followup_wins({}, facts(LIGHTS, 0))  # the first follow-up
    assert not followup_wins(earlier, facts(LIGHTS, 2))  # a redelivery
    assert not followup_wins(earlier, facts(LIGHTS, 1))  # a late event
    assert followup_wins(earlier, facts(LIGHTS, 3))  # the task's next change
    assert followup_wins(earlier, facts(NEW, 0, LIGHTS))  # revision 0 beats the earlier task's 2
    later = {**facts(NEW, 0), "followup_superseded": [LIGHTS]}  # as stored once it won
    assert not followup_wins(later, facts(LIGHTS, 5))  # the earlier task, late or changed, loses
    assert not followup_wins(later, facts(NEW, 0, LIGHTS))  # a redelivery
    assert followup_wins(later, facts(NEW, 1, LIGHTS))
    # a third year's task took over both: it wins over the second, whatever came through before
    assert followup_wins(later, facts("demo-2018:x1", 0, NEW, LIGHTS))
    assert followup_wins(earlier, facts("demo-2018:x1", 0, NEW, LIGHTS))


def test_stored_facts_naming_no_task_yield_to_a_later_revision_or_a_task_taking_over() -> None:
    legacy = {"followup_revision": 3}  # recorded before the follow-up named its task
    assert not followup_wins(legacy, facts(LIGHTS, 3)) and followup_wins(legacy, facts(LIGHTS, 4))
    assert followup_wins(legacy, facts(NEW, 0, LIGHTS))


def test_two_tasks_neither_taking_over_the_other_keep_the_later_revision() -> None:
    stored = {**facts("demo-2017:a", 2), "followup_superseded": []}
    assert not followup_wins(stored, facts("demo-2017:b", 1))
    assert followup_wins(stored, facts("demo-2017:b", 3))


class Submission:
    """One submission as intake's repository keeps its follow-up (`followup_wins`)."""

    def __init__(self) -> None:
        self.followup: dict = {}
        self.history: dict[str, dict] = {}

    async def record_followup(self, commune_id: str, submission_id: str, facts: dict) -> None:
        if followup_wins(self.followup, facts):
            merged = {*self.followup.get("followup_superseded", ()), *facts["followup_superseded"]}
            self.followup = {**facts, "followup_superseded": sorted(merged)}

    async def add_history(self, entry: dict) -> bool:
        return self.history.setdefault(entry["_id"], entry) is entry

    async def list_history_entry(self, commune_id: str, submission_id: str, entry_id: str) -> None:
        return None


def changed(task: str, revision: int, status: FollowUpStatus, *supersedes: str) -> Envelope:
    payload = FollowUpChangedV1(
        task_id=task,
        dialogue_id=task.split(":")[0],
        submission_ids=("x1",),
        office_id="cong-an-xa",
        office_name="Công an xã",
        status=status,
        due=date(2017, 6, 1),
        revision=revision,
        supersedes=supersedes,
    )
    return Envelope.wrap(payload, commune_id=COMMUNE.id, correlation_id="c")


async def test_the_tracking_page_follows_the_new_task_whatever_order_the_events_come_in() -> None:
    from prometheus_client import CollectorRegistry

    events = [
        changed(LIGHTS, 2, FollowUpStatus.ESCALATED),
        changed(NEW, 0, FollowUpStatus.ASSIGNED, LIGHTS),
        changed(LIGHTS, 3, FollowUpStatus.IN_PROGRESS),  # late, or sent after the take-over
    ]
    for order in (events, events[::-1], [events[1], events[0], events[2], events[1]]):
        store = Submission()
        status_deps = StatusDeps(store, None, IntakeMetrics(CollectorRegistry()))  # type: ignore[arg-type]
        for envelope in order:
            await record_follow_up(status_deps, envelope, FollowUpChangedV1.model_validate(envelope.payload))
        assert (store.followup["followup_task"], store.followup["followup_status"]) == (NEW, "assigned")
        assert store.followup["followup_revision"] == 0 and store.followup["followup_superseded"] == [LIGHTS]


# --- 2. reporting: the earlier task is taken over ----------------------------------------------


async def _concluded_and_issued(deps) -> tuple[MeetingDeps, DocumentDeps, FollowUpDeps]:  # noqa: F811
    meeting, docs = deps
    await m.set_conclusion(
        meeting,
        conclude("x1", kind="assigned", text=CONCLUDED, office_id="cong-an-xa", deadline_working_days=20),
    )
    await handlers.issue_document(docs, IssueDocument(COMMUNE.id, DIALOGUE.id, "thong-bao-ket-luan", "vp"))
    follow = FollowUpDeps(
        FakeDirectory(EARLIER, DIALOGUE, LATER),
        docs.items,
        docs.tasks,
        FakeOutbox(),
        docs.metrics,
        3,
        docs.clock,
    )
    return meeting, docs, follow


async def test_the_earlier_task_is_marked_taken_over_and_keeps_its_status(deps):  # noqa: F811
    _, docs, _ = await _concluded_and_issued(deps)
    new, earlier = docs.tasks.rows[NEW], docs.tasks.rows[LIGHTS]
    assert new["supersedes"] == [LIGHTS]
    assert earlier["status"] == "escalated"  # neither resolved nor rejected: nothing was settled
    assert earlier["superseded_by"] == {
        "task_id": NEW,
        "dialogue_id": DIALOGUE.id,
        "year": DIALOGUE.year,
        "notice_number": new["notice_number"],
        "on": docs.clock().date().isoformat(),
    }
    [opened] = [e for e in docs.tasks.events if e.payload["task_id"] == NEW]
    assert opened.payload["supersedes"] == [LIGHTS] and opened.payload["revision"] == 0
    # a reissue marks it again by the same task (its number kept current), and opens nothing twice
    before = len(docs.tasks.rows)
    await handlers.issue_document(docs, IssueDocument(COMMUNE.id, DIALOGUE.id, "thong-bao-ket-luan", "vp"))
    assert len(docs.tasks.rows) == before and docs.tasks.rows[LIGHTS]["superseded_by"]["task_id"] == NEW


async def test_a_taken_over_task_is_not_overdue_counted_reminded_or_changed(deps):  # noqa: F811
    _, docs, follow = await _concluded_and_issued(deps)
    late = date(2017, 12, 1)  # past the 2016 task's due date and this year's
    this_year = [t for t in docs.tasks.rows if t != LIGHTS and docs.tasks.rows[t]["status"] == "assigned"]
    assert NEW in this_year
    assert await scan_follow_up(follow, late) == len(this_year)  # this year's tasks' reminders only
    assert sorted(k.rsplit(":", 2)[0] for k in docs.tasks.sent) == sorted(this_year)
    assert follow.metrics.overdue_tasks.labels(COMMUNE.id)._value.get() == len(this_year)
    for task_id in this_year:  # once they are settled, nothing is overdue: the gauge says 0
        docs.tasks.rows[task_id]["status"] = "resolved"
    assert await scan_follow_up(follow, late + timedelta(days=1)) == 0
    assert follow.metrics.overdue_tasks.labels(COMMUNE.id)._value.get() == 0

    board = await follow_up_board(follow, COMMUNE.id, EARLIER.id, Viewer())
    [shown] = board["tasks"]
    assert shown["overdue"] is False and board["overdue"] == 0 and shown["status"] == "escalated"
    assert shown["superseded_by"]["task_id"] == NEW

    with pytest.raises(TakenOver) as refused:
        await change_follow_up(follow, ChangeFollowUp(COMMUNE.id, LIGHTS, "resolved", None, "vp"), Viewer())
    assert refused.value.message_vi.startswith(
        f"Việc này đã chuyển sang kết luận đợt năm {DIALOGUE.year}, số "
    )
    docs.tasks.rows[LIGHTS]["status"] = "resolved"
    with pytest.raises(TakenOver):
        await reopen_follow_up(follow, ReopenFollowUp(COMMUNE.id, LIGHTS, "nhầm", "vp"), Viewer())


async def test_a_third_year_takes_over_the_whole_chain_and_marks_only_the_task_it_carried(deps):  # noqa: F811
    _, docs, _ = await _concluded_and_issued(deps)
    later_meeting = MeetingDeps(
        docs.directory,
        FakeItems([]),
        deps[0].meetings,
        deps[0].submissions,
        FakeOutbox(),
        docs.clock,
        docs.tasks,
    )
    later_docs = DocumentDeps(
        docs.directory,
        FakeItems([]),
        docs.documents,
        docs.tasks,
        docs.numbers,
        docs.outbox,
        docs.renderer,
        docs.metrics,
        docs.templates,
        docs.clock,
        meetings=deps[0].meetings,
    )
    # the 2018 meeting reads the 2017 round of the issue as the 2017 task's, not the 2016 one's
    record = await m.meeting_record(later_meeting, COMMUNE.id, LATER.id)
    [lights] = [i for i in record["issues"] if i["key"] == "x1"]
    assert lights["earlier_years"] == [2016, 2017]
    assert any(line.startswith(f"Đợt năm 2017: kết luận “{CONCLUDED}") for line in lights["earlier"])
    await m.set_conclusion(
        later_meeting,
        m.SetConclusion(COMMUNE.id, LATER.id, "x1", {"kind": "answered", "text": "Đã thay xong"}, "vp"),
    )
    await handlers.issue_document(later_docs, IssueDocument(COMMUNE.id, LATER.id, "thong-bao-ket-luan", "vp"))
    third = docs.tasks.rows[f"{LATER.id}:x1"]
    assert third["supersedes"] == sorted([LIGHTS, NEW]) and third["status"] == "resolved"
    assert docs.tasks.rows[NEW]["superseded_by"]["task_id"] == third["_id"]
    assert docs.tasks.rows[LIGHTS]["superseded_by"]["task_id"] == NEW  # taken over first by 2017's


# --- 3. readiness names the carried-over issues without a conclusion ---------------------------


async def test_readiness_names_carried_over_issues_without_a_conclusion_apart(deps):  # noqa: F811
    meeting, docs = deps
    ready = await handlers.issuing_readiness(docs, COMMUNE.id, DIALOGUE.id, "thong-bao-ket-luan")
    codes = {p["code"]: p for p in ready["problems"]}
    carried = codes["carried_over_not_concluded"]
    assert carried["blocking"] is False and carried["issue_keys"] == ["x1"] and carried["count"] == 1
    assert carried["message_vi"].startswith("Còn 1 vấn đề kéo dài từ các năm trước (2016) chưa có kết luận")
    assert "“Đèn đường ấp Chợ hư”" in carried["message_vi"]
    assert "x1" not in codes["not_concluded"]["issue_keys"]  # this year's issues, worded as before

    await m.set_conclusion(
        meeting,
        conclude("x1", kind="assigned", text=CONCLUDED, office_id="cong-an-xa", deadline_working_days=20),
    )
    ready = await handlers.issuing_readiness(docs, COMMUNE.id, DIALOGUE.id, "thong-bao-ket-luan")
    assert "carried_over_not_concluded" not in {p["code"] for p in ready["problems"]}


# --- 4. the draft notice prints them as the issued notice does ---------------------------------


async def test_the_draft_notice_is_built_from_what_the_preview_prints(deps):  # noqa: F811
    _, docs = deps
    await handlers.preview_document(docs, COMMUNE.id, DIALOGUE.id, "thong-bao-ket-luan", "html")
    await handlers.draft_conclusion_notice(docs, COMMUNE.id, DIALOGUE.id)
    preview, draft = docs.renderer.calls[-2:]
    assert [c["_id"] for c in draft["carried_over"]] == [c["_id"] for c in preview["carried_over"]] == ["x1"]
    assert [i["_id"] for i in draft["items"]] == [i["_id"] for i in preview["items"]]
