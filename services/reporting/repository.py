"""Reporting's read model: one item per submission, built from the events that mention it."""

from __future__ import annotations

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.group_commit import GroupWriter

ITEMS = "reporting_items"


class ItemRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.items = db[ITEMS]
        self._writes = GroupWriter(self.items)  # concurrent events' merges in one command

    async def ensure_indexes(self) -> None:
        await self.items.create_index(
            [
                ("commune_id", ASCENDING),
                ("dialogue_id", ASCENDING),
                ("topic", ASCENDING),
                ("received_at", ASCENDING),
            ]
        )

    async def merge(self, commune_id: str, submission_id: str, fields: dict) -> None:
        """Idempotent: each event sets the facts it carries, in any order, as often as delivered;
        routing facts only move forward (a later revision is never overwritten by an earlier).
        Every write goes through the group writer: no write here needs to know what it matched."""
        key = {"_id": submission_id, "commune_id": commune_id}
        if "routing_revision" not in fields:
            await self._upsert(key, fields)
            return
        # The usual case, the first routing of an item only received (or not yet seen): one
        # upsert of an item without routing facts. An item that has them already makes the
        # upsert try to insert its id again, and the store refuses it: then only an older
        # revision is overwritten.
        try:
            await self._writes.write(
                UpdateOne({**key, "routing_revision": {"$exists": False}}, {"$set": fields}, upsert=True)
            )
        except DuplicateKeyError:
            await self._writes.write(
                UpdateOne({**key, "routing_revision": {"$lt": fields["routing_revision"]}}, {"$set": fields})
            )

    async def _upsert(self, key: dict, fields: dict) -> None:
        try:
            await self._writes.write(UpdateOne(key, {"$set": fields}, upsert=True))
        except DuplicateKeyError:  # two upserts of a new item raced to insert it: now it exists
            await self._writes.write(UpdateOne(key, {"$set": fields}))

    async def for_dialogue(self, commune_id: str, dialogue_id: str) -> list[dict]:
        cursor = self.items.find({"commune_id": commune_id, "dialogue_id": dialogue_id}).sort(
            "received_at", ASCENDING
        )
        return await cursor.to_list()
