"""MongoDB access shared by the services: the client factory, event de-duplication and
the transactional outbox.

Everything stays inside the subset that behaves the same on real MongoDB and on the
nx-27017 wire server used in tests (see tests/contract/test_mongo_compat.py): string ids,
single-document atomicity, no `$push` of sub-documents, no array `$ne` filters.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any, TypeVar

from prometheus_client import CollectorRegistry, Counter
from pymongo import ASCENDING, AsyncMongoClient, monitoring
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import ConnectionFailure, DuplicateKeyError

from shared.clock import utcnow
from shared.settings import CommonSettings

# A stored document as the driver returns it, and the driver's objects over such documents.
Document = dict[str, Any]
Database = AsyncDatabase[Document]
Collection = AsyncCollection[Document]
Client = AsyncMongoClient[Document]

T = TypeVar("T")


class StoreOperations(monitoring.CommandListener):
    """Counts every command the client sends to the store (find, insert, update, getMore, ...),
    as `doithoai_<service>_store_operations_total{command}`. The counter is registered once the
    process knows which service it runs (`register`); commands sent before that are not counted.
    Server monitoring (heartbeats) goes through other listeners and is never counted."""

    def __init__(self) -> None:
        self._counter: Counter | None = None

    def register(self, service: str, registry: CollectorRegistry) -> None:
        self._counter = Counter(
            f"doithoai_{service}_store_operations_total",
            "Commands sent to the store by this process, by command name (one round trip each).",
            ["command"],
            registry=registry,
        )

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if self._counter is not None:
            self._counter.labels(event.command_name).inc()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def create_client(settings: CommonSettings, operations: StoreOperations | None = None) -> Client:
    """One client per process, opened in the service's lifespan (never at import time).
    With `operations`, every command the client sends is counted."""
    return AsyncMongoClient(
        settings.mongodb_url,
        tz_aware=True,
        serverSelectionTimeoutMS=3000,
        connectTimeoutMS=3000,
        appname="doithoai",
        event_listeners=[operations] if operations is not None else [],
    )


def database(client: Client, settings: CommonSettings) -> Database:
    return client[settings.mongodb_db]


class ProcessedEvents:
    """Which events a consumer has fully handled, keyed by (consumer, event_id).

    A handler runs first and must itself be idempotent; the mark is written after it, so a
    crash in between only means the (idempotent) handler runs once more on redelivery.
    """

    def __init__(self, db: Database, consumer: str, ttl_days: int) -> None:
        self._collection: Collection = db[f"{consumer}_processed_events"]
        self._ttl = timedelta(days=ttl_days)

    async def ensure_indexes(self) -> None:
        await self._collection.create_index(
            [("processed_at", ASCENDING)], expireAfterSeconds=int(self._ttl.total_seconds())
        )

    async def seen(self, event_id: str) -> bool:
        return await self._collection.find_one({"_id": event_id}, {"_id": 1}) is not None

    async def mark(self, event_id: str, *, commune_id: str, event_type: str) -> bool:
        """Record the event; False when another delivery recorded it first."""
        try:
            await self._collection.insert_one(
                {
                    "_id": event_id,
                    "commune_id": commune_id,
                    "event_type": event_type,
                    "processed_at": utcnow(),
                }
            )
        except DuplicateKeyError:
            return False
        return True


async def record_after_side_effect(
    write: Callable[[], Awaitable[T]], *, attempts: int = 60, delay_s: float = 0.5
) -> T:
    """Store the outcome of something that cannot be undone (an e-mail sent): a store outage at
    that moment is waited out here, in place, because giving up would send it again later."""
    for _ in range(attempts - 1):
        try:
            return await write()
        except ConnectionFailure:
            await asyncio.sleep(delay_s)
    return await write()  # the last attempt: its failure is the caller's
