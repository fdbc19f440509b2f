"""Follow-up use cases: the board of a dialogue's tasks (each with its history and the number
the conclusion notice prints for it), a status change (audited, one revision at a time), the
reopening of a settled task with a reason, the tasks the conclusion notice opens, and the scan
that reminds offices before the due date and escalates overdue tasks to the Standing Committee."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from services.reporting.followup import (
    CLOSED,
    TRANSITIONS,
    past_due,
    reminder_due,
    responsible_body,
    taken_over,
    taken_over_by,
    task_number,
    tasks_for_conclusions,
    tasks_for_record,
    with_times_raised,
)
from services.reporting.handlers.errors import BadTransition, NotFound, ReasonRequired, TaskChanged
from services.reporting.handlers.open_data import NAMED_AS_STORED, EraNames
from services.reporting.handlers.ports import Directory, Doc, FollowUpDeps, Outbox, TaskStore
from services.reporting.handlers.publish import flush
from shared.clock import iso
from shared.contracts import Envelope, FollowUpChangedV1, FollowUpReminderV1, FollowUpStatus
from shared.directory import Commune, Dialogue
from shared.ids import new_id
from shared.outbox import OUTBOX_FIELDS

SYSTEM = "system"  # the author of the changes no person made
# Follow-up is the commune's business: its responses are dated in Vietnam whatever the plan's zone.
FOLLOW_UP_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Viewer:
    """Whose tasks a caller sees and changes: office staff only their own office's."""

    office_only: bool = False
    office_id: str | None = None

    def sees(self, task: Doc) -> bool:
        return not self.office_only or task.get("office_id") == self.office_id


@dataclass(frozen=True)
class ChangeFollowUp:
    """A move to `status`, or with `status` None a progress note on an open task, its status kept."""

    commune_id: str
    task_id: str
    status: str | None
    note: str | None
    by: str  # the authenticated principal


@dataclass(frozen=True)
class ReopenFollowUp:
    """A settled (resolved or rejected) task goes back to work; the reason is staff-only."""

    commune_id: str
    task_id: str
    reason: str
    by: str  # the authenticated principal


REOPENED = "reopened"  # the history entry's `action` of a reopening
PROGRESS_NOTE = "note"  # the history entry's `action` of a progress note (the status kept)


def changed_event(
    task: Doc, status: str, previous: str | None, note: str | None, by: str, revision: int
) -> Envelope:
    payload = FollowUpChangedV1(
        revision=revision,
        task_id=task["_id"],
        dialogue_id=task["dialogue_id"],
        submission_ids=tuple(task["submission_ids"]),
        office_id=task["office_id"],
        office_name=task["office_name"],
        status=FollowUpStatus(status),
        previous_status=previous,
        due=date.fromisoformat(task["due"]),
        note=note,
        changed_by=by,
        supersedes=tuple(task.get("supersedes") or ()),
        responsible_body=task.get("responsible_body") or None,
    )
    return Envelope.wrap(payload, commune_id=task["commune_id"], correlation_id=new_id())


async def era_names(directory: Directory, commune_id: str, dialogue_id: str) -> EraNames:
    """The dialogue's naming of offices (`EraNames`); names as stored when either is unknown."""
    commune = await directory.commune(commune_id)
    dialogue = await directory.dialogue(commune_id, dialogue_id) if commune else None
    return EraNames.of(commune, dialogue) if commune and dialogue else NAMED_AS_STORED


async def with_body(directory: Directory, task: Doc) -> Doc:
    """`task` with the body its events name (`followup.responsible_body`): the one stored when the
    notice opened it, else (a task opened before it was stored) read from the dialogue's naming."""
    if task.get("responsible_body"):
        return task
    names = await era_names(directory, task["commune_id"], task["dialogue_id"])
    return {**task, "responsible_body": responsible_body(task, names.office)}


class TakenOver(BadTransition):
    """The task was taken over by a later dialogue's (`followup.taken_over`): its issue is followed
    up there, and a change here would reach nobody."""

    def __init__(self, task: Doc, wanted: str) -> None:
        super().__init__(task["status"], wanted, ())
        by = task["superseded_by"]
        number = f", số {by['notice_number']}" if by.get("notice_number") else ""
        self.message_vi = (
            f"Việc này đã chuyển sang kết luận đợt năm {by.get('year')}{number}: "
            "cập nhật việc theo dõi ở kết luận đó."
        )
        self.message_en = f"The task was taken over by {by.get('task_id')}: change that one."


