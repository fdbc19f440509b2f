"""Intake's own collections: submissions (with their outbox) and their status history."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from pymongo import ASCENDING, InsertOne, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError

from shared.group_commit import GroupWriter
from shared.outbox import ensure_outbox_index

SUBMISSIONS = "intake_submissions"
HISTORY = "intake_submission_history"


class SubmissionRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.submissions = db[SUBMISSIONS]
        self.history_entries = db[HISTORY]
        # Submissions and history entries written by concurrent requests and events go to the
        # store together (group commit); each caller still waits for its own write.
        self._submission_writes = GroupWriter(self.submissions)
        self._history_writes = GroupWriter(self.history_entries)

    async def ensure_indexes(self) -> None:
        await self.submissions.create_index(
            [("commune_id", ASCENDING), ("tracking_code", ASCENDING)], unique=True
        )
        await self.submissions.create_index(
            [("commune_id", ASCENDING), ("dialogue_id", ASCENDING), ("received_at", ASCENDING)]
        )
        await ensure_outbox_index(self.submissions)
        await self.history_entries.create_index(
            [("commune_id", ASCENDING), ("submission_id", ASCENDING), ("at", ASCENDING)]
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
        """The conclusion's follow-up status, due date and result; a later revision wins."""
        older = {
            "$or": [
                {"followup_revision": {"$lt": facts["followup_revision"]}},
                {"followup_revision": {"$exists": False}},
            ]
        }
        # `$and`, not `{**key, **older}`: nx-27017 applies a bare `$or` to the whole filter
        await self.submissions.update_one(
            {"$and": [{"_id": submission_id, "commune_id": commune_id}, older]}, {"$set": facts}
        )

    async def find(self, commune_id: str, query: dict, limit: int = 1000) -> list[dict]:
        cursor = (
            self.submissions.find({**query, "commune_id": commune_id}, {"outbox": 0, "submitter": 0})
            .sort("received_at", ASCENDING)
            .limit(limit)
        )
        return await cursor.to_list()

    async def advance(self, commune_id: str, submission_id: str, status: str, rank: int) -> None:
        """Move the status forward; a late or repeated event never moves it back."""
        await self._submission_writes.write(
            UpdateOne(
                {"_id": submission_id, "commune_id": commune_id, "status_rank": {"$lt": rank}},
                {"$set": {"status": status, "status_rank": rank}},
            )
        )

    async def add_history(self, entry: dict) -> bool:
        """Entries are keyed by the event that caused them: a redelivery adds nothing."""
        return await self._history_writes.insert(entry)

    async def history(self, commune_id: str, submission_id: str) -> list[dict]:
        cursor = self.history_entries.find({"commune_id": commune_id, "submission_id": submission_id}).sort(
            "at", ASCENDING
        )
        return await cursor.to_list()

    async def count(self, commune_id: str) -> int:
        return await self.submissions.count_documents({"commune_id": commune_id})


class _Indexed(Protocol):
    async def ensure_indexes(self) -> None: ...


async def ensure_indexes(*stores: _Indexed) -> None:
    """Every index the service's collections need (idempotent; run at start-up)."""
    for store in stores:
        await store.ensure_indexes()
