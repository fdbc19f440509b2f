"""notification consumes `submission.routed.v1`, e-mails the office, emits sent/failed."""

from __future__ import annotations

from services.deployment import consumer  # transitional: replaced by the service's Subscription declarations
from services.notification.headers import recipient
from services.notification.messages import office_assignment_email
from services.notification.metrics import NotificationMetrics
from services.notification.repository import NotificationRepository
from services.notification.smtp import EmailSender
from shared.clock import utcnow
from shared.contracts import (
    DialoguePlanChangedV1,
    Envelope,
    NotificationFailedV1,
    NotificationSentV1,
    SubmissionRoutedV1,
)
from shared.directory import DirectoryReader
from shared.errors import Busy, PermanentError
from shared.messaging import Consumer
from shared.mongo import record_after_side_effect
from shared.outbox import Outbox

CHANNEL = "email"


def notification_id_for(envelope: Envelope) -> str:
    """One e-mail per routed event, whatever the number of deliveries of that event."""
    return f"{envelope.event_id}.{CHANNEL}"


def assignments_consumer(
    repo: NotificationRepository,
    directory: DirectoryReader,
    outbox: Outbox,
    sender: EmailSender,
    env,
    metrics: NotificationMetrics,
    sender_address: str,
    claim_lease_s: float,
) -> Consumer:
    async def fail(envelope: Envelope, routed: SubmissionRoutedV1, reason: str) -> None:
        notification_id = notification_id_for(envelope)
        doc = await repo.get_or_create(
            {
                "_id": notification_id,
                "commune_id": envelope.commune_id,
                "submission_id": routed.submission_id,
                "office_id": routed.office_id,
                "channel": CHANNEL,
            }
        )
        failed = NotificationFailedV1(
            notification_id=notification_id,
            submission_id=routed.submission_id,
            office_id=routed.office_id,
            reason=reason[:500],
            attempts=int(doc.get("attempts") or 0),
        )
        if await repo.finish(
            envelope.commune_id,
            notification_id,
            "failed",
            Envelope.wrap(failed, commune_id=envelope.commune_id, correlation_id=envelope.correlation_id),
            reason,
        ):
            metrics.deliveries.labels(envelope.commune_id, CHANNEL, "failed").inc()
        await outbox.flush_document(repo.outcomes, envelope.commune_id, notification_id)

    async def on_routed(envelope: Envelope, routed: SubmissionRoutedV1) -> bool | None:
        if routed.revision > 0 and routed.previous_office_id is None:
            return None  # a staff change that keeps the office: nothing new to tell it
        notification_id = notification_id_for(envelope)
        commune = await directory.commune(envelope.commune_id)
        dialogue = await directory.dialogue(envelope.commune_id, routed.dialogue_id)
        office = commune.office(routed.office_id) if commune else None
        if commune is None or dialogue is None or office is None:
            raise PermanentError(
                f"unknown commune, dialogue or office for {envelope.commune_id}/{routed.office_id}"
            )
        if not office.email:
            raise PermanentError(f"office {office.id} has no e-mail address")
        recipient(office.email)  # one plain address, or refused before anything is claimed
        # First sight of this event: the notification is created already claimed, and no outcome
        # can exist yet. Otherwise (a redelivery, a copy in flight, a retry) as before: skip what
        # has an outcome, and send only under the claim.
        created = await repo.create_claimed(
            {
                "_id": notification_id,
                "commune_id": envelope.commune_id,
                "submission_id": routed.submission_id,
                "office_id": office.id,
                "channel": CHANNEL,
                "recipient": office.email,
            },
            claim_lease_s,
        )
        if not created:
            if await repo.outcome(envelope.commune_id, notification_id) is not None:
                await outbox.flush_document(repo.outcomes, envelope.commune_id, notification_id)
                return False
            if not await repo.claim(envelope.commune_id, notification_id, claim_lease_s):
                raise Busy(f"notification {notification_id} is being sent by another worker")
        message = office_assignment_email(
            env,
            notification_id=notification_id,
            routed=routed,
            commune=commune,
            dialogue=dialogue,
            office=office,
            sender=sender_address,
        )
        try:
            await sender.send(message)
        except PermanentError as exc:
            await fail(envelope, routed, str(exc))
            return None
        except Exception:
            await repo.release(envelope.commune_id, notification_id)
            metrics.deliveries.labels(envelope.commune_id, CHANNEL, "retry").inc()
            raise
        sent = NotificationSentV1(
            notification_id=notification_id,
            submission_id=routed.submission_id,
            office_id=office.id,
            sent_at=utcnow(),
        )
        sent_event = Envelope.wrap(
            sent, commune_id=envelope.commune_id, correlation_id=envelope.correlation_id
        )
        stored = await record_after_side_effect(
            lambda: repo.finish(envelope.commune_id, notification_id, "sent", sent_event)
        )
        if stored is None:
            await outbox.flush_document(repo.outcomes, envelope.commune_id, notification_id)
            return None
        metrics.deliveries.labels(envelope.commune_id, CHANNEL, "sent").inc()
        await outbox.publish_written(repo.outcomes, stored)
        return True

    return Consumer(
        consumer("notification", "assignments"),
        {SubmissionRoutedV1.routing_key(): on_routed},
        on_give_up=fail,
        description="E-mails the office assigned to prepare the answer; records sent or failed.",
        # One notification per routed event, finished once (unique ids): a repeat sends nothing.
        self_deduplicating=frozenset({SubmissionRoutedV1.routing_key()}),
    )


def plans_consumer(scheduler) -> Consumer:
    """A changed plan is scanned at once, so updates and cancellations do not wait for the timer."""

    async def on_plan_changed(envelope: Envelope, changed: DialoguePlanChangedV1) -> None:
        await scheduler.scan_dialogue(envelope.commune_id, changed.dialogue_id)

    return Consumer(
        consumer("notification", "plans"),
        {DialoguePlanChangedV1.routing_key(): on_plan_changed},
        description="Sends invitation updates and cancellations as soon as a plan changes.",
    )
