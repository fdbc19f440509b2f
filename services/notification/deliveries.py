"""The delivery log of scheduled work (invitations, reminders): one document per delivery id.

The id says what is delivered to whom for which plan version, so the same invitation is
never sent twice; a claim with a lease makes replicas take turns rather than send twice."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from prometheus_client import CollectorRegistry, Counter, Gauge
from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.clock import iso, utcnow
from shared.errors import PermanentError
from shared.mongo import record_after_side_effect

DELIVERIES = "notification_deliveries"


class DeliveryLog:
    def __init__(self, db: AsyncDatabase) -> None:
        self.deliveries = db[DELIVERIES]

    async def ensure_indexes(self) -> None:
        await self.deliveries.create_index(
            [
                ("commune_id", ASCENDING),
                ("dialogue_id", ASCENDING),
                ("kind", ASCENDING),
                ("status", ASCENDING),
            ]
        )

    async def open(self, doc: dict) -> dict:
        try:
            await self.deliveries.insert_one(
                {**doc, "status": "pending", "attempts": 0, "claimed_until": 0, "created_at": iso(utcnow())}
            )
        except DuplicateKeyError:
            pass
        stored = await self.deliveries.find_one({"_id": doc["_id"], "commune_id": doc["commune_id"]})
        if stored is None:  # the id is another commune's
            raise PermanentError(f"delivery id {doc['_id']} is taken")
        return dict(stored)

    async def claim(self, commune_id: str, delivery_id: str, lease_s: float) -> bool:
        now = time.time()
        result = await self.deliveries.update_one(
            {
                "_id": delivery_id,
                "commune_id": commune_id,
                "status": "pending",
                "claimed_until": {"$lt": now},
            },
            {"$set": {"claimed_until": now + lease_s}, "$inc": {"attempts": 1}},
        )
        return result.modified_count == 1

    async def finish(self, commune_id: str, delivery_id: str, status: str, reason: str | None = None) -> None:
        await self.deliveries.update_one(
            {"_id": delivery_id, "commune_id": commune_id},
            {"$set": {"status": status, "reason": reason, "finished_at": iso(utcnow()), "claimed_until": 0}},
        )

    async def release(self, commune_id: str, delivery_id: str, reason: str) -> None:
        await self.deliveries.update_one(
            {"_id": delivery_id, "commune_id": commune_id}, {"$set": {"claimed_until": 0, "reason": reason}}
        )

    async def sent_recipients(self, commune_id: str, dialogue_id: str, kind: str) -> set[str]:
        cursor = self.deliveries.find(
            {"commune_id": commune_id, "dialogue_id": dialogue_id, "kind": kind, "status": "sent"},
            {"recipient_id": 1},
        )
        return {doc["recipient_id"] async for doc in cursor}

    async def for_dialogue(self, commune_id: str, dialogue_id: str) -> list[dict]:
        return (
            await self.deliveries.find({"commune_id": commune_id, "dialogue_id": dialogue_id})
            .sort("created_at", ASCENDING)
            .to_list()
        )


class DeliveryMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.overdue_deadlines = Gauge(
            "doithoai_notification_overdue_deadlines",
            "Duties of active dialogue plans past their date and not done, by commune (as of the last scan).",
            ["commune_id"],
            registry=registry,
        )
        self.deliveries = Counter(
            "doithoai_notification_scheduled_deliveries_total",
            "Deliveries from the delivery log (invitations, reminders, follow-up, documents), "
            "by commune, kind and outcome.",
            ["commune_id", "kind", "outcome"],
            registry=registry,
        )


class Deliverer:
    """Delivers one item at most once: opens it under its id, sends only under the claim, and
    records the outcome. A transient failure leaves it pending for the next try (re-raised when
    the caller is a consumer, so the message is retried); after `max_attempts` it fails."""

    def __init__(
        self, log: DeliveryLog, metrics: DeliveryMetrics, *, lease_s: float, max_attempts: int
    ) -> None:
        self.log, self.metrics, self._lease_s, self._max_attempts = log, metrics, lease_s, max_attempts

    async def once(
        self, record: dict, send: Callable[[], Awaitable[None]], *, raise_transient: bool = False
    ) -> bool:
        commune_id, delivery_id, kind = record["commune_id"], record["_id"], record["kind"]
        doc = await self.log.open(record)
        if doc["status"] != "pending" or not await self.log.claim(commune_id, delivery_id, self._lease_s):
            return False
        try:
            await send()
        except PermanentError as exc:
            await self.log.finish(commune_id, delivery_id, "failed", str(exc)[:500])
            self.metrics.deliveries.labels(commune_id, kind, "failed").inc()
            return False
        except Exception as exc:
            if doc["attempts"] + 1 >= self._max_attempts:
                await self.log.finish(commune_id, delivery_id, "failed", f"gave up: {exc}"[:500])
                self.metrics.deliveries.labels(commune_id, kind, "failed").inc()
                return False
            await self.log.release(commune_id, delivery_id, f"retry: {exc}"[:500])
            self.metrics.deliveries.labels(commune_id, kind, "retry").inc()
            if raise_transient:
                raise
            return False
        await record_after_side_effect(lambda: self.log.finish(commune_id, delivery_id, "sent"))
        self.metrics.deliveries.labels(commune_id, kind, "sent").inc()
        return True
