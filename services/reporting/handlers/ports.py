"""What reporting's use cases depend on: the stores, the register of numbers, the outbox, the
renderer and the plan directory, as protocols (the Mongo repositories in production, in-memory
fakes in the unit tests), and one frozen bundle of them per area of use cases."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from jinja2 import Environment

from services.reporting.metrics import ReportingMetrics
from services.reporting.unrouted import Unrouted
from shared.clock import utcnow
from shared.contracts import Envelope
from shared.directory import Commune, Dialogue

Doc = dict[str, Any]


class Directory(Protocol):
    """The communes and their dialogue plans (reference data, read only here)."""

    async def commune(self, commune_id: str) -> Commune | None: ...
    async def dialogue(self, commune_id: str, dialogue_id: str) -> Dialogue | None: ...
    async def dialogues(self, commune_id: str) -> list[Dialogue]: ...
    async def deadline_marks(self, commune_id: str, dialogue_id: str) -> dict[str, dict[str, Any]]:
        """The plan's duties the Party office recorded as done, by deadline key."""
        ...


class ItemStore(Protocol):
    """The read model: one item per submission."""

    async def merge(self, commune_id: str, submission_id: str, fields: Doc) -> None: ...
    async def for_dialogue(self, commune_id: str, dialogue_id: str) -> list[Doc]: ...


class IntakeItems(Protocol):
    """What intake holds that the read model does not: the dialogue's submissions routing has
    not decided yet, and the received facts of items whose routed event did not carry them.
    Raises `TransientError` or `PermanentError` when intake does not answer them."""

    async def unrouted(self, commune_id: str, dialogue_id: str) -> Unrouted: ...
    async def received(
        self, commune_id: str, dialogue_id: str, submission_ids: Sequence[str]
    ) -> list[Doc]: ...


class DocumentStore(Protocol):
    """Issued documents, frozen with every format; `documents` is where their outbox entries are."""

    documents: Any

    async def latest_version(self, commune_id: str, dialogue_id: str, kind: str) -> int: ...
    async def store(self, doc: Doc, files: dict[str, bytes], event: Envelope) -> bool: ...
    async def for_dialogue(self, commune_id: str, dialogue_id: str) -> list[Doc]: ...
    async def issued_file(self, commune_id: str, document_id: str, fmt: str) -> bytes | None: ...


class TaskStore(Protocol):
    """Follow-up tasks (outbox entries in `tasks`), their history, and reminders (in `reminders`)."""

    tasks: Any
    reminders: Any

    async def create(self, commune_id: str, task: Doc, event: Envelope) -> bool: ...
    async def get(self, commune_id: str, task_id: str) -> Doc | None: ...
    async def take_over(self, commune_id: str, task_ids: list[str], by: Doc) -> int:
        """Marks earlier tasks taken over by a later one (`superseded_by`), keeping their status."""
        ...

    async def change_status(self, task: Doc, status: str, event: Envelope, entry: Doc) -> bool: ...
    async def for_dialogue(
        self, commune_id: str, dialogue_id: str, submission_ids: Sequence[str] | None = None
    ) -> list[Doc]:
        """With `submission_ids`: the tasks that follow one of them up only."""
        ...

    async def open_tasks(self, limit: int = 5000) -> list[Doc]: ...
    async def unresolved_before(self, commune_id: str, dialogue_ids: list[str]) -> list[Doc]: ...
    async def task_history(self, commune_id: str, task_id: str) -> list[Doc]: ...
    async def histories(self, commune_id: str, task_ids: list[str]) -> list[Doc]: ...
    async def record_reminder(self, commune_id: str, reminder_id: str, event: Envelope) -> bool: ...


class NumberRegister(Protocol):
    """Document numbers from 01 per type code per committee term, never repeated."""

    async def next(self, commune_id: str, term: str, type_code: str) -> int: ...


class Outbox(Protocol):
    """Publishes the events stored with a document; the relay retries what fails here."""

    async def flush_document(self, collection: Any, commune_id: str, doc_id: str) -> int: ...


class Renderer(Protocol):
    """The documents from the read model, with a commune's own templates first."""

    def render_one(
        self,
        kind: str,
        fmt: str,
        *,
        commune: Commune,
        dialogue: Dialogue,
        items: list[Doc],
        carried_over: list[Doc],
        number: int | None,
        issued_on: date,
        meeting: Doc | None = None,
        duties_done: Mapping[str, Doc] | None = None,
    ) -> bytes: ...

    def render_all(
        self,
        kind: str,
        *,
        commune: Commune,
        dialogue: Dialogue,
        items: list[Doc],
        carried_over: list[Doc],
        number: int | None,
        issued_on: date,
        meeting: Doc | None = None,
        duties_done: Mapping[str, Doc] | None = None,
    ) -> tuple[dict[str, bytes], str]: ...


class MeetingStore(Protocol):
    """Meeting records (outbox entries in `meetings`), compare-and-set by revision, and the audit
    of every edit."""

    meetings: Any

    async def get(self, commune_id: str, dialogue_id: str) -> Doc | None: ...
    async def save(self, record: Doc, expected_revision: int, event: Envelope | None) -> bool: ...
    async def set_attendance(self, commune_id: str, dialogue_id: str, attendance: Doc) -> bool: ...
    async def record_edit(self, commune_id: str, entry: Doc) -> None: ...
    async def lock(self, commune_id: str, dialogue_id: str) -> None: ...


class Submissions(Protocol):
    """Intake's one way in for a new item (its submissions API, called as reporting)."""

    async def submit(self, commune_id: str, body: Doc) -> Doc: ...


Clock = Callable[[], datetime]


@dataclass(frozen=True)
class ReadModelDeps:
    items: ItemStore
    metrics: ReportingMetrics


@dataclass(frozen=True)
class DocumentDeps:
    directory: Directory
    items: ItemStore
    documents: DocumentStore
    tasks: TaskStore
    numbers: NumberRegister
    outbox: Outbox
    renderer: Renderer
    metrics: ReportingMetrics
    templates: Environment  # finds the radio text template
    clock: Clock = utcnow
    meetings: MeetingStore | None = None  # the meeting record the minutes, notice and tasks follow
    # The items routing has not decided yet; None: the read model alone (items written by hand)
    intake: IntakeItems | None = None


@dataclass(frozen=True)
class MeetingDeps:
    directory: Directory
    items: ItemStore
    meetings: MeetingStore
    submissions: Submissions
    outbox: Outbox
    clock: Clock = utcnow
    # the earlier dialogues' tasks: their unresolved issues are listed to conclude on again (kéo
    # dài); None: this dialogue's issues only
    tasks: TaskStore | None = None


@dataclass(frozen=True)
class AttendanceDeps:
    meetings: MeetingStore


@dataclass(frozen=True)
class FollowUpDeps:
    directory: Directory
    items: ItemStore
    tasks: TaskStore
    outbox: Outbox
    metrics: ReportingMetrics
    remind_days_before: int
    clock: Clock = utcnow
    meetings: MeetingStore | None = None  # the meeting record whose reviewed summaries are public


__all__ = [
    "Clock",
    "Directory",
    "Doc",
    "DocumentDeps",
    "DocumentStore",
    "FollowUpDeps",
    "IntakeItems",
    "ItemStore",
    "MeetingDeps",
    "MeetingStore",
    "AttendanceDeps",
    "NumberRegister",
    "Outbox",
    "ReadModelDeps",
    "Renderer",
    "Submissions",
    "TaskStore",
]
