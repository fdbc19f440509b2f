"""The delivery log of scheduled work (invitations, reminders): one document per delivery id.

The id says what is delivered to whom for which plan version, so the same invitation is
never sent twice; a claim with a lease makes replicas take turns rather than send twice."""

from __future__ import annotations

import time

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.clock import iso, utcnow

DELIVERIES = "notification_deliveries"


class DeliveryLog:
    def __init__(self, db: AsyncDatabase) -> None:
        self.deliveries = db[DELIVERIES]

    async def ensure_indexes(self) -> None:
        await self.deliveries.create_index([("commune_id", ASCENDING), ("dialogue_id", ASCENDING), ("kind", ASCENDING), ("status", ASCENDING)])

    async def open(self, doc: dict) -> dict:
        try:
            await self.deliveries.insert_one({**doc, "status": "pending", "attempts": 0, "claimed_until": 0, "created_at": iso(utcnow())})
        except DuplicateKeyError:
            pass
        return await self.deliveries.find_one({"_id": doc["_id"], "commune_id": doc["commune_id"]})

    async def claim(self, commune_id: str, delivery_id: str, lease_s: float) -> bool:
        now = time.time()
        result = await self.deliveries.update_one(
            {"_id": delivery_id, "commune_id": commune_id, "status": "pending", "claimed_until": {"$lt": now}},
            {"$set": {"claimed_until": now + lease_s}, "$inc": {"attempts": 1}},
        )
        return result.modified_count == 1

    async def finish(self, commune_id: str, delivery_id: str, status: str, reason: str | None = None) -> None:
        await self.deliveries.update_one(
            {"_id": delivery_id, "commune_id": commune_id}, {"$set": {"status": status, "reason": reason, "finished_at": iso(utcnow()), "claimed_until": 0}}
        )

    async def release(self, commune_id: str, delivery_id: str, reason: str) -> None:
        await self.deliveries.update_one({"_id": delivery_id, "commune_id": commune_id}, {"$set": {"claimed_until": 0, "reason": reason}})

    async def sent_recipients(self, commune_id: str, dialogue_id: str, kind: str) -> set[str]:
        cursor = self.deliveries.find({"commune_id": commune_id, "dialogue_id": dialogue_id, "kind": kind, "status": "sent"}, {"recipient_id": 1})
        return {doc["recipient_id"] async for doc in cursor}

    async def for_dialogue(self, commune_id: str, dialogue_id: str) -> list[dict]:
        return await self.deliveries.find({"commune_id": commune_id, "dialogue_id": dialogue_id}).sort("created_at", ASCENDING).to_list()
