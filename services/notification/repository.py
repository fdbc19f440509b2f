"""Notification's own collections.

- `notification_notifications`: one per (routed event, channel), created `pending`, with the
  number of delivery attempts.
- `notification_outcomes`: the final status (sent or failed) with its event in the outbox,
  inserted once under the notification's id, so a notification can finish only once.
"""

from __future__ import annotations

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.clock import utcnow
from shared.contracts import Envelope
from shared.outbox import ensure_outbox_index, outbox_fields

NOTIFICATIONS = "notification_notifications"
OUTCOMES = "notification_outcomes"


class NotificationRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.notifications = db[NOTIFICATIONS]
        self.outcomes = db[OUTCOMES]

    async def ensure_indexes(self) -> None:
        await self.notifications.create_index([("commune_id", ASCENDING), ("submission_id", ASCENDING)])
        await self.outcomes.create_index([("commune_id", ASCENDING), ("status", ASCENDING)])
        await ensure_outbox_index(self.outcomes)

    async def get_or_create(self, doc: dict) -> dict:
        """The notification as stored, created on first sight."""
        try:
            await self.notifications.insert_one({**doc, "attempts": 0, "created_at": utcnow()})
        except DuplicateKeyError:
            pass
        return await self.notifications.find_one({"_id": doc["_id"], "commune_id": doc["commune_id"]})

    async def outcome(self, commune_id: str, notification_id: str) -> dict | None:
        return await self.outcomes.find_one({"_id": notification_id, "commune_id": commune_id}, {"outbox": 0})

    async def count_attempt(self, commune_id: str, notification_id: str) -> None:
        await self.notifications.update_one({"_id": notification_id, "commune_id": commune_id}, {"$inc": {"attempts": 1}})

    async def finish(self, commune_id: str, notification_id: str, status: str, envelope: Envelope, reason: str | None = None) -> bool:
        """Record the final status with its event; False if it was already recorded."""
        try:
            await self.outcomes.insert_one(
                {"_id": notification_id, "commune_id": commune_id, "status": status, "reason": reason, "finished_at": utcnow(), **outbox_fields([envelope])}
            )
        except DuplicateKeyError:
            return False
        return True