def task_view(task: Doc, today: date) -> Doc:
    """A task as the board shows it: its label, and whether it is past its due date
    (`followup.past_due`, as the public views say it)."""
    return {k: v for k, v in task.items() if k not in OUTBOX_FIELDS} | {
        "id": task["_id"],
        "status_label": FollowUpStatus.label_of(task["status"]),
        "overdue": past_due(task, today),
    }


@dataclass(frozen=True)
class BoardPage:
    """`limit` tasks in the board's order from `offset`, or the page (of `limit`) holding the
    task `around` when the viewer sees it."""

    offset: int
    limit: int
    around: str | None = None


def board_order(task: dict[str, Any]) -> tuple[bool, int, str, str]:
    """A page's order: the numbers the conclusion notice prints, tasks without one last, then by
    due date and id (the staff board's order, stable whatever the tasks' statuses)."""
    number = task.get("notice_number")
    rest = (str(task.get("due") or ""), str(task.get("id") or ""))
    if isinstance(number, int) and not isinstance(number, bool):
        return (False, number, *rest)
    return (True, 0, *rest)


def page_of(
    tasks: list[dict[str, Any]], offset: int, limit: int, around: str | None
) -> tuple[int, list[dict[str, Any]]]:
    """`limit` tasks in board order from `offset`, or from the start of the page (of `limit`)
    that holds the task `around` when the caller sees it; the offset used and the tasks."""
    ordered = sorted(tasks, key=board_order)
    at = next((i for i, t in enumerate(ordered) if around is not None and t.get("id") == around), None)
    start = offset if at is None else at // limit * limit
    return start, ordered[start : start + limit]


async def follow_up_board(
    deps: FollowUpDeps, commune_id: str, dialogue_id: str, viewer: Viewer, page: BoardPage | None = None
) -> Doc:
    """The tasks the viewer sees with their counts by status and overdue; with `page`, one page of
    them in the board's order (with the `total` and the `offset` used), every task otherwise. The
    history is read for the tasks sent only."""
    dialogue = await deps.directory.dialogue(commune_id, dialogue_id)
    if dialogue is None:
        raise NotFound(dialogue_id)
    today = deps.clock().astimezone(ZoneInfo(dialogue.timezone)).date()
    stored = [t for t in await deps.tasks.for_dialogue(commune_id, dialogue_id) if viewer.sees(t)]
    items = await deps.items.for_dialogue(commune_id, dialogue_id) if stored else []
    names = await era_names(deps.directory, commune_id, dialogue_id)
    views = [task_view(t, today) | named(t, names) for t in with_times_raised(stored, items, dialogue.year)]
    counts: dict[str, int] = {}
    for view in views:
        counts[view["status"]] = counts.get(view["status"], 0) + 1
    board: Doc = {
        "dialogue_id": dialogue_id,
        "counts": counts,  # by status, of every task the viewer sees (a page of them or all)
        "overdue": sum(1 for v in views if v.get("overdue")),
    }
    sent = views
    if page is not None:
        start, sent = page_of(views, page.offset, page.limit, page.around)
        board |= {"total": len(views), "offset": start}
    histories: dict[str, list[Doc]] = {}
    for entry in await deps.tasks.histories(commune_id, [v["id"] for v in sent]):
        histories.setdefault(entry["task_id"], []).append(_entry_view(entry))
    return board | {"tasks": [v | {"history": histories.get(v["id"], [])} for v in sent]}


def named(task: Doc, names: EraNames) -> Doc:
    """How the board names who acts on a task, as the issued notice does: `office_title` its office
    by the title of the dialogue's era (a 2017 task: "Công chức Địa chính - …", not today's
    "Phòng Kinh tế"), `responsible_body` the body the notice names (`followup.responsible_body`)."""
    return {
        "office_title": names.office(str(task["office_name"])),
        "responsible_body": task.get("responsible_body") or responsible_body(task, names.office),
    }


def _entry_view(entry: Doc) -> Doc:
    return {k: entry.get(k) for k in ("at", "status", "previous_status", "note", "by", "action")} | {
        "status_label": FollowUpStatus.label_of(entry["status"])
    }


