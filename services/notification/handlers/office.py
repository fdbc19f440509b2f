"""The office assigned to prepare an answer is told by e-mail, once per routed event; the outcome
(sent or failed) is recorded once, with its event."""

from __future__ import annotations

from urllib.parse import quote

from services.notification.handlers.ports import Deps
from services.notification.headers import recipient
from services.notification.messages import office_assignment_email
from shared.clock import utcnow
from shared.contracts import Envelope, NotificationFailedV1, NotificationSentV1, SubmissionRoutedV1
from shared.errors import Busy, PermanentError
from shared.mongo import record_after_side_effect

CHANNEL = "email"


def staff_item_url(public_url: str, submission_id: str) -> str:
    """The item's staff page (login required): it shows what the office may see, so the
    e-mail itself needs to carry nothing about the resident."""
    return f"{public_url.rstrip('/')}/staff/items/{quote(submission_id, safe='')}"


def notification_id_for(envelope: Envelope) -> str:
    """One e-mail per routed event, whatever the number of deliveries of that event."""
    return f"{envelope.event_id}.{CHANNEL}"


async def notify_office(deps: Deps, envelope: Envelope, routed: SubmissionRoutedV1) -> bool | None:
    """E-mail the office; False when this event had been handled before (the notification's own
    unique id de-duplicates it), None when there was nothing new to tell."""
    if routed.revision > 0 and routed.previous_office_id is None:
        return None  # a staff change that keeps the office: nothing new to tell it
    commune_id = envelope.commune_id
    notification_id = notification_id_for(envelope)
    commune = await deps.directory.commune(commune_id)
    dialogue = await deps.directory.dialogue(commune_id, routed.dialogue_id)
    office = commune.office(routed.office_id) if commune else None
    if commune is None or dialogue is None or office is None:
        raise PermanentError(f"unknown commune, dialogue or office for {commune_id}/{routed.office_id}")
    if not office.email:
        raise PermanentError(f"office {office.id} has no e-mail address")
    recipient(office.email)  # one plain address, or refused before anything is claimed
    # First sight of this event: the notification is created already claimed, and no outcome
    # can exist yet. Otherwise (a redelivery, a copy in flight, a retry): skip what has an
    # outcome, and send only under the claim.
    created = await deps.notifications.create_claimed(
        {
            "_id": notification_id,
            "commune_id": commune_id,
            "submission_id": routed.submission_id,
            "office_id": office.id,
            "channel": CHANNEL,
            "recipient": office.email,
        },
        deps.claim_lease_s,
    )
    if not created:
        if await deps.notifications.outcome(commune_id, notification_id) is not None:
            await deps.outbox.flush_document(deps.notifications.outcomes, commune_id, notification_id)
            return False
        if not await deps.notifications.claim(commune_id, notification_id, deps.claim_lease_s):
            raise Busy(f"notification {notification_id} is being sent by another worker")
    message = office_assignment_email(
        deps.env,
        notification_id=notification_id,
        routed=routed,
        commune=commune,
        dialogue=dialogue,
        office=office,
        sender=deps.sender,
        item_url=staff_item_url(deps.public_url, routed.submission_id),
    )
    try:
        await deps.mail.send(message)
    except PermanentError as exc:
        await record_office_failure(deps, envelope, routed, str(exc))
        return None
    except Exception:
        await deps.notifications.release(commune_id, notification_id)
        deps.metrics.deliveries.labels(commune_id, CHANNEL, "retry").inc()
        raise
    sent = NotificationSentV1(
        notification_id=notification_id,
        submission_id=routed.submission_id,
        office_id=office.id,
        sent_at=utcnow(),
    )
    sent_event = Envelope.wrap(sent, commune_id=commune_id, correlation_id=envelope.correlation_id)
    stored = await record_after_side_effect(
        lambda: deps.notifications.finish(commune_id, notification_id, "sent", sent_event)
    )
    if stored is None:
        await deps.outbox.flush_document(deps.notifications.outcomes, commune_id, notification_id)
        return None
    deps.metrics.deliveries.labels(commune_id, CHANNEL, "sent").inc()
    await deps.outbox.publish_written(deps.notifications.outcomes, stored)
    return True


async def record_office_failure(
    deps: Deps, envelope: Envelope, routed: SubmissionRoutedV1, reason: str
) -> None:
    """The office could not be told (refused for good, or given up after the retries): the
    notification finishes `failed`, once, with its event."""
    commune_id = envelope.commune_id
    notification_id = notification_id_for(envelope)
    doc = await deps.notifications.get_or_create(
        {
            "_id": notification_id,
            "commune_id": commune_id,
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
    failed_event = Envelope.wrap(failed, commune_id=commune_id, correlation_id=envelope.correlation_id)
    if await deps.notifications.finish(commune_id, notification_id, "failed", failed_event, reason):
        deps.metrics.deliveries.labels(commune_id, CHANNEL, "failed").inc()
    await deps.outbox.flush_document(deps.notifications.outcomes, commune_id, notification_id)
