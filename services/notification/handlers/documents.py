"""An issued document goes to the recipients it printed (Nơi nhận) that have an address, with the
PDF exactly as reporting issued it.

Whom is `addressees` (pure): each printed line by the commune's `recipient_emails`; on an
invitation, the line naming its invitees ("Như thành phần mời") by the delegates the dialogue
invites, each with an e-mail address; never the file copy ("Lưu Văn phòng Đảng ủy")."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import partial

from services.notification.handlers.common import built_then_sent, commune_of
from services.notification.handlers.ports import Deps
from services.notification.headers import stable_message_id
from services.notification.messages import plain_email
from shared.contracts import DocumentIssuedV1, DocumentKind, Envelope
from shared.directory import Commune, Dialogue

# How an invitation's Nơi nhận names the people it invites ("Như thành phần mời", "Như trên").
INVITEES_LINES = ("như thành phần", "như trên")


@dataclass(frozen=True)
class Addressee:
    id: str  # the delivery log's recipient id: the printed name, or the delegate's id
    name: str  # "Kính gửi: …"
    address: str


def _key(name: str) -> str:
    """A printed name as compared: NFC, spaces collapsed, no trailing punctuation, any case."""
    return " ".join(unicodedata.normalize("NFC", name).split()).rstrip(",;.").casefold()


def _filed(line: str) -> bool:
    """The file copy ("Lưu Văn phòng Đảng ủy", "Lưu: VT"): kept by the office, never mailed."""
    words = _key(line).split()
    return bool(words) and words[0].rstrip(":") == "lưu"


_BAO_CAO = re.compile(r"\s*\((?:b/c|để b/c|báo cáo)\)\s*$", re.IGNORECASE)


def addressees(commune: Commune, dialogue: Dialogue | None, issued: DocumentIssuedV1) -> list[Addressee]:
    """Who receives the document, once per address, in the order it printed them. A name without
    an address is left out."""
    if issued.recipients is None:
        # An event issued before it carried its recipients: the commune's Nơi nhận of the
        # dialogue's era, as every document was sent then.
        names = commune.recipients_on(dialogue.meeting_date) if dialogue else commune.recipients
        chosen = [Addressee(n, n, commune.recipient_emails.get(n) or "") for n in names]
    else:
        chosen = _printed(commune, dialogue, issued)
    seen: set[str] = set()
    unique = []
    for addressee in chosen:
        if addressee.address and addressee.address.casefold() not in seen:
            seen.add(addressee.address.casefold())
            unique.append(addressee)
    return unique


def _printed(commune: Commune, dialogue: Dialogue | None, issued: DocumentIssuedV1) -> list[Addressee]:
    emails = {_key(name): address for name, address in commune.recipient_emails.items()}
    # An office printed by its title of the dialogue's era has its address under today's name.
    titles = commune.office_titles_on(dialogue.meeting_date) if dialogue else {}
    today = {_key(titles[o.id]): o.name for o in commune.offices if titles.get(o.id, o.name) != o.name}
    chosen = []
    for line in issued.recipients or ():
        if _filed(line):
            continue
        if issued.kind is DocumentKind.INVITATION and _key(line).startswith(INVITEES_LINES):
            delegates = dialogue.delegates if dialogue else ()
            chosen += [Addressee(d.id, f"Đồng chí {d.name}", d.email or "") for d in delegates]
            continue
        address = emails.get(_key(line)) or emails.get(_key(today.get(_key(line), "")))
        # greeted by name: "(b/c)" (for report) belongs to the Nơi nhận line, not to "Kính gửi"
        chosen.append(Addressee(line, _BAO_CAO.sub("", line).strip() or line, address or ""))
    return chosen


async def distribute_document(deps: Deps, envelope: Envelope, issued: DocumentIssuedV1) -> None:
    """One e-mail per addressee, once each; the PDF comes from reporting's API (none attached
    when reporting has no PDF of it)."""
    commune = await commune_of(deps.directory, envelope.commune_id)
    dialogue = await deps.directory.dialogue(envelope.commune_id, issued.dialogue_id)
    chosen = addressees(commune, dialogue, issued)
    if not chosen:
        return
    pdf = await deps.documents.issued_pdf(envelope.commune_id, issued.document_id)
    for addressee in chosen:
        build = partial(
            plain_email,
            deps.sender,
            addressee.address,
            f"Văn bản số {issued.code}: {issued.title}",
            deps.env.get_template("document_issued.txt").render(
                commune=commune, issued=issued, recipient=addressee.name
            ),
            stable_message_id("van-ban", issued.document_id, addressee.id, domain=commune.id),
            pdf=pdf,
            pdf_name=f"{issued.kind}-{issued.number or 'khong-so'}.pdf",
        )
        record = {
            "_id": f"{issued.document_id}:{addressee.address}",
            "commune_id": envelope.commune_id,
            "dialogue_id": issued.dialogue_id,
            "kind": "document",
            "channel": "email",
            "recipient_id": addressee.id,
            "address": addressee.address,
        }
        await deps.deliverer.once(record, built_then_sent(deps.mail, build), raise_transient=True)
