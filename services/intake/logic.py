"""Turning an accepted request into the stored submission and its event (pure)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.intake.contacts import is_phone
from services.intake.schemas import SubmissionIn, clean_text
from shared.clock import utcnow
from shared.contracts import Envelope, SubmissionReceivedV1, SubmissionStatus
from shared.directory import Commune
from shared.ids import new_id, new_tracking_code
from shared.outbox import outbox_fields
from shared.templates import upper_first
from shared.text import fold

WHOLE_COMMUNE = frozenset({"toan xa", "toan phuong", "ca xa", "xa", "phuong"})


@dataclass(frozen=True)
class SubmissionRejected(Exception):
    code: str
    vi: str
    en: str
    field: str | None = None

    def as_error(self) -> dict[str, Any]:
        return {
            "loc": ("body", self.field),
            "type": self.code,
            "msg": self.en,
            "ctx": {"reason_vi": self.vi, "reason_en": self.en},
        }


def valid_phone(phone: str) -> bool:
    """One Vietnamese phone number (services/intake/contacts.py: 0912 345 678, +84 912.345.678)."""
    return is_phone(phone)


# The words that name a hamlet-level unit: inside a sentence or a table cell they are written in
# lower case, as official documents write "ấp Chợ"; only a sentence's or heading's start is capitalised.
_UNIT_WORDS = ("khu phố", "ấp", "thôn", "xóm", "bản", "buôn", "làng", "khóm", "tổ dân phố", "khu")


def hamlet_display(name: str | None, *, opening: bool = False) -> str:
    """A hamlet's name as every page writes it: "ấp Chợ" (also for a name stored as "Ấp Chợ"),
    "Ấp Chợ" where it opens a sentence or a heading (`opening`). A name without a unit word
    ("Toàn xã", "Rạch Tràm") is left as stored, capitalised when `opening`."""
    text = (name or "").strip()
    lowered = text.lower()
    for word in _UNIT_WORDS:
        if lowered.startswith(word) and (len(text) == len(word) or text[len(word)] == " "):
            text = word + text[len(word) :]
            break
    return upper_first(text) if opening else text


def hamlet_refusal(
    commune: Commune, written: str | None, *, required: SubmissionRejected | None = None
) -> SubmissionRejected | None:
    """Why a form's hamlet is refused, if it is: one the commune does not have, or the whole
    commune where `required` (that refusal) says a hamlet is needed. Nothing written is left to
    the form's own "required" check."""
    text = clean_text(written or "")
    if not text:
        return None
    try:
        hamlet = resolve_hamlet(commune, text)
    except SubmissionRejected as rejected:
        return rejected
    return required if hamlet is None else None


def resolve_hamlet(commune: Commune, written: str | None) -> str | None:
    """The canonical hamlet name for what the resident typed (with or without diacritics, with or
    without the word 'ấp'); None means the whole commune."""
    if not written:
        return None
    key = fold(written)
    if key in WHOLE_COMMUNE:
        return None
    for hamlet in commune.hamlets:
        name = fold(hamlet.name)
        bare = name.split(" ", 1)[1] if " " in name else name
        if key in (name, bare, fold(hamlet.id.replace("-", " "))):
            return hamlet.name
    names = ", ".join(h.name for h in commune.hamlets)
    raise SubmissionRejected(
        "unknown_hamlet",
        f"Không có ấp '{written}' trong {commune.display_name}. Các ấp: {names}.",
        f"No hamlet '{written}' in this commune. Known hamlets: {names}.",
        field="hamlet",
    )


def hamlet_named_in(commune: Commune, text: str) -> str | None:
    """The one hamlet of the commune that `text` names with its own word ("ấp Căn Cứ", also typed
    bare "ap Can Cu"); None when it names none or several. "đường vào chợ" names no hamlet."""
    folded = fold(text)
    named = [h.name for h in commune.hamlets if re.search(rf"(?<!\w){re.escape(fold(h.name))}(?!\w)", folded)]
    return named[0] if len(named) == 1 else None


def accept_submission(
    body: SubmissionIn,
    commune: Commune,
    *,
    correlation_id: str,
    tracking_code: str | None = None,
    submission_id: str | None = None,
    received_at: datetime | None = None,
    dialogue_id: str | None = None,
) -> dict[str, Any]:
    """The submission document to store, its `submission.received.v1` event in the outbox. It
    goes to `dialogue_id` when the caller checked that one takes it (an item raised at a meeting
    held: `handlers.submissions.meeting_dialogue`), else to the commune's open dialogue."""
    dialogue_id = dialogue_id or commune.current_dialogue_id
    if dialogue_id is None:
        raise SubmissionRejected(
            "no_open_dialogue",
            f"{upper_first(commune.display_name)} chưa mở đợt đối thoại nào để nhận ý kiến.",
            "This commune has no open dialogue to receive submissions.",
        )
    # no hamlet given (an integration, Open311 without an address): the one the text names, so the
    # item is compared with that hamlet's items, not the whole commune's; "Toàn xã" chosen stays
    hamlet = resolve_hamlet(commune, body.hamlet) if body.hamlet else hamlet_named_in(commune, body.text)
    now = received_at or utcnow()
    submission_id = submission_id or new_id()
    doc = {
        "_id": submission_id,
        "commune_id": commune.id,
        "dialogue_id": dialogue_id,
        "tracking_code": tracking_code or new_tracking_code(),
        "source": body.source.value,
        "organisation": body.organisation.value if body.organisation else None,
        "kind": body.kind.value,
        "text": body.text,
        "hamlet": hamlet,
        "submitter": {"name": body.submitter_name, "contact": body.contact},
        "status": SubmissionStatus.RECEIVED.value,
        "status_rank": SubmissionStatus.RECEIVED.rank,
        "routing_revision": -1,
        "received_at": now,
        "correlation_id": correlation_id,
    }
    event = SubmissionReceivedV1(
        submission_id=submission_id,
        dialogue_id=doc["dialogue_id"],
        tracking_code=doc["tracking_code"],
        source=body.source,
        organisation=body.organisation,
        kind=body.kind,
        text=body.text,
        hamlet=hamlet,
        received_at=now,
    )
    doc.update(outbox_fields([Envelope.wrap(event, commune_id=commune.id, correlation_id=correlation_id)]))
    return doc
