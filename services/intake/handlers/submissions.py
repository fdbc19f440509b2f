"""Accepting submissions: the one use case behind the JSON API, the residents' form, the staff
entry form, Open311 and the bulk import.

Every adapter parses its own input into a `SubmitCommand` and renders the outcome; the rules
live here once:

- the pure builder (`logic.accept_submission`) checks the commune's open dialogue and the
  hamlet and puts the `submission.received.v1` event in the document's own outbox;
- an item raised at the meeting (source `at_meeting`) is sent by the service that keeps the
  meeting's record, with its own token (`SubmitDeps.meeting_recorders`); nobody else may claim
  that source, and the stored item names that service as its author; it may name its dialogue,
  which takes it while open and after its meeting was held until the notice is issued (the
  record is edited until then), so an issue raised on the floor is recorded after the meeting's
  end was saved and never lands in next year's plan (`meeting_dialogue`);
- an item in an institution's name (a hamlet party cell, the Front, a mass organisation, the
  People's Committee) comes only from who speaks for it (`speaks_for`): anyone may send a
  resident's item, nobody may put words in an institution's mouth;
- the document is stored (a taken tracking code gets a new one); a transient store failure is
  `StoreUnavailable` (the adapters answer 503 with Retry-After) and nothing is stored;
- once stored, its events are published at once as written (`publish`); a failed publish is
  logged and left to the outbox relay: stored is what counts;
- while the work queued ahead of routing exceeds its bound (`SubmitDeps.admission`,
  shared/backpressure.py), a new submission is refused before anything is stored
  (`Overloaded`, a `StoreUnavailable`: the adapters answer 503 with its Retry-After); a bulk
  import waits instead (`wait_admitted`);
- `doithoai_intake_submissions_total` counts each outcome once: accepted, rejected (by these
  rules or by the adapter's parsing, `record_refused`), unavailable.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from pymongo.errors import DuplicateKeyError

from services.intake.logic import SubmissionRejected, accept_submission, resolve_hamlet
from services.intake.metrics import IntakeMetrics
from services.intake.schemas import SubmissionIn
from shared.auth.principal import MANAGERS, Principal, PrincipalKind, Role, Scope
from shared.backpressure import Admission
from shared.clock import utcnow
from shared.contracts import PlanStatus, Source
from shared.directory import Commune, Dialogue
from shared.errors import is_transient

log = logging.getLogger(__name__)

Document = dict[str, Any]
TRACKING_CODE_ATTEMPTS = 5


class SubmissionStore(Protocol):
    async def insert(self, doc: Document) -> None:
        """Raises DuplicateKeyError when the id or the tracking code is taken."""

    async def insert_new(self, docs: list[Document]) -> tuple[list[Document], list[Document]]:
        """(inserted, tracking code taken); a document whose id is stored already is skipped."""
        ...

    async def pending_outboxes(self, commune_id: str, ids: Sequence[str]) -> list[Document]:
        """The documents among `ids` whose events are still unpublished (read by `_id`)."""
        ...


@dataclass(frozen=True)
class SubmitDeps:
    store: SubmissionStore
    # Publishes a stored document's outbox as written and clears it (`Outbox.publish_written`).
    publish: Callable[[Document], Awaitable[int]]
    metrics: IntakeMetrics
    clock: Callable[[], datetime] = utcnow
    # The services of the deployment that send the items raised at the meeting (`at_meeting`).
    meeting_recorders: frozenset[str] = frozenset()
    # Whether the pipeline takes more work now (load shedding); admits everything by default.
    admission: Admission = field(default_factory=Admission.always)
    # (commune id, dialogue id) -> the dialogue: the one an item raised at a meeting names.
    dialogues: Callable[[str, str], Awaitable[Dialogue | None]] | None = None


@dataclass(frozen=True)
class ImportRef:
    job_id: str
    row: int


@dataclass(frozen=True)
class SubmitCommand:
    commune: Commune  # as the adapter found it; its current dialogue receives the submission
    body: SubmissionIn
    correlation_id: str
    service_code_hint: str | None = None  # the topic the sender suggested, for routing
    entered_by: str | None = None  # the member of staff who typed it in for a resident
    submission_id: str | None = None  # fixed by a bulk import (`<job>-<row>`), else a new id
    imported: ImportRef | None = None
    principal: Principal | None = None  # who sent it, as the guard found them (None: anonymous)


@dataclass(frozen=True)
class Accepted:
    submission_id: str
    tracking_code: str
    commune_id: str


class StoreUnavailable(Exception):
    """The store could not take the submission (a transient failure): nothing was stored.
    The adapters answer 503 with `retry_after_s` and the bilingual reason."""

    code = "store_unavailable"
    vi = "Hệ thống tạm thời chưa lưu được ý kiến, vui lòng gửi lại sau ít phút."
    en = "The store is unavailable; nothing was saved. Retry later."
    retry_after_s = 5


class Overloaded(StoreUnavailable):
    """Refused before storing: the work queued ahead of routing exceeds its bound."""

    code = "overloaded"
    vi = (
        "Hệ thống đang nhận quá nhiều ý kiến cùng lúc, chưa có gì được ghi nhận. "
        "Vui lòng gửi lại sau ít phút."
    )
    en = "Too much work is queued; nothing was saved. Retry after the time in Retry-After."

    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"queued work over the bound; retry in {retry_after_s} s")
        self.retry_after_s = retry_after_s


AT_MEETING_REFUSED = SubmissionRejected(
    "source_not_allowed",
    "Nguồn “ý kiến tại hội nghị” chỉ do thư ký hội nghị ghi qua biên bản hội nghị; hãy chọn nguồn khác.",
    "Source 'at_meeting' is recorded only through the meeting record; choose another source.",
    field="source",
)


ORGANISATION_REQUIRED = SubmissionRejected(
    "organisation_required",
    "Ý kiến của đoàn thể cần ghi rõ đoàn thể nào (Phụ nữ, Nông dân, Cựu chiến binh, Thanh niên).",
    "An item of a mass organisation names which one (womens_union, farmers_union, "
    "veterans_association, youth_union).",
    field="organisation",
)


def not_speaking_for(source: Source) -> SubmissionRejected:
    return SubmissionRejected(
        "source_not_allowed",
        f"Chỉ tài khoản của {source.label_vi} (hoặc Văn phòng Đảng ủy, quản trị của xã nhập thay, hoặc "
        "khóa tích hợp của xã có quyền gửi) được gửi ý kiến với nguồn này; người dân gửi với nguồn "
        "“Người dân”.",
        f"Only an account of the sender named by source '{source.value}' (or the Party office or the "
        "commune's admin entering it for them, or the commune's integration key with the submit "
        "scope) may send with that source; residents send with source 'citizen'.",
        field="source",
    )


def speaks_for(by: Principal | None, command: SubmitCommand) -> bool:
    """Whether `by` may send `command` in the name of its source: a resident's item (citizen)
    anyone; a hamlet party cell's, the Front's, a mass organisation's or the People's
    Committee's only that sender's own account of this commune (a cell for its own hamlet, an
    organisation's account for that organisation, the Front's for any of them), the Party
    office or the commune's admin entering what reached them on paper, or the commune's
    integration key with `submit`."""
    source, commune = command.body.source, command.commune
    if source in (Source.CITIZEN, Source.AT_MEETING):  # at_meeting: `check_source`
        return True
    if by is None or by.commune_id != commune.id:
        return False
    if by.kind is PrincipalKind.API_KEY:
        return Scope.SUBMIT in by.scopes
    if by.has_role(MANAGERS):
        return True
    if source is Source.HAMLET_PARTY_CELL:
        own = next((h.name for h in commune.hamlets if h.id == by.hamlet_id), None)
        named = resolve_hamlet(commune, command.body.hamlet)
        return by.role is Role.HAMLET_CELL and own is not None and named == own
    if source is Source.FATHERLAND_FRONT:
        return by.role is Role.FRONT_ORG and by.organisation is None
    if source is Source.MASS_ORGANISATION:
        organisation = command.body.organisation
        # the Front's committee speaks for its member organisations too (as its imports do)
        return (
            by.role is Role.FRONT_ORG
            and organisation is not None
            and by.organisation in (None, organisation.value)
        )
    return source is Source.PEOPLES_COMMITTEE and by.role is Role.OFFICE_STAFF


def check_source(command: SubmitCommand, meeting_recorders: frozenset[str]) -> None:
    """An `at_meeting` item comes only from a meeting recorder's own token for this commune; an
    institution's item only from who speaks for it (`speaks_for`). A row of a bulk import had
    its source set by the uploader's account when the file was checked (`Importer`)."""
    by = command.principal
    if command.body.source is Source.AT_MEETING:
        if by is None or not by.is_service(meeting_recorders) or by.commune_id != command.commune.id:
            raise AT_MEETING_REFUSED
        return
    if command.body.source is Source.MASS_ORGANISATION and command.body.organisation is None:
        raise ORGANISATION_REQUIRED
    if command.imported is None and not speaks_for(by, command):
        raise not_speaking_for(command.body.source)


