"""Registering to attend a dialogue (and to speak): the JSON API and the residents' form alike.
One person (name and phone) registers once per dialogue: the store's unique key decides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from services.intake.logic import SubmissionRejected, resolve_hamlet
from services.intake.registrations import RegistrationIn, registration_document, speaking_order
from shared.directory import Commune, Dialogue


class RegistrationStore(Protocol):
    async def add(self, doc: dict[str, Any]) -> bool:
        """False: this person is registered for this dialogue already."""
        ...


class RegistrationList(Protocol):
    async def for_dialogue(self, commune_id: str, dialogue_id: str) -> list[dict[str, Any]]:
        """Every registration of the dialogue, oldest first."""
        ...

    async def attendance_of(self, commune_id: str, dialogue_id: str) -> dict[str, Any] | None:
        """The dialogue's check-ins at the door (`checked_in`: registration id -> entry)."""
        ...


@dataclass(frozen=True)
class RegistrationDeps:
    store: RegistrationStore


@dataclass(frozen=True)
class AlreadyRegistered(Exception):
    name: str
    phone: str


HAMLET_REQUIRED = SubmissionRejected(
    "hamlet_required", "Cần chọn ấp nơi cư trú.", "Choose the hamlet you live in.", field="hamlet"
)


async def register_attendee(
    deps: RegistrationDeps, commune: Commune, dialogue_id: str, body: RegistrationIn
) -> dict[str, Any]:
    """The stored registration. Raises SubmissionRejected (an unknown hamlet, or none: a
    registration names the hamlet the person lives in) or AlreadyRegistered."""
    hamlet = resolve_hamlet(commune, body.hamlet)
    if hamlet is None:
        raise HAMLET_REQUIRED
    doc = registration_document(commune, dialogue_id, body, hamlet)
    if not await deps.store.add(doc):
        raise AlreadyRegistered(body.name, body.phone)
    return doc


async def registrations_by_hamlet(
    store: RegistrationList,
    commune: Commune,
    dialogue: Dialogue,
    *,
    contacts: bool,
    hamlet_id: str | None = None,
) -> dict[str, Any]:
    """Who registered for the dialogue, per hamlet of the plan (and any other hamlet someone
    registered from) against the plan's quota, oldest first, and the speaking order with full
    names (staff). Phones only with `contacts` (the roles that see personal data); with
    `hamlet_id`, that hamlet alone (a hamlet cell's own)."""
    rows = await store.for_dialogue(commune.id, dialogue.id)
    checked_in = set(((await store.attendance_of(commune.id, dialogue.id)) or {}).get("checked_in") or {})
    people: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        people.setdefault(str(row["hamlet_id"]), []).append(
            {
                "id": row["_id"],
                "name": row["name"],
                "phone": row.get("phone") if contacts else None,
                "registered_at": row["registered_at"],
                "wants_to_speak": bool(row.get("wants_to_speak")),
                "topic": row.get("topic"),
                "topic_name": dialogue.topic_name(row["topic"]) if row.get("topic") is not None else None,
                "registered_by": row.get("registered_by") or "self",
                "checked_in": row["_id"] in checked_in,
            }
        )
    hamlets = []
    for hamlet in commune.hamlets:
        if hamlet_id is not None and hamlet.id != hamlet_id:
            continue
        if hamlet.id not in dialogue.hamlet_ids and hamlet.id not in people:
            continue
        listed = people.get(hamlet.id, [])
        minimum = dialogue.min_attendance.get(hamlet.id, 0)
        hamlets.append(
            {
                "hamlet_id": hamlet.id,
                "hamlet": hamlet.name,
                "in_plan": hamlet.id in dialogue.hamlet_ids,
                "registered": len(listed),
                "minimum": minimum,
                "missing": max(minimum - len(listed), 0),
                "reached": len(listed) >= minimum,
                "speakers": sum(1 for p in listed if p["wants_to_speak"]),
                "people": listed,
            }
        )
    # numbered over the whole order: a hamlet's speakers keep the turn they have in the hall
    names = {h["hamlet"] for h in hamlets}
    speakers = [s for s in speaking_order(dialogue, rows) if hamlet_id is None or s["hamlet"] in names]
    return {"total": sum(h["registered"] for h in hamlets), "hamlets": hamlets, "speakers": speakers}
