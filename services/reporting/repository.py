"""Reporting's read model: one item per submission, built from the events that mention it."""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

ITEMS = "reporting_items"


class ItemRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.items = db[ITEMS]

    async def ensure_indexes(self) -> None:
        await self.items.create_index([("commune_id", ASCENDING), ("dialogue_id", ASCENDING), ("topic", ASCENDING), ("received_at", ASCENDING)])

    async def merge(self, commune_id: str, submission_id: str, fields: dict) -> None:
        """Idempotent: each event sets the facts it carries, in any order, as often as delivered;
        routing facts only move forward (a later revision is never overwritten by an earlier)."""
        key = {"_id": submission_id, "commune_id": commune_id}
        if "routing_revision" not in fields:
            await self.items.update_one(key, {"$set": fields}, upsert=True)
            return
        revision = fields["routing_revision"]
        # `$or` next to other conditions is wrapped in `$and`: nx-27017 (the test store) otherwise
        # applies it to the whole filter and updates another item (tests/contract/test_mongo_compat.py).
        older = {"$and": [key, {"$or": [{"routing_revision": {"$lt": revision}}, {"routing_revision": {"$exists": False}}]}]}
        for _ in range(2):  # the item may appear between our update and our insert
            if (await self.items.update_one(older, {"$set": fields})).matched_count:
                return
            try:
                await self.items.insert_one({**key, **fields})
                return
            except DuplicateKeyError:
                continue

    async def for_dialogue(self, commune_id: str, dialogue_id: str) -> list[dict]:
        cursor = self.items.find({"commune_id": commune_id, "dialogue_id": dialogue_id}).sort("received_at", ASCENDING)
        return await cursor.to_list()