MEETING_OVER = SubmissionRejected(
    "dialogue_not_taking",
    "Đợt đối thoại này không nhận ý kiến nêu tại hội nghị: hội nghị chưa tổ chức, "
    "hoặc thông báo kết luận đã ban hành.",
    "This dialogue takes no item raised at its meeting (not held, or its conclusion notice is issued).",
    field="dialogue_id",
)


async def meeting_dialogue(deps: SubmitDeps, command: SubmitCommand) -> str | None:
    """The dialogue an item raised at a meeting names, when it takes the item: the commune's open
    one, or one whose meeting was held and whose notice is not issued yet (raises `MEETING_OVER`
    otherwise). None when the item names none: it goes to the open dialogue."""
    named = command.body.dialogue_id
    if named is None or named == command.commune.current_dialogue_id:
        return named
    dialogue = await deps.dialogues(command.commune.id, named) if deps.dialogues else None
    if dialogue is None or dialogue.status != PlanStatus.HELD:
        raise MEETING_OVER
    return named


def build_document(command: SubmitCommand, received_at: datetime, dialogue_id: str | None = None) -> Document:
    """The document to store for `command` (raises SubmissionRejected); a new tracking code each
    call. `dialogue_id`: as `meeting_dialogue` found it."""
    doc = accept_submission(
        command.body,
        command.commune,
        correlation_id=command.correlation_id,
        submission_id=command.submission_id,
        received_at=received_at,
        dialogue_id=dialogue_id,
    )
    if command.entered_by is not None:
        doc["entered_by"] = command.entered_by
    if command.imported is not None:
        doc.update({"import_job": command.imported.job_id, "import_row": command.imported.row})
    if command.service_code_hint is not None:
        doc["service_code_hint"] = command.service_code_hint
    if command.body.source is Source.AT_MEETING and command.principal is not None:
        doc["submitted_by"] = command.principal.name
    return doc


