"""Notification's own collections.

- `notification_notifications`: one per (routed event, channel), created `pending`, with the
  number of delivery attempts.
- `notification_outcomes`: the final status (sent or failed) with its event in the outbox,
  inserted once under the notification's id, so a notification can finish only once.
"""

from __future__ import annotations

import time

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.clock import utcnow
from shared.contracts import Envelope
from shared.errors import PermanentError
from shared.group_commit import GroupWriter
from shared.outbox import ensure_outbox_index, outbox_fields

NOTIFICATIONS = "notification_notifications"
OUTCOMES = "notification_outcomes"


class NotificationRepository:
    def __init__(self, db: AsyncDatabase) -> None:
        self.notifications = db[NOTIFICATIONS]
        self.outcomes = db[OUTCOMES]
        # Concurrent deliveries' first claims and outcomes go to the store together.
        self._notification_inserts = GroupWriter(self.notifications)
        self._outcome_inserts = GroupWriter(self.outcomes)

    async def ensure_indexes(self) -> None:
        await self.notifications.create_index([("commune_id", ASCENDING), ("submission_id", ASCENDING)])
        await self.outcomes.create_index([("commune_id", ASCENDING), ("status", ASCENDING)])
        await ensure_outbox_index(self.outcomes)

    async def get_or_create(self, doc: dict) -> dict:
        """The notification as stored, created on first sight."""
        try:
            await self.notifications.insert_one(
                {**doc, "attempts": 0, "claimed_until": 0, "created_at": utcnow()}
            )
        except DuplicateKeyError:
            pass
        stored = await self.notifications.find_one({"_id": doc["_id"], "commune_id": doc["commune_id"]})
        if stored is None:  # the id is another commune's
            raise PermanentError(f"notification id {doc['_id']} is taken")
        return dict(stored)

    async def create_claimed(self, doc: dict, lease_s: float) -> bool:
        """Create the notification already claimed for `lease_s` seconds by its creator (what
        `get_or_create` then `claim` do, in one write); False if it exists: then `outcome` and
        `claim` decide as before."""
        return await self._notification_inserts.insert(
            {**doc, "attempts": 1, "claimed_until": time.time() + lease_s, "created_at": utcnow()}
        )

    async def outcome(self, commune_id: str, notification_id: str) -> dict | None:
        return await self.outcomes.find_one({"_id": notification_id, "commune_id": commune_id}, {"outbox": 0})

    async def claim(self, commune_id: str, notification_id: str, lease_s: float) -> bool:
        """Take the right to send for `lease_s` seconds; False while another worker holds it.

        Two deliveries of one event can run at once (aio-pika runs deliveries concurrently,
        and replicas compete); only the holder of the claim talks to the mail server. The
        lease is an epoch number: it must compare as a number on every store."""
        now = time.time()
        result = await self.notifications.update_one(
            {"_id": notification_id, "commune_id": commune_id, "claimed_until": {"$lt": now}},
            {"$set": {"claimed_until": now + lease_s}, "$inc": {"attempts": 1}},
        )
        return result.modified_count == 1

    async def release(self, commune_id: str, notification_id: str) -> None:
        await self.notifications.update_one(
            {"_id": notification_id, "commune_id": commune_id}, {"$set": {"claimed_until": 0}}
        )

    async def finish(
        self,
        commune_id: str,
        notification_id: str,
        status: str,
        envelope: Envelope,
        reason: str | None = None,
    ) -> dict | None:
        """Record the final status with its event: the stored outcome, or None if one was already recorded."""
        doc = {
            "_id": notification_id,
            "commune_id": commune_id,
            "status": status,
            "reason": reason,
            "finished_at": utcnow(),
            **outbox_fields([envelope]),
        }
        return doc if await self._outcome_inserts.insert(doc) else None
