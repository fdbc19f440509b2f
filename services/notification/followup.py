"""notification tells people what follow-up and issued documents mean for them: the resident
whose issue is resolved, the office whose task falls due, the Standing Committee when a task
is overdue, and every recipient (Nơi nhận) of an issued document."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from email.message import EmailMessage
from functools import partial

from jinja2 import Environment

from services.deployment import consumer  # transitional: replaced by the service's Subscription declarations
from services.notification.deliveries import Deliverer
from services.notification.headers import new_message, recipient, set_address, set_encoded, stable_message_id
from services.notification.sms import SmsSender
from services.notification.smtp import EmailSender
from shared.contracts import DocumentIssuedV1, Envelope, FollowUpChangedV1, FollowUpReminderV1
from shared.directory import Commune, DirectoryReader
from shared.errors import PermanentError
from shared.messaging import Consumer


def _email(
    sender: str,
    to: str,
    subject: str,
    body: str,
    message_id: str,
    *,
    pdf: bytes | None = None,
    pdf_name: str = "",
) -> EmailMessage:
    message = new_message()
    set_address(message, "From", sender)
    message["To"] = recipient(to)
    set_encoded(message, "Subject", subject)
    message["Message-ID"] = message_id
    message.set_content(body)
    if pdf:
        message.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
    return message


def _built_then_sent(mail: EmailSender, build: Callable[[], EmailMessage]) -> Callable[[], Awaitable[None]]:
    """The e-mail is built under the delivery's claim: an address refused while building it
    (`recipient`) fails that one delivery, not the event's other recipients."""

    async def send() -> None:
        await mail.send(build())

    return send


def followup_consumer(
    directory: DirectoryReader,
    deliverer: Deliverer,
    mail: EmailSender,
    sms: SmsSender | None,
    env: Environment,
    sender: str,
) -> Consumer:
    async def commune_of(envelope: Envelope) -> Commune:
        commune = await directory.commune(envelope.commune_id)
        if commune is None:
            raise PermanentError(f"unknown commune {envelope.commune_id}")
        return commune

    async def on_changed(envelope: Envelope, changed: FollowUpChangedV1) -> None:
        if changed.status != "resolved":
            return
        commune = await commune_of(envelope)
        for person in await directory.submitters(envelope.commune_id, list(changed.submission_ids)):
            contact = ((person.get("submitter") or {}).get("contact") or "").strip()
            if not contact:
                continue
            body = env.get_template("followup_resolved.txt").render(
                commune=commune, changed=changed, tracking_code=person["tracking_code"]
            )
            record = {
                "_id": f"{changed.task_id}:resolved:{person['_id']}",
                "commune_id": envelope.commune_id,
                "dialogue_id": changed.dialogue_id,
                "kind": "resident_resolved",
                "recipient_id": person["_id"],
                "address": contact,
            }
            if "@" in contact:
                build = partial(
                    _email,
                    sender,
                    contact,
                    f"Ý kiến {person['tracking_code']} đã được giải quyết",
                    body,
                    stable_message_id("ket-qua", changed.task_id, person["_id"], domain=commune.id),
                )
                await deliverer.once(
                    {**record, "channel": "email"}, _built_then_sent(mail, build), raise_transient=True
                )
            elif sms is not None:
                text = f"{commune.display_name}: y kien {person['tracking_code']} da duoc giai quyet. Tra cuu bang ma theo doi."
                await deliverer.once(
                    {**record, "channel": "sms"},
                    lambda c=contact, t=text, k=record["_id"]: sms.send(c, t, idempotency_key=k),
                    raise_transient=True,
                )

    async def on_reminder(envelope: Envelope, reminder: FollowUpReminderV1) -> None:
        commune = await commune_of(envelope)
        office = commune.office(reminder.office_id)
        recipients = [(office.id, office.name, office.email)] if office and office.email else []
        if reminder.kind == "overdue":
            standing = commune.bodies.get("standing_committee") or commune.bodies.get("party_office")
            if standing:
                recipients.append(("standing_committee", "Thường trực Đảng ủy", standing))
        tag = "[Quá hạn]" if reminder.kind == "overdue" else "[Nhắc việc]"
        for recipient_id, name, address in recipients:
            body = env.get_template("followup_reminder.txt").render(
                commune=commune, reminder=reminder, recipient_name=name
            )
            build = partial(
                _email,
                sender,
                address,
                f"{tag} Thực hiện kết luận đối thoại: {reminder.summary[:80]}",
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
            await deliverer.once(record, _built_then_sent(mail, build), raise_transient=True)

    return Consumer(
        consumer("notification", "followup"),
        {FollowUpChangedV1.routing_key(): on_changed, FollowUpReminderV1.routing_key(): on_reminder},
        description="Tells residents their issue is resolved; reminds offices; escalates overdue tasks.",
    )


def documents_consumer(
    directory: DirectoryReader, deliverer: Deliverer, mail: EmailSender, env: Environment, sender: str
) -> Consumer:
    async def on_issued(envelope: Envelope, issued: DocumentIssuedV1) -> None:
        commune = await directory.commune(envelope.commune_id)
        if commune is None:
            raise PermanentError(f"unknown commune {envelope.commune_id}")
        pdf = await directory.issued_file(envelope.commune_id, issued.document_id, "pdf")
        for name in commune.recipients:
            address = commune.recipient_emails.get(name)
            if not address:
                continue
            build = partial(
                _email,
                sender,
                address,
                f"Văn bản số {issued.code}: {issued.title}",
                env.get_template("document_issued.txt").render(
                    commune=commune, issued=issued, recipient=name
                ),
                stable_message_id("van-ban", issued.document_id, name, domain=commune.id),
                pdf=pdf,
                pdf_name=f"{issued.kind}-{issued.number or 'khong-so'}.pdf",
            )
            record = {
                "_id": f"{issued.document_id}:{address}",
                "commune_id": envelope.commune_id,
                "dialogue_id": issued.dialogue_id,
                "kind": "document",
                "channel": "email",
                "recipient_id": name,
                "address": address,
            }
            await deliverer.once(record, _built_then_sent(mail, build), raise_transient=True)

    return Consumer(
        consumer("notification", "documents"),
        {DocumentIssuedV1.routing_key(): on_issued},
        description="Sends each issued document to its recipients (Nơi nhận).",
    )
