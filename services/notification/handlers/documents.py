"""An issued document goes to every recipient (Nơi nhận) the commune has an address for, with
the PDF exactly as reporting issued it."""

from __future__ import annotations

from functools import partial

from services.notification.handlers.common import built_then_sent, commune_of
from services.notification.handlers.ports import Deps
from services.notification.headers import stable_message_id
from services.notification.messages import plain_email
from shared.contracts import DocumentIssuedV1, Envelope


async def distribute_document(deps: Deps, envelope: Envelope, issued: DocumentIssuedV1) -> None:
    """One e-mail per recipient, once each; the PDF comes from reporting's API (none attached
    when reporting has no PDF of it)."""
    commune = await commune_of(deps.directory, envelope.commune_id)
    dialogue = await deps.directory.dialogue(envelope.commune_id, issued.dialogue_id)
    # the "Nơi nhận" the document printed: its dialogue's era's
    recipients = commune.recipients_on(dialogue.meeting_date) if dialogue else commune.recipients
    pdf = await deps.documents.issued_pdf(envelope.commune_id, issued.document_id)
    for name in recipients:
        address = commune.recipient_emails.get(name)
        if not address:
            continue
        build = partial(
            plain_email,
            deps.sender,
            address,
            f"Văn bản số {issued.code}: {issued.title}",
            deps.env.get_template("document_issued.txt").render(
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
        await deps.deliverer.once(record, built_then_sent(deps.mail, build), raise_transient=True)