def record_refused(deps: SubmitDeps, commune_id: str) -> None:
    """An adapter refused the input before it became a command (its own parsing)."""
    deps.metrics.submitted(commune_id, "rejected").inc()


async def submit(deps: SubmitDeps, command: SubmitCommand) -> Accepted:
    """Store one submission and publish its event. Raises SubmissionRejected or StoreUnavailable
    (`Overloaded` included)."""
    if (retry_after_s := deps.admission.refusal(commune_id=command.commune.id)) is not None:
        deps.admission.refused()
        deps.metrics.submitted(command.commune.id, "unavailable").inc()
        raise Overloaded(retry_after_s)
    doc = await store_one(deps, command)
    await publish_stored(deps, [doc])
    return Accepted(doc["_id"], doc["tracking_code"], doc["commune_id"])


async def store_one(deps: SubmitDeps, command: SubmitCommand) -> Document:
    commune_id = command.commune.id
    try:
        check_source(command, deps.meeting_recorders)
        dialogue_id = await meeting_dialogue(deps, command)
        doc = build_document(command, deps.clock(), dialogue_id)
    except SubmissionRejected:
        record_refused(deps, commune_id)
        raise
    try:
        for _ in range(TRACKING_CODE_ATTEMPTS - 1):
            try:
                await deps.store.insert(doc)
                break
            except DuplicateKeyError:
                doc = build_document(command, doc["received_at"], dialogue_id)
        else:
            await deps.store.insert(doc)
    except Exception as exc:
        if not is_transient(exc):
            raise
        raise _unavailable(deps, commune_id, 1) from exc
    deps.metrics.submitted(commune_id, "accepted").inc()
    deps.admission.arrived(commune_id=commune_id)
    return doc


