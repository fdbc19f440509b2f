"""Follow-up over the in-memory fakes (tests/unit/test_reporting_handlers.py): a settled task is
reopened only with a reason, audited in its history and published like any change; each task
keeps the number the conclusion notice prints for its issue (read from the rendered notice
here, not from the code that numbers it); the board carries every task's history."""

from __future__ import annotations

import re
from datetime import date

import pytest
from prometheus_client import CollectorRegistry

from services.reporting import handlers
from services.reporting.handlers import (
    BadTransition,
    DocumentDeps,
    FollowUpDeps,
    ReasonRequired,
    ReopenFollowUp,
    Viewer,
)
from services.reporting.metrics import ReportingMetrics
from services.reporting.radio import environment
from services.reporting.rendering import DocumentRenderer
from tests.unit import test_reporting_handlers as fakes
from tests.unit.test_reporting_handlers import COMMUNE, DIALOGUE, ITEMS, NOW, change, issue

ISSUED_ON = date(2017, 4, 5)


@pytest.fixture
def world():
    metrics = ReportingMetrics(CollectorRegistry())
    items, tasks, outbox = fakes.FakeItems(ITEMS), fakes.FakeTasks(), fakes.FakeOutbox()
    documents = fakes.FakeDocuments()
    directory = fakes.FakeDirectory()
    docs = DocumentDeps(
        directory,
        items,
        documents,
        tasks,
        fakes.FakeNumbers(),
        outbox,
        fakes.FakeRenderer(),
        metrics,
        environment(),
        lambda: NOW,
    )
    return docs, FollowUpDeps(directory, items, tasks, outbox, metrics, 3, lambda: NOW)


async def _opened(world):
    docs, follow = world
    await handlers.issue_document(docs, issue(issued_on=ISSUED_ON))
    return follow


def reopen(task_id: str, reason: str) -> ReopenFollowUp:
    return ReopenFollowUp(COMMUNE.id, task_id, reason, "vpdu")


async def test_a_resolved_task_reopens_with_a_reason_kept_in_its_history(world):
    follow = await _opened(world)
    task_id = "demo-2017:s1"
    with pytest.raises(BadTransition):  # an open task is not reopened
        await handlers.reopen_follow_up(follow, reopen(task_id, "Dân phản ánh vẫn ngập"), Viewer())
    await handlers.change_follow_up(follow, change(task_id, "resolved", "Đã nạo vét cống"), Viewer())
    with pytest.raises(ReasonRequired):
        await handlers.reopen_follow_up(follow, reopen(task_id, "   "), Viewer())

    reopened = await handlers.reopen_follow_up(follow, reopen(task_id, "Dân phản ánh vẫn ngập"), Viewer())
    assert reopened["status"] == "in_progress"
    last = reopened["history"][-1]
    assert (last["action"], last["previous_status"], last["note"], last["by"]) == (
        "reopened",
        "resolved",
        "Dân phản ánh vẫn ngập",
        "vpdu",
    )
    event = follow.tasks.events[-1]
    assert (event.payload["status"], event.payload["previous_status"], event.payload["revision"]) == (
        "in_progress",
        "resolved",
        2,
    )
    assert event.payload["note"] is None  # the reason is staff-only: the resident's page never gets it
    assert event.payload["changed_by"] == "vpdu"

    board = await handlers.follow_up_board(follow, COMMUNE.id, DIALOGUE.id, Viewer())
    (row,) = [t for t in board["tasks"] if t["id"] == task_id]
    assert [(h["status"], h.get("action")) for h in row["history"]] == [
        ("resolved", None),
        ("in_progress", "reopened"),
    ]
    # Back at work, it is settled again the usual way.
    again = await handlers.change_follow_up(follow, change(task_id, "resolved", "Đã nạo vét lần 2"), Viewer())
    assert again["status"] == "resolved"


async def test_a_rejection_needs_a_reason_that_is_not_blank(world):
    follow = await _opened(world)
    with pytest.raises(ReasonRequired):
        await handlers.change_follow_up(follow, change("demo-2017:s1", "rejected", "  "), Viewer())


async def test_tasks_carry_the_numbers_the_issued_notice_prints(world):
    follow = await _opened(world)
    html = (
        DocumentRenderer(None)
        .render_one(
            "thong-bao-ket-luan",
            "html",
            commune=COMMUNE,
            dialogue=DIALOGUE,
            items=[dict(i) for i in ITEMS],
            carried_over=[],
            number=1,
            issued_on=ISSUED_ON,
        )
        .decode()
    )
    printed = {
        text: int(number) for number, text in re.findall(r'data-number="(\d+)">\d+\.[^“]*“([^”]*)”', html)
    }
    assert len(printed) == 2, html
    board = await handlers.follow_up_board(follow, COMMUNE.id, DIALOGUE.id, Viewer())
    numbered = {t["text"]: t["notice_number"] for t in board["tasks"]}
    assert numbered == printed
    # Within commune authority first, then the recommendation to the province.
    assert sorted(numbered.values()) == [1, 2] and numbered["Ý kiến 3"] == 2
