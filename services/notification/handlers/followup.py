"""Follow-up of the dialogue's conclusions: the residents whose issue is resolved are told (by
e-mail or SMS, as they left their contact), the office whose task falls due is reminded, and the
Standing Committee is told when a task is overdue."""

from __future__ import annotations

from functools import partial

from services.notification.handlers.common import built_then_sent, commune_of
from services.notification.handlers.ports import Deps
from services.notification.headers import stable_message_id
from services.notification.messages import plain_email
from shared.contracts import Envelope, FollowUpChangedV1, FollowUpReminderV1, FollowUpStatus
from shared.personal_data import mask_personal_data


def resolution_key(changed: FollowUpChangedV1, submission_id: str) -> tuple[str, ...]:
    """What makes one resolution's message to one resident one delivery: the task's revision,
    so a task reopened and resolved again tells the resident again while a redelivered event
    is sent once. Revision 0 (an event from before events carried it) keeps the old key."""
    revision = (f"r{changed.revision}",) if changed.revision else ()
    return (changed.task_id, "resolved", *revision, submission_id)


async def notify_follow_up(deps: Deps, envelope: Envelope, changed: FollowUpChangedV1) -> None:
    """A resolved task tells every resident who left a contact on one of its submissions, once
    each per resolution (`resolution_key`); their contacts come from intake's API, never from
    the event."""
    if changed.status != FollowUpStatus.RESOLVED:
        return
    commune = await commune_of(deps.directory, envelope.commune_id)
    for person in await deps.submitters.submitters(envelope.commune_id, changed.submission_ids):
        contact = (person.contact or "").strip()
        if not contact:
            continue
        body = deps.env.get_template("followup_resolved.txt").render(
            commune=commune, changed=changed, tracking_code=person.tracking_code
        )
        key = resolution_key(changed, person.submission_id)
        delivery_id = ":".join(key)
        record = {
            "_id": delivery_id,
            "commune_id": envelope.commune_id,
            "dialogue_id": changed.dialogue_id,
            "kind": "resident_resolved",
            "recipient_id": person.submission_id,
            "address": contact,
        }
        if "@" in contact:
            build = partial(
                plain_email,
                deps.sender,
                contact,
                f"Ý kiến {person.tracking_code} đã được giải quyết",
                body,
                stable_message_id("ket-qua", *(k for k in key if k != "resolved"), domain=commune.id),
            )
            await deps.deliverer.once(
                {**record, "channel": "email"}, built_then_sent(deps.mail, build), raise_transient=True
            )
        elif deps.sms is not None:
            text = (
                f"{commune.display_name}: y kien {person.tracking_code} da duoc giai quyet. "
                "Tra cuu bang ma theo doi."
            )
            await deps.deliverer.once(
                {**record, "channel": "sms"},
                partial(deps.sms.send, contact, text, idempotency_key=delivery_id),
                raise_transient=True,
            )


async def remind_follow_up(deps: Deps, envelope: Envelope, reminder: FollowUpReminderV1) -> None:
    """The office is reminded of a task due soon; an overdue one goes to the Standing Committee too."""
    commune = await commune_of(deps.directory, envelope.commune_id)
    office = commune.office(reminder.office_id)
    recipients = [(office.id, office.name, office.email)] if office and office.email else []
    if reminder.kind == "overdue":
        standing = commune.bodies.get("standing_committee") or commune.bodies.get("party_office")
        if standing:
            recipients.append(("standing_committee", "Thường trực Đảng ủy", standing))
    tag = "[Quá hạn]" if reminder.kind == "overdue" else "[Nhắc việc]"
    # An e-mail leaves the system: the task's text (the resident's words, the Secretary's) goes
    # with personal data masked, as the office's assignment e-mail does; the app shows the rest.
    summary = mask_personal_data(reminder.summary)
    for recipient_id, name, address in recipients:
        body = deps.env.get_template("followup_reminder.txt").render(
            commune=commune, reminder=reminder, summary=summary, recipient_name=name
        )
        build = partial(
            plain_email,
            deps.sender,
            address,
            f"{tag} Thực hiện kết luận đối thoại: {summary[:80]}",
            body,
            stable_message_id("nhac", reminder.task_id, reminder.kind, recipient_id, domain=commune.id),
        )
        record = {
            "_id": f"{reminder.task_id}:{reminder.kind}:{reminder.due}:{recipient_id}",
            "commune_id": envelope.commune_id,
            "dialogue_id": reminder.dialogue_id,
            "kind": f"followup_{reminder.kind}",
            "channel": "email",
            "recipient_id": recipient_id,
            "address": address,
        }
        await deps.deliverer.once(record, built_then_sent(deps.mail, build), raise_transient=True)
