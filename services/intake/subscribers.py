"""Intake follows its submissions downstream: routed, office notified, notification failed."""

from __future__ import annotations

from services.intake.metrics import IntakeMetrics
from services.intake.repository import SubmissionRepository
from services.intake.status import change_for
from shared.contracts import Envelope, NotificationFailedV1, NotificationSentV1, SubmissionRoutedV1
from shared.messaging import Consumer
from shared.topology import consumer


def status_consumer(repo: SubmissionRepository, metrics: IntakeMetrics) -> Consumer:
    async def apply(envelope: Envelope, payload) -> None:
        change = change_for(payload)
        if change.facts:
            await repo.record_facts(envelope.commune_id, payload.submission_id, change.facts)
        if change.rank is not None:
            await repo.advance(envelope.commune_id, payload.submission_id, change.status, change.rank)
        added = await repo.add_history(
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
        )
        if added:
            metrics.status_updates.labels(envelope.commune_id, change.status).inc()

    return Consumer(
        consumer("intake"),
        {cls.routing_key(): apply for cls in (SubmissionRoutedV1, NotificationSentV1, NotificationFailedV1)},
        description="Keeps each submission's status and history up to date.",
    )
