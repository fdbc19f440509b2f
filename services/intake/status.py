"""How downstream events move a submission through its statuses (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from shared.contracts import NotificationFailedV1, NotificationSentV1, SubmissionRoutedV1

RANKS = {"received": 1, "routed": 2, "office_notified": 3}

STATUS_LABELS_VI = {
    "received": "Đã tiếp nhận",
    "routed": "Đã phân loại và giao cơ quan chuẩn bị trả lời",
    "office_notified": "Đã thông báo cho cơ quan chuẩn bị trả lời",
    "notification_failed": "Chưa gửi được thông báo cho cơ quan (đang xử lý)",
}


@dataclass(frozen=True)
class StatusChange:
    status: str
    rank: int | None  # None: recorded in the history only
    facts: dict  # set whatever the order of events
    note_vi: str
    by: str = "system"


CHANGE_LABELS_VI = {
    "reclassified": "Phân loại lại",
    "reassigned": "Giao lại cơ quan",
    "confirmed": "Xác nhận phân loại",
    "merged": "Gộp với ý kiến trùng",
    "split": "Tách khỏi nhóm ý kiến trùng",
}


def change_for(payload: SubmissionRoutedV1 | NotificationSentV1 | NotificationFailedV1) -> StatusChange:
    if isinstance(payload, SubmissionRoutedV1) and payload.revision > 0:
        note = f"{CHANGE_LABELS_VI[payload.change]}: {payload.topic_name}; {payload.office_name} chuẩn bị trả lời. Lý do: {payload.reason}"
        return StatusChange(payload.change, None, _routing_facts(payload), note, by=payload.changed_by)
    if isinstance(payload, SubmissionRoutedV1):
        return StatusChange(
            status="routed",
            rank=RANKS["routed"],
            facts=_routing_facts(payload),
            note_vi=f"Phân loại: {payload.topic_name}; giao {payload.office_name} chuẩn bị nội dung trả lời.",
        )
    if isinstance(payload, NotificationSentV1):
        return StatusChange(
            "office_notified", RANKS["office_notified"], {}, STATUS_LABELS_VI["office_notified"] + "."
        )
    return StatusChange("notification_failed", None, {}, STATUS_LABELS_VI["notification_failed"] + ".")


def _routing_facts(payload: SubmissionRoutedV1) -> dict:
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
        "times_raised": payload.times_raised,
        "routing_revision": payload.revision,
    }
