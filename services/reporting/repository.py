"""Reporting's read model: one item per submission, built from the events that mention it."""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase

ITEMS = "reporting_items"


class ItemRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.items = db[ITEMS]

    async def ensure_indexes(self) -> None:
        await self.items.create_index([("commune_id", ASCENDING), ("dialogue_id", ASCENDING), ("topic", ASCENDING), ("received_at", ASCENDING)])

    async def merge(self, commune_id: str, submission_id: str, fields: dict) -> None:
        """Idempotent: each event sets the facts it carries, in any order, as often as delivered."""
        await self.items.update_one({"_id": submission_id, "commune_id": commune_id}, {"$set": fields}, upsert=True)

    async def for_dialogue(self, commune_id: str, dialogue_id: str) -> list[dict]:
        cursor = self.items.find({"commune_id": commune_id, "dialogue_id": dialogue_id}).sort("received_at", ASCENDING)
        return await cursor.to_list()
