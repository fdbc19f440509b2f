"""Follow-up of the conclusion notice (pure): one task per conclusion, the moves between its
statuses (`shared.contracts.FollowUpStatus`), its working-day due date, and the reminders it
calls for."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from typing import Any, Literal

from services.reporting.documents.build import build_data
from services.reporting.documents.common import issue_key
from services.reporting.meeting import conclusion_due
from services.reporting.notice import RESOLUTION_WORKING_DAYS
from services.reporting.raised import CARRIED_OVER, times_raised
from shared.calendar import WorkingCalendar
from shared.contracts import AuthorityLevel, ConclusionKind, DocumentKind, FollowUpStatus
from shared.directory import Commune, Dialogue

S = FollowUpStatus
OPEN: tuple[FollowUpStatus, ...] = tuple(s for s in FollowUpStatus if not s.closed)
CLOSED: tuple[FollowUpStatus, ...] = tuple(s for s in FollowUpStatus if s.closed)
# Open tasks an office is reminded of: a task waiting for the higher level is not the office's to settle.
REMINDED: tuple[FollowUpStatus, ...] = tuple(s for s in OPEN if s is not S.AWAITING_HIGHER_LEVEL)
TRANSITIONS: Mapping[str, tuple[FollowUpStatus, ...]] = {
    S.ASSIGNED: (S.IN_PROGRESS, S.RESOLVED, S.ESCALATED, S.AWAITING_HIGHER_LEVEL, S.REJECTED),
    S.IN_PROGRESS: (S.RESOLVED, S.ESCALATED, S.AWAITING_HIGHER_LEVEL, S.REJECTED),
    S.ESCALATED: (S.IN_PROGRESS, S.RESOLVED, S.AWAITING_HIGHER_LEVEL, S.REJECTED),
    S.AWAITING_HIGHER_LEVEL: (S.IN_PROGRESS, S.RESOLVED, S.REJECTED),
    S.RESOLVED: (),
    S.REJECTED: (),
}
Reminder = Literal["due_soon", "overdue"]


def raised_by_issue(items: list[dict[str, Any]], year: int) -> dict[str, int]:
    """Issue key -> how many times the issue was raised (`raised.times_raised`), the items merged
    into issues as the conclusion notice merges them (`documents.common.group_issues`)."""
    issues: dict[str, list[dict[str, Any]]] = {}
    for index, item in enumerate(items):
        if item.get("topic") is not None:
            issues.setdefault(issue_key(item, index), []).append(item)
    return {key: times_raised(members, year) for key, members in issues.items()}


def with_times_raised(
    tasks: list[dict[str, Any]], items: list[dict[str, Any]], year: int
) -> list[dict[str, Any]]:
    """`tasks` with `times_raised` read from the dialogue's `items` now, so a task opened before
    the count was defined once shows what the notice prints; a task none of whose submissions is
    among `items` keeps the count it was opened with."""
    raised = raised_by_issue(items, year)
    key_of = {str(item["_id"]): issue_key(item, index) for index, item in enumerate(items) if "_id" in item}
    out = []
    for task in tasks:
        counts = [raised[k] for sid in task.get("submission_ids") or () if (k := key_of.get(sid)) in raised]
        out.append({**task, "times_raised": max(counts)} if counts else task)
    return out


def tasks_for_conclusions(
    dialogue_id: str, items: list[dict[str, Any]], issued_on: date, calendar: WorkingCalendar, *, year: int
) -> list[dict[str, Any]]:
    """One task per issue: a merged cluster is one conclusion answered for all its items.
    Items above commune authority wait for the higher level from the start. `year`: the
    dialogue's, for the count of times raised (`raised_by_issue`)."""
    due = calendar.nth_working_day_after(issued_on, RESOLUTION_WORKING_DAYS)
    raised = raised_by_issue(items, year)
    keys = {item["_id"]: issue_key(item, index) for index, item in enumerate(items)}
    clusters: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        if item.get("topic") is None:
            continue
        clusters.setdefault(item.get("cluster_id") or item["_id"], []).append(item)
    tasks = []
    for cluster_id, members in clusters.items():
        # this dialogue's first petition leads, as in the notice (`common.group_issues`)
        lead = min(
            members, key=lambda i: (i.get("source") == CARRIED_OVER, i.get("received_at") or "", i["_id"])
        )
        level = lead.get("authority_level", AuthorityLevel.COMMUNE.value)
        above = level != AuthorityLevel.COMMUNE
        tasks.append(
            {
                "_id": f"{dialogue_id}:{cluster_id}",
                "dialogue_id": dialogue_id,
                "cluster_id": cluster_id,
                "submission_ids": sorted(i["_id"] for i in members),
                "text": lead["text"],
                "hamlet": lead.get("hamlet"),
                "topic": lead["topic"],
                "topic_name": lead.get("topic_name"),
                "office_id": lead["office_id"],
                "office_name": lead["office_name"],
                "authority_level": level,
                "authority_body": lead.get("authority_body"),
                "times_raised": max(raised[keys[i["_id"]]] for i in members),
                "status": (S.AWAITING_HIGHER_LEVEL if above else S.ASSIGNED).value,
                "due": due.isoformat(),
            }
        )
    return tasks


