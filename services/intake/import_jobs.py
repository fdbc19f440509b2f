"""Bulk import jobs: a checked file's good rows become submissions in batched writes.

The upload is checked at once (importer.py) and stored as one job document before the page
answers: the rows to store, the per-row errors, who sent it. Nothing is acknowledged before it
is stored. Then a worker stores the rows in batches of `import_batch_size`:

- one `insert_many` per batch (unordered); each submission's id is `<job>-<row>`, so a batch run
  again after a crash inserts nothing twice (the duplicate `_id`s are skipped);
- a tracking-code collision (unique per commune) gets a new code and is inserted again;
- each row is built, stored and counted by the same use case as a single submission
  (`handlers.submissions.store_many`), its `submission.received.v1` in its own outbox; the
  batch's events are published together (`publish_stored`, while the next batch is written),
  whose outbox clears of one collection go together in a few bulk writes. Whatever a crash
  leaves unpublished, the outbox relay publishes.
- the job's progress (`stored`) is written after every batch: that is what the progress bar shows.

A job is worked by whoever holds its lease. Every intake replica looks for jobs whose lease ran
out (its worker died) and takes them over, starting at the first batch not recorded as stored.
The same file sent twice to the same dialogue is the same job (its id is the file's hash), so a
double click or a resend imports nothing twice.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from dataclasses import dataclass
from functools import partial
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.intake.handlers.submissions import (
    ImportRef,
    SubmitCommand,
    SubmitDeps,
    build_document,
    publish_left_behind,
    publish_stored,
    store_many,
    wait_admitted,
)
from services.intake.importer import ImportResult
from services.intake.schemas import SubmissionIn
from shared.clock import iso, utcnow
from shared.contracts import Kind, Organisation, Source
from shared.directory import Commune, DirectoryReader

log = logging.getLogger(__name__)

IMPORT_JOBS = "intake_import_jobs"
MAX_ERRORS_KEPT = 2000  # the report lists this many; the count is always complete
LEASE_S = 60.0


def job_id_for(commune_id: str, dialogue_id: str, content: bytes) -> str:
    digest = hashlib.sha256(b"\0".join([commune_id.encode(), dialogue_id.encode(), content])).hexdigest()
    return f"imp-{digest[:20]}"


def row_fields(row) -> list[Any]:
    """One good row, compact, as the job stores it."""
    s: SubmissionIn = row.submission
    return [
        row.row,
        s.source.value,
        s.organisation.value if s.organisation else None,
        s.kind.value,
        s.text,
        s.hamlet,
        s.submitter_name,
        s.contact,
        row.topic_hint,
    ]


@dataclass(frozen=True)
class JobProgress:
    id: str
    state: str  # queued | running | done
    total: int  # non-empty rows in the file
    valid: int
    stored: int
    errors: list[dict]
    errors_total: int
    error_rows: int
    filename: str
    uploaded_by: str
    created_at: str
    finished_at: str | None

    @property
    def percent(self) -> int:
        return 100 if self.valid == 0 else min(100, round(100 * self.stored / self.valid))

    @classmethod
    def from_doc(cls, doc: dict) -> JobProgress:
        return cls(
            id=doc["_id"],
            state=doc["state"],
            total=int(doc["total"]),
            valid=int(doc["valid"]),
            stored=int(doc.get("stored") or 0),
            errors=list(doc.get("errors") or ()),
            errors_total=int(doc.get("errors_total") or 0),
            error_rows=int(doc.get("error_rows") or 0),
            filename=doc.get("filename", ""),
            uploaded_by=doc.get("uploaded_by", ""),
            created_at=doc.get("created_at", ""),
            finished_at=doc.get("finished_at"),
        )


class ImportJobs:
    def __init__(
        self, db: AsyncDatabase, directory: DirectoryReader, submissions: SubmitDeps, *, batch_size: int
    ) -> None:
        self.jobs = db[IMPORT_JOBS]
        self._directory = directory
        self._submissions = submissions
        self._batch = batch_size
        self._running: set[asyncio.Task] = set()  # keeps the started workers referenced until they end

    async def ensure_indexes(self) -> None:
        await self.jobs.create_index([("commune_id", ASCENDING), ("created_at", ASCENDING)])
        await self.jobs.create_index([("state", ASCENDING), ("lease_until", ASCENDING)])

    async def create(
        self,
        *,
        commune_id: str,
        dialogue_id: str,
        filename: str,
        content: bytes,
        result: ImportResult,
        by: str,
    ) -> tuple[str, bool]:
        """Store the job; (its id, whether it is new). The same file twice is the same job."""
        job_id = job_id_for(commune_id, dialogue_id, content)
        doc = {
            "_id": job_id,
            "commune_id": commune_id,
            "dialogue_id": dialogue_id,
            "filename": filename[:200],
            "size": len(content),
            "uploaded_by": by,
            "created_at": iso(utcnow()),
            "state": "queued" if result.rows else "done",
            "lease_until": 0.0,
            "total": result.total,
            "valid": len(result.rows),
            "stored": 0,
            "rows": [row_fields(r) for r in result.rows],
            "errors": [
                {"row": e.row, "column": e.column_label, "reason": e.reason}
                for e in result.errors[:MAX_ERRORS_KEPT]
            ],
            "errors_total": len(result.errors),
            "error_rows": len({e.row for e in result.errors}),
            "finished_at": None if result.rows else iso(utcnow()),
        }
        try:
            await self.jobs.insert_one(doc)
        except DuplicateKeyError:
            return job_id, False
        return job_id, True

    async def progress(self, commune_id: str, job_id: str) -> JobProgress | None:
        doc = await self.jobs.find_one({"_id": job_id, "commune_id": commune_id}, {"rows": 0})
        return JobProgress.from_doc(doc) if doc else None

    async def recent(self, commune_id: str, limit: int = 10) -> list[JobProgress]:
        docs = (
            await self.jobs.find({"commune_id": commune_id}, {"rows": 0, "errors": 0})
            .sort("created_at", -1)
            .limit(limit)
            .to_list()
        )
        return [JobProgress.from_doc(d) for d in docs]

    def start(self, job_id: str) -> None:
        """Work the job now, in this process (the page answers without waiting)."""
        task = asyncio.create_task(self.run(job_id), name=f"import-{job_id}")
        self._running.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task) -> None:
        self._running.discard(task)
        if (
            not task.cancelled() and task.exception() is not None
        ):  # its lease runs out and a replica takes it over
            log.warning(
                "import job stopped; it will be taken over",
                exc_info=task.exception(),
                extra={"task": task.get_name()},
            )

    async def resume_stalled(self) -> int:
        """Take over jobs whose worker died (lease ran out). Returns how many were taken."""
        stalled = (
            await self.jobs.find(
                {"state": {"$in": ["queued", "running"]}, "lease_until": {"$lt": time.time()}}, {"_id": 1}
            )
            .limit(5)
            .to_list()
        )
        for doc in stalled:
            await self.run(doc["_id"])
        return len(stalled)

    async def _claim(self, job_id: str) -> dict | None:
        return await self.jobs.find_one_and_update(
            {"_id": job_id, "state": {"$in": ["queued", "running"]}, "lease_until": {"$lt": time.time()}},
            {"$set": {"state": "running", "lease_until": time.time() + LEASE_S}},
            return_document=ReturnDocument.AFTER,
        )

    async def _renew(self, job_id: str) -> None:
        await self.jobs.update_one({"_id": job_id}, {"$set": {"lease_until": time.time() + LEASE_S}})

    async def run(self, job_id: str) -> None:
        job = await self._claim(job_id)
        if job is None:
            return  # done, or another worker holds it
        rows: list[list[Any]] = job["rows"]
        stored = int(job.get("stored") or 0)
        found = await self._directory.commune(job["commune_id"])
        if found is None:
            log.warning("import job's commune is gone", extra={"job_id": job_id})
            rows = []
        # the dialogue the file was sent to, for every row
        commune = found.model_copy(update={"current_dialogue_id": job["dialogue_id"]}) if found else None
        publishing: asyncio.Task | None = (
            None  # the previous batch's events go out while this batch is written
        )
        if commune is not None and rows:
            # A worker of this process that stopped mid-job left its last rows stored but maybe
            # unpublished; the relay takes over only a dead process's outbox.
            written = [f"{job_id}-{fields[0]}" for fields in rows[: stored + self._batch]]
            await publish_left_behind(self._submissions, commune.id, written)
        while stored < len(rows):
            chunk = rows[stored : stored + self._batch]
            commands = [command_for_row(job, commune, fields) for fields in chunk] if commune else []
            await wait_admitted(self._submissions, partial(self._renew, job_id))  # load shedding
            inserted = await store_many(self._submissions, commands)
            if publishing is not None:
                await publishing
            publishing = asyncio.create_task(publish_stored(self._submissions, inserted))
            stored += len(chunk)
            await self.jobs.update_one(
                {"_id": job_id}, {"$set": {"stored": stored, "lease_until": time.time() + LEASE_S}}
            )
        if publishing is not None:
            await publishing
        await self.jobs.update_one(
            {"_id": job_id}, {"$set": {"state": "done", "finished_at": iso(utcnow()), "rows": []}}
        )
        log.info(
            "import job done", extra={"job_id": job_id, "commune_id": job["commune_id"], "stored": stored}
        )

    def build_submission(self, job: dict, commune: Commune, fields: list[Any]) -> dict:
        """The submission document a row of the job is stored as (a new tracking code each call)."""
        return build_document(command_for_row(job, commune, fields), utcnow())


def command_for_row(job: dict, commune: Commune, fields: list[Any]) -> SubmitCommand:
    """A row as the job stores it (`row_fields`), for the job's dialogue, under the id `<job>-<row>`."""
    row, source, organisation, kind, text, hamlet, name, contact, topic = fields
    body = SubmissionIn.model_construct(
        source=Source(source),
        organisation=Organisation(organisation) if organisation else None,
        kind=Kind(kind),
        text=text,
        hamlet=hamlet,
        submitter_name=name,
        contact=contact,
    )
    if commune.current_dialogue_id != job["dialogue_id"]:  # run() pins it once per job
        commune = commune.model_copy(update={"current_dialogue_id": job["dialogue_id"]})
    return SubmitCommand(
        commune,
        body,
        correlation_id=job["_id"],
        service_code_hint=str(topic) if topic is not None else None,
        entered_by=job["uploaded_by"],
        submission_id=f"{job['_id']}-{row}",
        imported=ImportRef(job["_id"], row),
    )
