"""Registering to attend a dialogue (and to speak): the JSON API and the residents' form alike.
One person (name and phone) registers once per dialogue: the store's unique key decides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from services.intake.logic import SubmissionRejected, resolve_hamlet
from services.intake.registrations import RegistrationIn, registration_document
from shared.directory import Commune


class RegistrationStore(Protocol):
    async def add(self, doc: dict[str, Any]) -> bool:
        """False: this person is registered for this dialogue already."""
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