async def change_follow_up(deps: FollowUpDeps, command: ChangeFollowUp, viewer: Viewer) -> Doc:
    """Moves a task to `command.status` if its current status allows it; the change, its author
    and note go to the task's history and out as `FollowUpChangedV1` (the resident is told when
    resolved). Without a status, the note is a progress note on an open task: a new revision with
    the status kept (`action` "note" in the history), told to the resident like any change; a
    blank one raises `ReasonRequired`, a settled task `BadTransition` (it is reopened first). Two
    changes of the same revision: the second raises `TaskChanged`."""
    task = await deps.tasks.get(command.commune_id, command.task_id)
    if task is None or not viewer.sees(task):
        raise NotFound(command.task_id)
    previous = task["status"]
    status = previous if command.status is None else command.status
    if taken_over(task):
        raise TakenOver(task, status)
    allowed = TRANSITIONS[previous]
    if command.status is None:
        if previous in CLOSED:
            raise BadTransition(previous, status, allowed)
        if not (command.note or "").strip():
            raise ReasonRequired()
    elif command.status not in allowed:
        raise BadTransition(previous, command.status, allowed)
    elif FollowUpStatus(command.status).needs_reason and not (command.note or "").strip():
        raise ReasonRequired()
    said = await with_body(deps.directory, task)
    event = changed_event(said, status, previous, command.note, command.by, task["revision"] + 1)
    entry = {
        "at": iso(deps.clock()),
        "status": status,
        "previous_status": previous,
        "note": command.note,
        "by": command.by,
        **({"action": PROGRESS_NOTE} if command.status is None else {}),
    }
    if not await deps.tasks.change_status(task, status, event, entry):
        raise TaskChanged(command.task_id)
    await flush(deps.outbox, deps.tasks.tasks, command.commune_id, command.task_id)
    today = deps.clock().astimezone(FOLLOW_UP_TZ).date()
    changed = await deps.tasks.get(command.commune_id, command.task_id)
    if changed is None:
        raise NotFound(command.task_id)
    return {
        **task_view(changed, today),
        "history": await deps.tasks.task_history(command.commune_id, command.task_id),
    }


async def reopen_follow_up(deps: FollowUpDeps, command: ReopenFollowUp, viewer: Viewer) -> Doc:
    """A resolved or rejected task goes back to "in progress" with a reason: who, when and why go
    to the task's history (`action` "reopened"); the change goes out as `FollowUpChangedV1` like any
    other (the resident's page shows the task at work again). The reason stays staff-only: the
    event carries no note. An open task raises `BadTransition`, a blank reason `ReasonRequired`."""
    task = await deps.tasks.get(command.commune_id, command.task_id)
    if task is None or not viewer.sees(task):
        raise NotFound(command.task_id)
    status = FollowUpStatus.IN_PROGRESS.value
    if taken_over(task):
        raise TakenOver(task, status)
    if task["status"] not in CLOSED:
        raise BadTransition(task["status"], status, TRANSITIONS[task["status"]])
    reason = command.reason.strip()
    if not reason:
        raise ReasonRequired()
    previous = task["status"]
    said = await with_body(deps.directory, task)
    event = changed_event(said, status, previous, None, command.by, task["revision"] + 1)
    entry = {
        "at": iso(deps.clock()),
        "status": status,
        "previous_status": previous,
        "note": reason,
        "by": command.by,
        "action": REOPENED,
    }
    if not await deps.tasks.change_status(task, status, event, entry):
        raise TaskChanged(command.task_id)
    await flush(deps.outbox, deps.tasks.tasks, command.commune_id, command.task_id)
    changed = await deps.tasks.get(command.commune_id, command.task_id)
    if changed is None:
        raise NotFound(command.task_id)
    return {
        **task_view(changed, deps.clock().astimezone(FOLLOW_UP_TZ).date()),
        "history": [
            _entry_view(e) for e in await deps.tasks.task_history(command.commune_id, command.task_id)
        ],
    }


