"""A progress note on a task already at work (in-memory fakes of tests/unit/test_reporting_handlers.py):
without a status, a note keeps the task's status, is a new revision with the note in its history
(`action` "note") and goes out as `FollowUpChangedV1` like any change, so the resident's history
gets it. Seen from outside: an office could not add a second note to a task "Đang giải quyết"
(only resolved/escalated/awaiting/rejected were offered) and marked it resolved by writing one."""

from __future__ import annotations

import pytest

from services.reporting import handlers
from services.reporting.handlers import BadTransition, ChangeFollowUp, ReasonRequired, Viewer
from tests.unit.test_follow_up_reopen import _opened, world  # noqa: F401  (the fixture)
from tests.unit.test_reporting_handlers import COMMUNE, DIALOGUE, change

TASK = "demo-2017:s1"


def note(text: str) -> ChangeFollowUp:
    return ChangeFollowUp(COMMUNE.id, TASK, None, text, "Phòng Kinh tế")


async def test_a_progress_note_keeps_the_status_as_a_new_revision_told_like_any_change(world):  # noqa: F811
    follow = await _opened(world)
    await handlers.change_follow_up(follow, change(TASK, "in_progress", "Đã khảo sát tuyến cống"), Viewer())
    with pytest.raises(ReasonRequired):  # a note without words says nothing
        await handlers.change_follow_up(follow, note("   "), Viewer())

    noted = await handlers.change_follow_up(follow, note("Đã thuê máy nạo vét, xong 60%"), Viewer())
    assert noted["status"] == "in_progress" and noted["revision"] == 2
    last = noted["history"][-1]
    assert (last["status"], last["previous_status"], last["note"], last["action"]) == (
        "in_progress",
        "in_progress",
        "Đã thuê máy nạo vét, xong 60%",
        "note",
    )
    event = follow.tasks.events[-1]
    assert (event.payload["status"], event.payload["previous_status"], event.payload["revision"]) == (
        "in_progress",
        "in_progress",
        2,
    )
    assert event.payload["note"] == "Đã thuê máy nạo vét, xong 60%"  # the resident reads it

    # a second note, then the task is settled the usual way; a settled task takes no note
    again = await handlers.change_follow_up(follow, note("Xong 90%"), Viewer())
    assert (again["status"], again["revision"]) == ("in_progress", 3)
    board = await handlers.follow_up_board(follow, COMMUNE.id, DIALOGUE.id, Viewer())
    (row,) = [t for t in board["tasks"] if t["id"] == TASK]
    assert [(h["status"], h.get("action")) for h in row["history"]] == [
        ("in_progress", None),
        ("in_progress", "note"),
        ("in_progress", "note"),
    ]
    await handlers.change_follow_up(follow, change(TASK, "resolved", "Đã nạo vét xong"), Viewer())
    with pytest.raises(BadTransition):
        await handlers.change_follow_up(follow, note("Thêm ghi chú"), Viewer())


async def test_a_named_status_equal_to_the_current_one_is_still_refused(world):  # noqa: F811
    """Only the absence of a status keeps it: a move to where the task stands stays a bad move."""
    follow = await _opened(world)
    with pytest.raises(BadTransition):
        await handlers.change_follow_up(follow, change(TASK, "assigned", "Ghi chú"), Viewer())
