"""Intake's own collections: submissions (with their outbox) and their status history."""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.directory import SUBMISSIONS
from shared.outbox import ensure_outbox_index

HISTORY = "intake_submission_history"


class SubmissionRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.submissions = db[SUBMISSIONS]
        self.history_entries = db[HISTORY]

    async def ensure_indexes(self) -> None:
        await self.submissions.create_index([("commune_id", ASCENDING), ("tracking_code", ASCENDING)], unique=True)
        await self.submissions.create_index([("commune_id", ASCENDING), ("dialogue_id", ASCENDING), ("received_at", ASCENDING)])
        await ensure_outbox_index(self.submissions)
        await self.history_entries.create_index([("commune_id", ASCENDING), ("submission_id", ASCENDING), ("at", ASCENDING)])

    async def insert(self, doc: dict) -> None:
        await self.submissions.insert_one(doc)

    async def get(self, commune_id: str, submission_id: str) -> dict | None:
        return await self.submissions.find_one({"_id": submission_id, "commune_id": commune_id}, {"outbox": 0})

    async def by_tracking_code(self, commune_id: str, code: str) -> dict | None:
        return await self.submissions.find_one({"commune_id": commune_id, "tracking_code": code}, {"outbox": 0})

    async def record_facts(self, commune_id: str, submission_id: str, facts: dict) -> None:
        """Facts an event carries (topic, office) are set whatever the order of events; a later
        routing revision is never overwritten by an earlier one."""
        await self.submissions.update_one(
            {"_id": submission_id, "commune_id": commune_id, "routing_revision": {"$lt": facts["routing_revision"]}}, {"$set": facts}
        )

    async def record_routing(self, commune_id: str, submission_id: str, facts: dict, status: str, rank: int) -> None:
        """`record_facts` and `advance` in one write when both move forward (the usual case: the
        first routing of a submission that was only received); otherwise each on its own."""
        result = await self.submissions.update_one(
            {"_id": submission_id, "commune_id": commune_id, "routing_revision": {"$lt": facts["routing_revision"]}, "status_rank": {"$lt": rank}},
            {"$set": {**facts, "status": status, "status_rank": rank}},
        )
        if result.matched_count == 0:
            await self.record_facts(commune_id, submission_id, facts)
            await self.advance(commune_id, submission_id, status, rank)

    async def record_followup(self, commune_id: str, submission_id: str, facts: dict) -> None:
        """The conclusion's follow-up status, due date and result; a later revision wins."""
        older = {"$or": [{"followup_revision": {"$lt": facts["followup_revision"]}}, {"followup_revision": {"$exists": False}}]}
        # `$and`, not `{**key, **older}`: nx-27017 applies a bare `$or` to the whole filter (see reporting's merge)
        await self.submissions.update_one({"$and": [{"_id": submission_id, "commune_id": commune_id}, older]}, {"$set": facts})

    async def find(self, commune_id: str, query: dict, limit: int = 1000) -> list[dict]:
        cursor = self.submissions.find({**query, "commune_id": commune_id}, {"outbox": 0, "submitter": 0}).sort("received_at", ASCENDING).limit(limit)
        return await cursor.to_list()

    async def advance(self, commune_id: str, submission_id: str, status: str, rank: int) -> bool:
        """Move the status forward; a late or repeated event never moves it back."""
        result = await self.submissions.update_one(
            {"_id": submission_id, "commune_id": commune_id, "status_rank": {"$lt": rank}},
            {"$set": {"status": status, "status_rank": rank}},
        )
        return result.modified_count == 1

    async def add_history(self, entry: dict) -> bool:
        """Entries are keyed by the event that caused them: a redelivery adds nothing."""
        try:
            await self.history_entries.insert_one(entry)
        except DuplicateKeyError:
            return False
        return True

    async def history(self, commune_id: str, submission_id: str) -> list[dict]:
        cursor = self.history_entries.find({"commune_id": commune_id, "submission_id": submission_id}).sort("at", ASCENDING)
        return await cursor.to_list()

    async def count(self, commune_id: str) -> int:
        return await self.submissions.count_documents({"commune_id": commune_id})


async def store_submission(repo: SubmissionRepository, doc: dict, rebuild, attempts: int = 5) -> dict:
    """Insert; on the (rare) tracking-code collision build the document anew with a new code."""
    for _ in range(attempts - 1):
        try:
            await repo.insert(doc)
            return doc
        except DuplicateKeyError:
            doc = rebuild()
    await repo.insert(doc)
    return doc