async def open_follow_up(
    tasks: TaskStore,
    outbox: Outbox,
    commune: Commune,
    dialogue: Dialogue,
    items: list[Doc],
    issued_on: date,
    conclusions: Mapping[str, Mapping[str, Any]] | None = None,
    numbers: Mapping[str, int] | None = None,
) -> None:
    """One task per conclusion of the notice just issued; a reissue opens none twice. With the
    meeting record's `conclusions`, each opens from its own conclusion (`tasks_for_record`).
    `numbers` (`followup.notice_numbers`): each task keeps the number the notice prints for it as
    `notice_number`; a reissue renumbers the tasks an earlier version opened. The earlier tasks a
    task takes over (`supersedes`) are marked so (`superseded_by`), after it is stored, by every
    issue of the notice: a retry marks what a failed one left, a reissue the numbers it prints."""
    calendar = commune.working_calendar()
    names = EraNames.of(commune, dialogue)
    if conclusions is None:
        opened = tasks_for_conclusions(dialogue.id, items, issued_on, calendar, year=dialogue.year)
    else:
        offices = {o.id: o.name for o in commune.offices}
        opened = tasks_for_record(
            dialogue.id, items, conclusions, issued_on, calendar, offices, year=dialogue.year
        )
    for task in opened:
        task["notice_number"] = task_number(task, numbers or {})
        task["responsible_body"] = responsible_body(task, names.office)  # as the notice names it
        # a task settled at the meeting tells the resident its outcome, as a resolved one does
        note = task.get("result")
        event = changed_event({**task, "commune_id": commune.id}, task["status"], None, note, SYSTEM, 0)
        if await tasks.create(commune.id, task, event):
            await flush(outbox, tasks.tasks, commune.id, task["_id"])
        if task.get("supersedes"):
            by = taken_over_by(task, dialogue.year, issued_on)
            await tasks.take_over(commune.id, list(task["supersedes"]), by)


async def scan_follow_up(deps: FollowUpDeps, today: date | None = None) -> int:
    """Reminds each open task's office once per reminder kind and due date (`due_soon`, then
    `overdue`), escalates an overdue task to the Standing Committee, and sets the overdue gauge.
    A task taken over by a later dialogue's (`followup.taken_over`) is neither counted nor
    reminded: its commune's gauge is set all the same, to 0 if nothing else is overdue.
    Safe in every replica at once: a reminder is recorded under its id before it is sent.
    Returns the number of reminders sent."""
    sent = 0
    overdue: dict[str, int] = {}
    local_today = today or deps.clock().astimezone(FOLLOW_UP_TZ).date()
    for task in await deps.tasks.open_tasks():
        overdue.setdefault(task["commune_id"], 0)
        if taken_over(task):
            continue
        due = date.fromisoformat(task["due"])
        overdue[task["commune_id"]] += due < local_today
        kind = reminder_due(task["status"], due, local_today, deps.remind_days_before)
        if kind is None:
            continue
        payload = FollowUpReminderV1(
            task_id=task["_id"],
            dialogue_id=task["dialogue_id"],
            office_id=task["office_id"],
            office_name=task["office_name"],
            kind=kind,
            due=due,
            summary=task["text"][:1000],
        )
        event = Envelope.wrap(payload, commune_id=task["commune_id"], correlation_id=new_id())
        reminder_id = f"{task['_id']}:{kind}:{task['due']}"
        if not await deps.tasks.record_reminder(task["commune_id"], reminder_id, event):
            continue
        sent += 1
        await flush(deps.outbox, deps.tasks.reminders, task["commune_id"], reminder_id)
        if kind == "overdue" and task["status"] != FollowUpStatus.ESCALATED:
            await _escalate(deps, task)
    for commune_id, count in overdue.items():
        deps.metrics.overdue_tasks.labels(commune_id).set(count)
    return sent


async def _escalate(deps: FollowUpDeps, task: Doc) -> None:
    status = FollowUpStatus.ESCALATED.value
    said = await with_body(deps.directory, task)
    event = changed_event(
        said, status, task["status"], "Quá hạn: báo cáo Ban Thường vụ Đảng ủy", SYSTEM, task["revision"] + 1
    )
    entry: dict[str, Any] = {
        "at": iso(deps.clock()),
        "status": status,
        "previous_status": task["status"],
        "note": "overdue",
        "by": SYSTEM,
    }
    if await deps.tasks.change_status(task, status, event, entry):
        await flush(deps.outbox, deps.tasks.tasks, task["commune_id"], task["_id"])
