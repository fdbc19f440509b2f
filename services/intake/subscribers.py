"""Intake follows its submissions downstream: routed, office notified, notification failed."""

from __future__ import annotations

import asyncio

from services.deployment import consumer  # transitional: replaced by the service's Subscription declarations
from services.intake.metrics import IntakeMetrics
from services.intake.plan_repository import PlanRepository
from services.intake.repository import SubmissionRepository
from services.intake.status import change_for
from shared.clock import iso
from shared.contracts import (
    DocumentIssuedV1,
    Envelope,
    FollowUpChangedV1,
    NotificationFailedV1,
    NotificationSentV1,
    SubmissionRoutedV1,
)
from shared.messaging import Consumer


def status_consumer(repo: SubmissionRepository, plans: PlanRepository, metrics: IntakeMetrics) -> Consumer:
    async def apply(envelope: Envelope, payload) -> bool:
        change = change_for(payload)
        writes = []
        if change.facts:
            writes.append(repo.record_facts(envelope.commune_id, payload.submission_id, change.facts))
        if change.rank is not None:
            writes.append(
                repo.advance(envelope.commune_id, payload.submission_id, change.status, change.rank)
            )
        # The status and the history entry are separate writes of separate collections: they go
        # at once, each grouped with other events' writes of the same collection.
        *_, added = await asyncio.gather(
            *writes,
            repo.add_history(
                {
                    "_id": envelope.event_id,
                    "commune_id": envelope.commune_id,
                    "submission_id": payload.submission_id,
                    "at": envelope.occurred_at,
                    "status": change.status,
                    "note_vi": change.note_vi,
                    "event_type": envelope.routing_key,
                    "by": change.by,
                }
            ),
        )
        if added:
            metrics.status_updates.labels(envelope.commune_id, change.status).inc()
        return added

    async def follow_up(envelope: Envelope, changed: FollowUpChangedV1) -> None:
        note = f"Thực hiện kết luận: {FOLLOWUP_LABELS_VI[changed.status]} ({changed.office_name})" + (
            f". {changed.note}" if changed.note else ""
        )
        for submission_id in changed.submission_ids:
            await repo.record_followup(
                envelope.commune_id,
                submission_id,
                {
                    "followup_status": changed.status,
                    "followup_revision": changed.revision,
                    "followup_due": changed.due.isoformat(),
                    "followup_note": changed.note,
                    "followup_updated_at": iso(envelope.occurred_at),
                },
            )
            await repo.add_history(
                {
                    "_id": f"{envelope.event_id}:{submission_id}",
                    "commune_id": envelope.commune_id,
                    "submission_id": submission_id,
                    "at": envelope.occurred_at,
                    "status": f"followup_{changed.status}",
                    "note_vi": note,
                    "event_type": envelope.routing_key,
                    "by": changed.changed_by,
                }
            )

    async def document_issued(envelope: Envelope, issued: DocumentIssuedV1) -> None:
        duty = DUTY_DONE_BY_DOCUMENT.get(issued.kind)
        if duty:
            await plans.mark_done(
                envelope.commune_id,
                issued.dialogue_id,
                duty,
                "system",
                f"Văn bản số {issued.code} ngày {issued.issued_on:%d/%m/%Y}",
            )

    status_events = frozenset(
        cls.routing_key() for cls in (SubmissionRoutedV1, NotificationSentV1, NotificationFailedV1)
    )
    handlers = {key: apply for key in status_events}
    handlers[FollowUpChangedV1.routing_key()] = follow_up
    handlers[DocumentIssuedV1.routing_key()] = document_issued
    return Consumer(
        consumer("intake"),
        handlers,
        description="Keeps each submission's status and history up to date; records duties done by issued documents.",
        # Status and facts only move forward, and the history entry is keyed by the event's id.
        self_deduplicating=status_events,
    )


# Issuing these documents is the duty the plan asks for.
DUTY_DONE_BY_DOCUMENT = {
    "thong-bao-ket-luan": "conclusion",
    "giay-moi": "delegate_invitations",
    "bao-cao-tong-hop": "classification",
}
FOLLOWUP_LABELS_VI = {
    "assigned": "đã giao",
    "in_progress": "đang giải quyết",
    "resolved": "đã giải quyết",
    "escalated": "quá hạn, đã báo cáo Ban Thường vụ",
    "awaiting_higher_level": "chờ cấp trên giải quyết",
    "rejected": "không giải quyết",
}
