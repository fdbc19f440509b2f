"""Transactional outbox without multi-document transactions.

A document that causes events carries them in its own `outbox` field, written in the same
single-document write as the change itself. After the write the events are published and the
field cleared. If the process dies in between, a relay loop finds documents whose outbox is
older than a grace period and publishes them again; consumers de-duplicate by `event_id`.
Clears of one collection are written together while the store is busy (`GroupWriter`).

`outbox_at` is epoch seconds, not a date: the wire server used in tests stores a date written
by `$set` on an existing document as text, and the relay must compare it as a number.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any, Protocol

from pymongo import ASCENDING, UpdateOne

from shared.contracts import Envelope
from shared.group_commit import GroupWriter
from shared.mongo import Collection, Document


class EventPublisher(Protocol):
    async def publish(self, envelope: Envelope) -> None: ...


def outbox_fields(envelopes: Sequence[Envelope]) -> dict[str, Any]:
    """Fields to `$set` (or insert) together with the change that caused the events."""
    return {
        "outbox": [e.model_dump(mode="json") for e in envelopes],
        "outbox_pending": True,
        "outbox_at": time.time(),
    }


async def ensure_outbox_index(collection: Collection) -> None:
    await collection.create_index([("outbox_pending", ASCENDING), ("outbox_at", ASCENDING)])


class Outbox:
    def __init__(self, publisher: EventPublisher, collections: Iterable[Collection]) -> None:
        self._publisher = publisher
        self._collections = tuple(collections)
        self._clears: dict[str, GroupWriter] = {}

    async def flush_document(self, collection: Collection, commune_id: str, doc_id: str) -> int:
        doc = await collection.find_one(
            {"_id": doc_id, "commune_id": commune_id, "outbox_pending": True}, {"outbox": 1, "outbox_at": 1}
        )
        return await self._publish_and_clear(collection, doc) if doc else 0

    async def publish_written(self, collection: Collection, doc: Document) -> int:
        """Publish the events of a document this process has just written, as it wrote it (its
        `_id`, `outbox` and `outbox_at`), then clear them: no read back, unlike `flush_document`.
        If the relay published them meanwhile the clear matches nothing and consumers drop the
        copy, as with any redelivery."""
        return await self._publish_and_clear(collection, doc)

    async def _publish_and_clear(self, collection: Collection, doc: Document) -> int:
        envelopes = [Envelope.model_validate(item) for item in doc.get("outbox") or ()]
        for envelope in envelopes:
            await self._publisher.publish(envelope)
        clears = self._clears.get(collection.full_name)
        if clears is None:
            clears = self._clears[collection.full_name] = GroupWriter(collection)
        # Only the outbox that was read is cleared: a change stored meanwhile has a new
        # `outbox_at` and keeps its events for the next flush.
        await clears.write(
            UpdateOne(
                {"_id": doc["_id"], "outbox_pending": True, "outbox_at": doc.get("outbox_at")},
                {"$set": {"outbox_pending": False}, "$unset": {"outbox": ""}},
            )
        )
        return len(envelopes)

    async def stale(self, grace: timedelta, limit: int = 500) -> list[tuple[Collection, Document]]:
        """Outboxes older than `grace` (at most `limit` per collection): left behind by a crash,
        or not publishable (broker down). How many there are is the backlog operators watch;
        counting them this way costs no extra query (`count_documents` would be a full
        aggregation on the test store at every relay interval)."""
        cutoff = time.time() - grace.total_seconds()
        found: list[tuple[Collection, Document]] = []
        for collection in self._collections:
            cursor = collection.find(
                {"outbox_pending": True, "outbox_at": {"$lt": cutoff}}, {"outbox": 1, "outbox_at": 1}
            ).limit(limit)
            found += [(collection, doc) async for doc in cursor]
        return found

    async def publish_stale(self, stale: Iterable[tuple[Collection, Document]]) -> int:
        """Publish what `stale` found; returns how many events went out."""
        published = 0
        for collection, doc in stale:
            published += await self._publish_and_clear(collection, doc)
        return published
