"""Intake's own collections: submissions (with their outbox) and their status history.

Every read on the hot path addresses documents by `_id` or by an index the wire store uses: a
submission by its id or its tracking code, its history entries by the `_id`s the submission
lists (`history_entry_ids`: entry key -> entry `_id`, set by `list_history_entry` with each
entry). The wire store answered the earlier read of a history by commune and submission by
scanning the commune's entries, its index notwithstanding (23.8 ms at 20,000 entries, growing).
Entries stored before submissions listed them are listed once, at start-up
(`list_stored_history`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from pymongo import ASCENDING, DESCENDING, InsertOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from shared.clock import utcnow
from shared.group_commit import GroupWriter
from shared.outbox import ensure_outbox_index

SUBMISSIONS = "intake_submissions"
HISTORY = "intake_submission_history"
MIGRATIONS = "intake_migrations"
# On a submission: {entry key: entry `_id`} of its history entries, a map rather than an array
# so that setting one key is idempotent and needs no existing field (the wire store's
# `$addToSet` silently does nothing on a document without the array).
HISTORY_IDS = "history_entry_ids"
# The migration that listed the entries stored before `HISTORY_IDS` existed: done once per store.
HISTORY_LISTED = "history_entry_ids_v1"
_MIGRATION_CHUNK = 1000


FOLLOWUP_ATTEMPTS = 8  # each follow-up event stored meanwhile for the same submission is one attempt
_FOLLOWUP = {"followup_task": 1, "followup_revision": 1, "followup_superseded": 1}


def followup_wins(stored: Mapping[str, Any], incoming: Mapping[str, Any]) -> bool:
    """Whether a follow-up's facts (`followup_task`, `followup_revision`, `followup_superseded`: the
    earlier tasks it takes over) replace those stored on a submission. A task that took over
    another (a carried-over issue concluded again in a later dialogue) wins over it from its first
    revision, and the one taken over never wins again; within one task a later revision wins, as
    between two tasks neither of which took over the other. Stored facts that name no task
    (recorded before tasks were named) yield to a later revision or to a task taking one over.
    A redelivered or late event loses: its facts are stored already or superseded."""
    if stored.get("followup_revision") is None:
        return True
    task = incoming.get("followup_task")
    if task in (stored.get("followup_superseded") or ()):
        return False
    held = stored.get("followup_task")
    takes_over = tuple(incoming.get("followup_superseded") or ())
    if held is not None and held != task and held in takes_over:
        return True
    if held is None and takes_over:
        return True
    return int(incoming["followup_revision"]) > int(stored["followup_revision"])


def history_key(entry_id: str) -> str:
    """The entry's key in its submission's `HISTORY_IDS`: a field name ('.' and a leading '$'
    would be paths and operators), distinct for distinct ids."""
    return entry_id.replace("%", "%25").replace(".", "%2E").replace("$", "%24")


def history_ids(entry_ids: Sequence[str]) -> dict[str, str]:
    """The `HISTORY_IDS` of a submission whose history holds `entry_ids` (for bulk seeding)."""
    return {history_key(entry_id): entry_id for entry_id in entry_ids}


class SubmissionRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.submissions = db[SUBMISSIONS]
        self.history_entries = db[HISTORY]
        self.migrations = db[MIGRATIONS]
        # Submissions and history entries written by concurrent requests and events go to the
        # store together (group commit); each caller still waits for its own write.
        self._submission_writes = GroupWriter(self.submissions)
        self._history_writes = GroupWriter(self.history_entries)

    async def ensure_indexes(self) -> None:
        await self.submissions.create_index(
            [("commune_id", ASCENDING), ("tracking_code", ASCENDING)], unique=True
        )
        # The look-up by code goes by this one: the wire store answers the filter by commune and
        # code by scanning the commune's submissions, the unique index above notwithstanding
        # (41 ms at 10,000 submissions; 1.4 ms with it). Codes stay unique per commune (above).
        await self.submissions.create_index([("tracking_code", ASCENDING)])
        await self.submissions.create_index(
            [("commune_id", ASCENDING), ("dialogue_id", ASCENDING), ("received_at", ASCENDING)]
        )
        # An issue's items (`raised.issue_raised`, on every tracking view): the filter is by commune
        # and cluster, but the wire store answers it from a compound index led by the commune by
        # scanning the commune's submissions; by this one it reads the cluster's few items.
        await self.submissions.create_index([("cluster_id", ASCENDING)])
        await ensure_outbox_index(self.submissions)
        await self.history_entries.create_index(
            [("commune_id", ASCENDING), ("submission_id", ASCENDING), ("at", ASCENDING)]
        )
        await self.list_stored_history()

    async def list_stored_history(self) -> int:
        """One-off (the first start of this version on a store): every history entry already
        stored is listed in its submission's `HISTORY_IDS`, so a commune's earlier history is
        still shown. Idempotent (a key set twice is set once), so replicas starting together or
        a start interrupted half-way are harmless; marked done in `MIGRATIONS` at the end.
        Returns how many entries it listed. Streams the entries in chunks (bounded memory)."""
        if await self.migrations.find_one({"_id": HISTORY_LISTED}, {"_id": 1}):
            return 0
        listed = 0
        chunk: dict[tuple[str, str], dict[str, str]] = {}
        entries = self.history_entries.find({}, {"commune_id": 1, "submission_id": 1})
        async for entry in entries:
            key = (entry["commune_id"], entry["submission_id"])
            chunk.setdefault(key, {})[f"{HISTORY_IDS}.{history_key(entry['_id'])}"] = entry["_id"]
            listed += 1
            if listed % _MIGRATION_CHUNK == 0:
                await self._list_entries(chunk)
                chunk = {}
        await self._list_entries(chunk)
        await self.mark_history_listed(listed)
        return listed

    async def mark_history_listed(self, entries: int = 0) -> None:
        """Every stored entry is listed in its submission (the migration's end, or a store
        seeded in this layout): later starts skip the migration."""
        await self.migrations.update_one(
            {"_id": HISTORY_LISTED}, {"$set": {"done_at": utcnow(), "entries": entries}}, upsert=True
        )

    async def _list_entries(self, chunk: dict[tuple[str, str], dict[str, str]]) -> None:
        if chunk:
            await self.submissions.bulk_write(
                [
                    UpdateOne({"_id": submission_id, "commune_id": commune_id}, {"$set": keys})
                    for (commune_id, submission_id), keys in chunk.items()
                ],
                ordered=False,
            )

    async def insert(self, doc: dict) -> None:
        """Raises DuplicateKeyError when the id or the tracking code is taken."""
        await self._submission_writes.write(InsertOne(doc))

    async def insert_new(
        self, docs: list[dict[str, Any]]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """One unordered `insert_many`: (the documents it inserted, those whose tracking code was
        taken). A document whose `_id` is already stored was stored by an earlier run: skipped."""
        try:
            await self.submissions.insert_many(docs, ordered=False)
        except BulkWriteError as exc:
            failed = {e["index"]: e for e in exc.details.get("writeErrors", [])}
            if any(e.get("code") != 11000 for e in failed.values()):
                raise
            collided = [
                docs[i]
                for i, e in failed.items()
                if "tracking_code" in str(e.get("keyValue") or e.get("errmsg", ""))
            ]
            return [d for i, d in enumerate(docs) if i not in failed], collided
        return docs, []

    async def pending_outboxes(self, commune_id: str, ids: Sequence[str]) -> list[dict[str, Any]]:
        query = {"_id": {"$in": list(ids)}, "commune_id": commune_id, "outbox_pending": True}
        return await self.submissions.find(query, {"outbox": 1, "outbox_at": 1, "commune_id": 1}).to_list()

    async def get(self, commune_id: str, submission_id: str) -> dict | None:
        return await self.submissions.find_one(
            {"_id": submission_id, "commune_id": commune_id}, {"outbox": 0}
        )

    async def by_tracking_code(self, commune_id: str, code: str) -> dict | None:
        return await self.submissions.find_one(
            {"commune_id": commune_id, "tracking_code": code}, {"outbox": 0}
        )

    async def record_facts(self, commune_id: str, submission_id: str, facts: dict) -> None:
        """Facts an event carries (topic, office) are set whatever the order of events; a later
        routing revision is never overwritten by an earlier one."""
        await self._submission_writes.write(
            UpdateOne(
                {
                    "_id": submission_id,
                    "commune_id": commune_id,
                    "routing_revision": {"$lt": facts["routing_revision"]},
                },
                {"$set": facts},
            )
        )

    async def record_followup(self, commune_id: str, submission_id: str, facts: dict) -> None:
        """The conclusion's follow-up status, due date and result, when they are newer than those
        stored (`followup_wins`): a compare-and-set on the stored task and revision, read again when
        another event changed them meanwhile. `followup_superseded` in `facts`: the tasks this one
        takes over, added to those the submission refuses from then on."""
        key = {"_id": submission_id, "commune_id": commune_id}
        for _ in range(FOLLOWUP_ATTEMPTS):
            stored = await self.submissions.find_one(key, _FOLLOWUP)
            if stored is None or not followup_wins(stored, facts):
                return
            superseded = sorted(
                {*stored.get("followup_superseded", ()), *facts.get("followup_superseded", ())}
            )
            # equality with None matches a field not stored yet, as the first follow-up finds it
            unchanged = {field: stored.get(field) for field in ("followup_task", "followup_revision")}
            written = await self.submissions.update_one(
                {**key, **unchanged}, {"$set": {**facts, "followup_superseded": superseded}}
            )
            if written.matched_count:
                return
        raise RuntimeError(f"follow-up of {submission_id} kept changing; the event is retried")

    async def find(self, commune_id: str, query: dict, limit: int = 1000) -> list[dict]:
        """The latest `limit` submissions matching `query`, oldest first (a list that stops at
        its bound leaves out the oldest, not this week's)."""
        cursor = (
            self.submissions.find(
                {**query, "commune_id": commune_id}, {"outbox": 0, "submitter": 0, HISTORY_IDS: 0}
            )
            .sort("received_at", DESCENDING)
            .limit(limit)
        )
        return list(reversed(await cursor.to_list()))

    async def advance(self, commune_id: str, submission_id: str, status: str, rank: int) -> None:
        """Move the status forward; a late or repeated event never moves it back."""
        await self._submission_writes.write(
            UpdateOne(
                {"_id": submission_id, "commune_id": commune_id, "status_rank": {"$lt": rank}},
                {"$set": {"status": status, "status_rank": rank}},
            )
        )

    async def add_history(self, entry: dict) -> bool:
        """Entries are keyed by the event that caused them: a redelivery adds nothing. The entry
        is shown once its submission lists it too (`list_history_entry`, written alongside)."""
        return await self._history_writes.insert(entry)

    async def list_history_entry(self, commune_id: str, submission_id: str, entry_id: str) -> None:
        """List the history entry `entry_id` in its submission (idempotent; grouped with the
        submission's other writes of the same event)."""
        await self._submission_writes.write(
            UpdateOne(
                {"_id": submission_id, "commune_id": commune_id},
                {"$set": {f"{HISTORY_IDS}.{history_key(entry_id)}": entry_id}},
            )
        )

    async def history(self, doc: Mapping[str, Any]) -> list[dict]:
        """The history entries of the submission `doc` (as read from this repository), oldest
        first: read by the `_id`s it lists, no read at all when it lists none."""
        entry_ids = list((doc.get(HISTORY_IDS) or {}).values())
        if not entry_ids:
            return []
        query = {"_id": {"$in": entry_ids}, "commune_id": doc["commune_id"], "submission_id": doc["_id"]}
        entries = await self.history_entries.find(query).to_list()
        return sorted(entries, key=lambda entry: entry["at"])

    async def count(self, commune_id: str) -> int:
        return await self.submissions.count_documents({"commune_id": commune_id})


class _Indexed(Protocol):
    async def ensure_indexes(self) -> None: ...


async def ensure_indexes(*stores: _Indexed) -> None:
    """Every index the service's collections need (idempotent; run at start-up)."""
    for store in stores:
        await store.ensure_indexes()
