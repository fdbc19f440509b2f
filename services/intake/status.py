"""How downstream events move a submission through its statuses, and how the history names a
conclusion's follow-up (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from services.intake.raised import EARLIER_MENTIONS, earlier_mentions
from shared.contracts import (
    FollowUpStatus,
    NotificationFailedV1,
    NotificationSentV1,
    RoutingChange,
    SubmissionRoutedV1,
    SubmissionStatus,
)
from shared.errors import PermanentError

StatusEvent = SubmissionRoutedV1 | NotificationSentV1 | NotificationFailedV1


@dataclass(frozen=True)
class StatusChange:
    status: str
    rank: int | None  # None: recorded in the history only
    facts: dict[str, Any]  # set whatever the order of events
    note_vi: str  # what the resident reads on the tracking page
    by: str = "system"
    staff_note_vi: str | None = None  # staff-only (a change's reason): never on the tracking page


def change_for(payload: StatusEvent) -> StatusChange:
    if isinstance(payload, SubmissionRoutedV1) and payload.revision > 0:
        if payload.change is None:
            raise PermanentError("a routing revision after the first names no change")
        change = RoutingChange(payload.change)
        if change is RoutingChange.ANSWERED:
            note, staff_note = f"{payload.office_name} đã chuẩn bị nội dung trả lời.", None
        else:
            note = f"{change.label_vi}: {payload.topic_name}; {payload.office_name} chuẩn bị trả lời."
            if payload.note_to_resident:
                note += f" Ghi chú: {payload.note_to_resident}"
            staff_note = f"Lý do: {payload.reason}" if payload.reason else None
        return StatusChange(
            change.value, None, _routing_facts(payload), note, by=payload.changed_by, staff_note_vi=staff_note
        )
    if isinstance(payload, SubmissionRoutedV1):
        return StatusChange(
            status=SubmissionStatus.ROUTED.value,
            rank=SubmissionStatus.ROUTED.rank,
            facts=_routing_facts(payload),
            note_vi=f"Phân loại: {payload.topic_name}; giao {payload.office_name} chuẩn bị nội dung trả lời.",
        )
    if isinstance(payload, NotificationSentV1):
        notified = SubmissionStatus.OFFICE_NOTIFIED
        return StatusChange(notified.value, notified.rank, {}, notified.label_vi + ".")
    failed = SubmissionStatus.NOTIFICATION_FAILED
    return StatusChange(failed.value, failed.rank, {}, failed.label_vi + ".")


# How a submission's history and its tracking page word a follow-up status where the name of
# the status alone would say less (the others read as `FollowUpStatus.label_vi`, lower-cased).
_FOLLOW_UP_WORDING_VI = {
    FollowUpStatus.ESCALATED: "quá hạn, đã báo cáo Ban Thường vụ",
    FollowUpStatus.REJECTED: "không giải quyết",
}


def follow_up_wording(status: str) -> str:
    """`đã giao`, `quá hạn, đã báo cáo Ban Thường vụ`: for the middle of a sentence; a value no
    longer known reads as itself."""
    try:
        known = FollowUpStatus(status)
    except ValueError:
        return status
    return _FOLLOW_UP_WORDING_VI.get(known) or known.label_vi[:1].lower() + known.label_vi[1:]


def follow_up_note(status: str, body: str, note: str | None) -> str:
    """The history entry of a follow-up change: `body` who acts on the conclusion as the issued
    notice names it (`FollowUpChangedV1.responsible_body`), the office's name in older events."""
    return f"Thực hiện kết luận: {follow_up_wording(status)} ({body})" + (f". {note}" if note else "")


def _routing_facts(payload: SubmissionRoutedV1) -> dict[str, Any]:
    return {
        "topic": payload.topic,
        "topic_name": payload.topic_name,
        "secondary_topic": payload.secondary_topic,
        "office_id": payload.office_id,
        "office_name": payload.office_name,
        "authority_level": payload.authority_level,
        "needs_review": payload.needs_review,
        "cluster_id": payload.cluster_id,
        "duplicate_of": payload.duplicate_of,
        "times_raised": payload.times_raised,  # routing's count on arrival (`raised` counts the issue)
        EARLIER_MENTIONS: earlier_mentions(payload.earlier),
        "routing_revision": payload.revision,
        "answer": payload.answer,
    }
