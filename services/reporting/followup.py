"""Follow-up of the conclusion notice (pure): one task per conclusion, its statuses, its
working-day due date, and the reminders it calls for."""

from __future__ import annotations

from datetime import date, timedelta

from services.reporting.notice import RESOLUTION_WORKING_DAYS
from shared.calendar import WorkingCalendar

OPEN = ("assigned", "in_progress", "escalated", "awaiting_higher_level")
CLOSED = ("resolved", "rejected")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "assigned": ("in_progress", "resolved", "escalated", "awaiting_higher_level", "rejected"),
    "in_progress": ("resolved", "escalated", "awaiting_higher_level", "rejected"),
    "escalated": ("in_progress", "resolved", "awaiting_higher_level", "rejected"),
    "awaiting_higher_level": ("in_progress", "resolved", "rejected"),
    "resolved": (),
    "rejected": (),
}
STATUS_LABELS_VI = {
    "assigned": "Đã giao",
    "in_progress": "Đang giải quyết",
    "resolved": "Đã giải quyết",
    "escalated": "Đã báo cáo Ban Thường vụ (quá hạn)",
    "awaiting_higher_level": "Chờ cấp trên giải quyết",
    "rejected": "Không giải quyết (có lý do)",
}


def tasks_for_conclusions(
    dialogue_id: str, items: list[dict], issued_on: date, calendar: WorkingCalendar
) -> list[dict]:
    """One task per issue: a merged cluster is one conclusion answered for all its items.
    Items above commune authority wait for the higher level from the start."""
    due = calendar.nth_working_day_after(issued_on, RESOLUTION_WORKING_DAYS)
    clusters: dict[str, list[dict]] = {}
    for item in items:
        if item.get("topic") is None:
            continue
        clusters.setdefault(item.get("cluster_id") or item["_id"], []).append(item)
    tasks = []
    for cluster_id, members in clusters.items():
        lead = min(members, key=lambda i: (i.get("received_at") or "", i["_id"]))
        above = lead.get("authority_level", "commune") != "commune"
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
                "authority_level": lead.get("authority_level", "commune"),
                "authority_body": lead.get("authority_body"),
                "times_raised": max(i.get("times_raised") or 1 for i in members),
                "status": "awaiting_higher_level" if above else "assigned",
                "due": due.isoformat(),
            }
        )
    return tasks


def reminder_due(status: str, due: date, today: date, remind_days_before: int) -> str | None:
    """`due_soon` from `remind_days_before` days before the due date, `overdue` after it."""
    if status not in OPEN or status == "awaiting_higher_level":
        return None
    if today > due:
        return "overdue"
    if today >= due - timedelta(days=remind_days_before):
        return "due_soon"
    return None
