"""What notification's use cases depend on: its own stores, the senders, and the owners' APIs.

Each port is a `Protocol`, so a use case runs as well on the real adapters (MongoDB, SMTP, the
SMS gateway, intake's and reporting's HTTP APIs) as on the in-memory fakes of the unit tests.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from jinja2 import Environment

from services.notification.metrics import NotificationMetrics
from services.notification.schedule import Registrant
from services.notification.sms import SmsSender
from services.notification.smtp import EmailSender
from shared.contracts import Envelope
from shared.directory import Commune, Dialogue


@dataclass(frozen=True)
class Submitter:
    """A resident as the owner of the submissions (intake) tells it, to tell them the outcome."""

    submission_id: str
    tracking_code: str
    contact: str | None


class Directory(Protocol):
    """Communes and dialogues: reference data, read only."""

    async def commune(self, commune_id: str) -> Commune | None: ...

    async def dialogue(self, commune_id: str, dialogue_id: str) -> Dialogue | None: ...


class SubmitterContacts(Protocol):
    """Intake's submissions, read through its API: residents' contacts never go on the bus."""

    async def submitters(self, commune_id: str, submission_ids: Sequence[str]) -> list[Submitter]: ...


class RegistrantPhones(Protocol):
    """Intake's registrations to attend a dialogue, read through its API."""

    async def registrants(self, commune_id: str, dialogue_id: str) -> list[Registrant]: ...


class IssuedDocuments(Protocol):
    """Reporting's issued documents, read through its API."""

    async def issued_pdf(self, commune_id: str, document_id: str) -> bytes | None: ...


class Notifications(Protocol):
    """The office e-mails (`repository.NotificationRepository`): one per routed event, claimed
    while sent, finished once with its outcome event in the outbox."""

    outcomes: Any  # the outcomes' collection, which the outbox publishes from

    async def get_or_create(self, doc: dict[str, Any]) -> dict[str, Any]: ...

    async def create_claimed(self, doc: dict[str, Any], lease_s: float) -> bool: ...

    async def outcome(self, commune_id: str, notification_id: str) -> dict[str, Any] | None: ...

    async def claim(self, commune_id: str, notification_id: str, lease_s: float) -> bool: ...

    async def release(self, commune_id: str, notification_id: str) -> None: ...

    async def finish(
        self,
        commune_id: str,
        notification_id: str,
        status: str,
        envelope: Envelope,
        reason: str | None = None,
    ) -> dict[str, Any] | None: ...


class OutcomeOutbox(Protocol):
    """Publishes the events stored with an outcome (`shared.outbox.Outbox`)."""

    async def flush_document(self, collection: Any, commune_id: str, doc_id: str) -> int: ...

    async def publish_written(self, collection: Any, doc: dict[str, Any]) -> int: ...


class Deliveries(Protocol):
    """Delivers one item at most once under its delivery id (`deliveries.Deliverer`)."""

    async def once(
        self,
        record: dict[str, Any],
        send: Callable[[], Awaitable[None]],
        *,
        raise_transient: bool = False,
    ) -> bool: ...


class PlanScanner(Protocol):
    """Works out and delivers what a dialogue plan makes due (`scheduler.Scheduler`)."""

    async def scan_dialogue(self, commune_id: str, dialogue_id: str) -> int: ...


@dataclass(frozen=True)
class Deps:
    """Everything notification's use cases use, assembled once by `app.py`."""

    directory: Directory
    notifications: Notifications
    outbox: OutcomeOutbox
    deliverer: Deliveries
    plans: PlanScanner
    submitters: SubmitterContacts
    documents: IssuedDocuments
    mail: EmailSender
    sms: SmsSender | None
    env: Environment
    metrics: NotificationMetrics
    sender: str  # the From of every e-mail (SMTP_FROM)
    claim_lease_s: float  # how long an office e-mail's claim lasts: longer than one SMTP attempt
    public_url: str = "http://127.0.0.1:8000"  # where staff reach the site (DOITHOAI_PUBLIC_URL)