PARTY_OFFICE_NAME = "Văn phòng Đảng ủy"  # drafts the recommendation to the higher level (seed IV.3)


def tasks_for_record(
    dialogue_id: str,
    items: list[dict[str, Any]],
    conclusions: Mapping[str, Mapping[str, Any]],
    issued_on: date,
    calendar: WorkingCalendar,
    offices: Mapping[str, str],
    *,
    year: int,
) -> list[dict[str, Any]]:
    """One task per conclusion that needs action, with its own text, office and due date; an issue
    answered at the meeting or explained with no action opens one settled already
    (`settled_at_meeting`), so its outcome reaches the resident as a follow-up's does; an issue
    without a conclusion opens today's default task (`tasks_for_conclusions`). `offices`: office
    id -> name."""
    keys = {item["_id"]: issue_key(item, n) for n, item in enumerate(items)}
    defaults = {
        t["_id"]: t for t in tasks_for_conclusions(dialogue_id, items, issued_on, calendar, year=year)
    }
    raised = raised_by_issue(items, year)
    party_office = next((oid for oid, name in offices.items() if name == PARTY_OFFICE_NAME), None)
    tasks: dict[str, dict[str, Any]] = {}
    for task in defaults.values():
        key = keys.get(task["submission_ids"][0], task["cluster_id"])
        members = [sid for sid, k in keys.items() if k == key]
        conclusion = conclusions.get(key)
        task_id = f"{dialogue_id}:{key}"
        if task_id in tasks:
            tasks[task_id]["submission_ids"] = sorted(
                {*tasks[task_id]["submission_ids"], *task["submission_ids"]}
            )
            continue
        if conclusion is None:
            tasks[task_id] = {**task, "_id": task_id, "cluster_id": key, "times_raised": raised.get(key, 1)}
            continue
        kind = ConclusionKind(conclusion["kind"])
        if not kind.needs_action:
            tasks[task_id] = settled_at_meeting(task, task_id, key, members, conclusion, offices, issued_on)
            tasks[task_id]["times_raised"] = raised.get(key, task["times_raised"])
            continue
        recommended = kind is ConclusionKind.RECOMMENDED
        office_id = (
            conclusion.get("office_id") or (party_office if recommended else None) or task["office_id"]
        )
        tasks[task_id] = {
            **task,
            "_id": task_id,
            "cluster_id": key,
            "submission_ids": sorted(set(members) | set(task["submission_ids"])),
            "times_raised": raised.get(key, task["times_raised"]),
            "text": conclusion["text"] or task["text"],
            "issue_text": task["text"],
            "office_id": office_id,
            "office_name": offices.get(office_id, task["office_name"]),
            "coordinating_office_ids": list(conclusion.get("coordinating_office_ids") or ()),
            "conclusion_kind": kind.value,
            "status": (S.AWAITING_HIGHER_LEVEL if recommended else S.ASSIGNED).value,
            "authority_body": conclusion.get("higher_body") if recommended else task.get("authority_body"),
            "due": conclusion_due(conclusion, issued_on, calendar).isoformat(),
        }
    return [taking_over(task, items, keys) for task in tasks.values()]


def responsible_body(task: Mapping[str, Any], office_title: Callable[[str], str]) -> str:
    """Who the issued notice says acts on a task's conclusion: the higher-level body a
    recommendation goes to (the task itself is the Văn phòng Đảng ủy's, drafting the letter), else
    the task's office by the title of the dialogue's era (`office_title`: reporting's
    `handlers.open_data.EraNames.office`), as the public page and open data name it
    (`public_outcome`)."""
    if task.get("conclusion_kind") == ConclusionKind.RECOMMENDED and task.get("authority_body"):
        return str(task["authority_body"])
    return office_title(str(task["office_name"]))


def followed_items(
    items: list[dict[str, Any]],
    carried: list[dict[str, Any]],
    conclusions: Mapping[str, Mapping[str, Any]] | None,
) -> list[dict[str, Any]]:
    """The items the notice's follow-up opens tasks for: this dialogue's, and with the meeting
    record's `conclusions` the carried-over ones (`rendering.carried_items`) whose issue the
    Secretary concluded on; a carried-over issue without a conclusion opens nothing new (its
    earlier task goes on)."""
    if conclusions is None:
        return items
    concluded = [c for n, c in enumerate(carried) if issue_key(c, n) in conclusions]
    return [*concluded, *items]