async def store_many(deps: SubmitDeps, commands: Sequence[SubmitCommand]) -> list[Document]:
    """Store a batch in one unordered write; returns the documents this call stored. Commands
    with a fixed `submission_id` make a rerun store nothing twice. A command the rules reject
    is counted and skipped; the others are stored."""
    if not commands:
        return []
    commune_id = commands[0].commune.id
    pending: list[tuple[SubmitCommand, Document]] = []
    for command in commands:
        try:
            check_source(command, deps.meeting_recorders)
            dialogue_id = await meeting_dialogue(deps, command)
            pending.append((command, build_document(command, deps.clock(), dialogue_id)))
        except SubmissionRejected as rejected:
            record_refused(deps, command.commune.id)
            log.warning(
                "a submission of a batch was rejected",
                extra={"correlation_id": command.correlation_id, "code": rejected.code},
            )
    stored: list[Document] = []
    for _ in range(TRACKING_CODE_ATTEMPTS):
        if not pending:
            break
        try:
            inserted, collided = await deps.store.insert_new([doc for _, doc in pending])
        except Exception as exc:
            if not is_transient(exc):
                raise
            raise _unavailable(deps, commune_id, len(pending)) from exc
        stored += inserted
        retry = {id(doc) for doc in collided}
        pending = [
            (command, build_document(command, doc["received_at"], doc["dialogue_id"]))
            for command, doc in pending
            if id(doc) in retry
        ]
    if pending:
        raise RuntimeError("could not find free tracking codes for a batch of submissions")
    if stored:
        deps.metrics.submitted(commune_id, "accepted").inc(len(stored))
        deps.admission.arrived(len(stored), commune_id)
    return stored


# A bulk import goes on only while the queue holds at most this share of the bound, so its
# batches leave the rest to residents' posts instead of keeping them shed for minutes.
IMPORT_SHARE = 0.5


async def wait_admitted(deps: SubmitDeps, keep_alive: Callable[[], Awaitable[object]]) -> None:
    """Wait while the pipeline holds more than `IMPORT_SHARE` of the work it admits (a bulk import
    pauses between batches instead of being refused), calling `keep_alive` (e.g. renew a lease)
    every few seconds meanwhile."""
    while (retry_after_s := deps.admission.refusal(IMPORT_SHARE)) is not None:
        await keep_alive()
        await asyncio.sleep(min(retry_after_s, 5))


async def publish_stored(deps: SubmitDeps, docs: Sequence[Document]) -> None:
    """Publish the stored documents' events now; what fails is left to the outbox relay."""
    if not docs:
        return
    try:
        if len(docs) == 1:  # a POST: no task of its own needed
            await deps.publish(docs[0])
        else:
            await asyncio.gather(*(deps.publish(doc) for doc in docs))
    except Exception:  # stored is what counts; the relay publishes what is left
        log.warning(
            "publish after store failed; outbox relay will retry",
            exc_info=True,
            extra={"submission_id": docs[0]["_id"], "count": len(docs)},
        )


async def publish_left_behind(deps: SubmitDeps, commune_id: str, ids: Sequence[str]) -> int:
    """Publish what an earlier run stored under `ids` but never published (a worker that stopped
    between storing and publishing, in a process that lives on, so no relay takes its outbox
    over). Returns how many documents were still pending."""
    left = await deps.store.pending_outboxes(commune_id, ids)
    await publish_stored(deps, left)
    return len(left)


async def submit_many(deps: SubmitDeps, commands: Sequence[SubmitCommand]) -> list[Accepted]:
    docs = await store_many(deps, commands)
    await publish_stored(deps, docs)
    return [Accepted(doc["_id"], doc["tracking_code"], doc["commune_id"]) for doc in docs]


def _unavailable(deps: SubmitDeps, commune_id: str, count: int) -> StoreUnavailable:
    deps.metrics.submitted(commune_id, "unavailable").inc(count)
    return StoreUnavailable(f"the store did not take {count} submission(s) of {commune_id}")