def taking_over(task: dict[str, Any], items: list[dict[str, Any]], keys: Mapping[str, str]) -> dict[str, Any]:
    """`task` with the earlier dialogues' tasks it takes over (`supersedes`: those its carried-over
    items came from, and those these had taken over in turn, `carried_supersedes`, so the
    residents following the first submission read this task whatever they read before) and the
    years they were raised (`years_raised`, so a later dialogue still marks the issue long-running
    from the first); `task` itself without carried-over items."""
    carried = [
        i
        for i in items
        if i.get("source") == CARRIED_OVER
        and i.get("carried_from")
        and keys.get(i["_id"]) == task["cluster_id"]
    ]
    if not carried:
        return task
    years = sorted({int(y) for i in carried for y in i.get("years_raised") or ()})
    earlier = {str(t) for i in carried for t in (i["carried_from"], *(i.get("carried_supersedes") or ()))}
    return {**task, "supersedes": sorted(earlier), "years_raised": years}


def taken_over_by(task: Mapping[str, Any], year: int, issued_on: date) -> dict[str, Any]:
    """What an earlier task taken over by `task` (opened by the notice of `issued_on`, in the
    dialogue of `year`) records (`superseded_by`): the task that follows the issue up from then on,
    its dialogue, year and the number the notice prints for it, and the notice's day. The earlier
    task keeps its status (nothing was resolved or rejected), but counts as overdue and is reminded
    no more (`taken_over`)."""
    return {
        "task_id": task["_id"],
        "dialogue_id": task["dialogue_id"],
        "year": year,
        "notice_number": task.get("notice_number"),
        "on": issued_on.isoformat(),
    }


def taken_over(task: Mapping[str, Any]) -> bool:
    """The task was taken over by a later dialogue's (`taken_over_by`): its issue is followed up
    there, so it is neither overdue nor reminded, and its status no longer changes."""
    return bool(task.get("superseded_by"))


def past_due(task: Mapping[str, Any], today: date) -> bool:
    """The task is open after its due date on `today`, the commune's day (the dialogue's time
    zone): the staff board's "Quá hạn" and the public views' "– quá hạn" are this one rule. A task
    taken over by a later dialogue's is not (`taken_over`: it has its own due date there); a status
    no longer known counts as open."""
    if taken_over(task) or not task.get("due"):
        return False
    due = date.fromisoformat(str(task["due"]))
    try:
        return FollowUpStatus(str(task.get("status"))).overdue(due, today)
    except ValueError:
        return due < today


def settled_at_meeting(
    task: Mapping[str, Any],
    task_id: str,
    key: str,
    members: list[str],
    conclusion: Mapping[str, Any],
    offices: Mapping[str, str],
    issued_on: date,
) -> dict[str, Any]:
    """The task of an issue the Secretary answered and closed at the meeting (resolved) or
    explained with nothing to act on (rejected, the reason given): opened settled, on the day the
    notice is issued, its `result` the conclusion as the resident is told it (the kind's label,
    then the reason and the text)."""
    kind = ConclusionKind(conclusion["kind"])
    office_id = conclusion.get("office_id") or task["office_id"]
    said = [str(conclusion.get(f) or "").strip() for f in ("reason", "text")]
    result = kind.told(" ".join(p for p in said if p))
    return {
        **task,
        "_id": task_id,
        "cluster_id": key,
        "submission_ids": sorted(set(members) | set(task["submission_ids"])),
        "text": conclusion.get("text") or conclusion.get("reason") or task["text"],
        "issue_text": task["text"],
        "office_id": office_id,
        "office_name": offices.get(office_id, task["office_name"]),
        "coordinating_office_ids": [],
        "conclusion_kind": kind.value,
        "status": (S.RESOLVED if kind is ConclusionKind.ANSWERED else S.REJECTED).value,
        "result": result,
        "due": issued_on.isoformat(),
    }


def notice_numbers(
    commune: Commune,
    dialogue: Dialogue,
    items: list[dict[str, Any]],
    issued_on: date,
    meeting: Mapping[str, Any] | None,
) -> dict[str, int]:
    """Each submission's number in the conclusion notice built from `items` (the items the notice
    prints, earlier dialogues' carried first) and `meeting`: the number its issue carries in the
    notice's sections, read from the notice as `build_data` builds it, never counted again here."""
    data = build_data(
        DocumentKind.CONCLUSION_NOTICE.value,
        commune,
        dialogue,
        items,
        number=None,
        issued_on=issued_on,
        meeting=meeting,
    )
    if data.notice is None:
        return {}
    notice = data.notice
    by_key = {i.key: i.number for i in (*notice.conclusions, *notice.escalations, *notice.closed)}
    numbers = {}
    for index, item in enumerate(items):
        key = issue_key(item, index)
        if key in by_key:
            numbers[str(item["_id"])] = by_key[key]
    return numbers


def task_number(task: Mapping[str, Any], numbers: Mapping[str, int]) -> int | None:
    """The number the notice prints for the issue a task follows (its submissions' issue)."""
    found = [numbers[s] for s in task.get("submission_ids") or () if s in numbers]
    return min(found) if found else None


def reminder_due(status: str, due: date, today: date, remind_days_before: int) -> Reminder | None:
    """`due_soon` from `remind_days_before` days before the due date, `overdue` after it."""
    if status not in REMINDED:
        return None
    if today > due:
        return "overdue"
    if today >= due - timedelta(days=remind_days_before):
        return "due_soon"
    return None
