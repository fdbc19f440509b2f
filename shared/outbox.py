"""Transactional outbox without multi-document transactions.

A document that causes events carries them in its own `outbox` field, written in the same
single-document write as the change itself. After the write the events are published and the
field cleared. If the process dies in between, a relay loop publishes them again; consumers
de-duplicate by `event_id`. Clears of one collection are written together while the store is
busy (`GroupWriter`).

Leases, so that a slow store never produces extra copies: each pending entry names its writer
(`outbox_owner`, the process: `owner_id()`), and each process holds a lease on its entries, one
document in `outbox_owners` whose expiry it renews while it runs (`Outbox.keep_lease`). A relay
takes an entry older than the grace period only when its writer is gone (lease expired or never
held), or when it is its own process's entry that the writer gave up (the publish failed) or
left for longer than `hold_s` (the writer stopped between storing and publishing); an entry its
own process is publishing right now is never taken. The relay reads the collections only when
something may have been left behind (`Outbox.stale`), not at every pass. Taking is a conditional update on the
entry's `outbox_claim` as read, so of two relays racing for one entry only one publishes it.

`outbox_at` is epoch seconds, not a date: the wire server used in tests stores a date written
by `$set` on an existing document as text, and the relay must compare it as a number.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any, Final, Protocol

from pymongo import ASCENDING, UpdateOne
from pymongo.errors import ConnectionFailure

from shared.contracts import PAYLOADS, Envelope
from shared.group_commit import GroupWriter
from shared.mongo import Collection, Document

log = logging.getLogger(__name__)

OWNERS = "outbox_owners"
# An owner's lease lasts this long without renewal; `keep_lease` renews it well before.
LEASE_S = 15.0
# An entry of this process that is neither being published nor known to have failed is taken
# by this process's relay only after this long (its writer stopped before publishing).
HOLD_S = 30.0
# The relay scans the collections at least this often, as a safety net (see `Outbox.stale`).
SWEEP_S = 300.0
# Failed publishes remembered for the relay; beyond, the oldest wait for `HOLD_S` instead.
MAX_FAILED = 10_000
_BOOT = uuid.uuid4().hex[:12]
# Marks an outbox entry whose payload is the document's own fields (`outbox_fields`).
IN_DOCUMENT = "payload_in_document"
# The outbox's bookkeeping in a document (`outbox_fields` and the relay's `_take`): its events,
# its state and the writer's host and process id. No API shows them: every projection or view of
# a stored document for a caller leaves out these fields.
OUTBOX_FIELDS: Final = ("outbox", "outbox_pending", "outbox_at", "outbox_owner", "outbox_claim")


class EventPublisher(Protocol):
    async def publish(self, envelope: Envelope) -> None: ...


@cache
def _owner(pid: int) -> str:
    return f"{socket.gethostname()}:{pid}:{_BOOT}"


def owner_id() -> str:
    """This process, as the writer of the outbox entries it stores (a forked child is another)."""
    return _owner(os.getpid())


def outbox_fields(envelopes: Sequence[Envelope], *, payloads_in_document: bool = False) -> dict[str, Any]:
    """Fields to `$set` (or insert) together with the change that caused the events.

    With `payloads_in_document`, an event's payload is not copied into the outbox: it is the
    document's own top-level fields named by the event's payload model, which the same write
    sets to the payload (every field, as `model_dump(mode="json")` gives them), and it is read
    back from them when published (`stored_envelopes`). A document that holds its event's
    payload anyway (a routing decision with the earlier items it lists) is then written once."""
    if payloads_in_document:
        entries = [{**e.model_dump(mode="json", exclude={"payload"}), IN_DOCUMENT: True} for e in envelopes]
    else:
        entries = [e.model_dump(mode="json") for e in envelopes]
    return {
        "outbox": entries,
        "outbox_pending": True,
        "outbox_at": time.time(),
        "outbox_owner": owner_id(),
    }


# What a publish reads of a document: its outbox and the fields a payload may be kept in.
_READ = {"outbox": 1} | {name: 1 for model in PAYLOADS.values() for name in model.model_fields}


def stored_envelopes(doc: Document) -> list[Envelope]:
    """The events a document's outbox holds (`outbox_fields`), their payloads read from the
    document where the outbox left them."""
    envelopes = []
    for entry in doc.get("outbox") or ():
        if entry.get(IN_DOCUMENT):
            model = PAYLOADS[f"{entry['event_type']}.v{entry['version']}"]
            entry = {**entry, "payload": {name: doc[name] for name in model.model_fields if name in doc}}
        envelopes.append(Envelope.model_validate(entry))
    return envelopes


async def ensure_outbox_index(collection: Collection) -> None:
    await collection.create_index([("outbox_pending", ASCENDING), ("outbox_at", ASCENDING)])
    # Leases of processes gone for a day are forgotten (their entries are long republished).
    await collection.database[OWNERS].create_index([("renewed", ASCENDING)], expireAfterSeconds=86_400)


def _entry_key(collection: Collection, doc: Document) -> tuple[str, Any]:
    return collection.full_name, doc["_id"]


class Outbox:
    def __init__(
        self,
        publisher: EventPublisher,
        collections: Iterable[Collection],
        *,
        lease_s: float = LEASE_S,
        hold_s: float = HOLD_S,
        sweep_s: float = SWEEP_S,
    ) -> None:
        self._publisher = publisher
        self._collections = tuple(collections)
        self._clears: dict[str, GroupWriter] = {}
        self._lease_s, self._hold_s, self._sweep_s = lease_s, hold_s, sweep_s
        self._next_sweep = 0.0  # the first relay pass scans
        self._swept_dead: set[str] = set()  # writers gone before the last complete scan
        self.owner = owner_id()
        # Entries this process is publishing now, and those whose publish failed here.
        self._working: set[tuple[str, Any]] = set()
        self._failed: dict[tuple[str, Any], None] = {}

    async def renew_lease(self) -> None:
        """Extend this process's lease on the entries it writes (one `_id` upsert)."""
        if not self._collections:
            return
        owners = self._collections[0].database[OWNERS]
        await owners.update_one(
            {"_id": self.owner},
            {"$set": {"until": time.time() + self._lease_s, "renewed": datetime.now(UTC)}},
            upsert=True,
        )

    async def keep_lease(self, interval_s: float) -> None:
        """Renew the lease every `interval_s` (at most a third of the lease) while running."""
        every = min(interval_s, self._lease_s / 3)
        while True:
            try:
                await self.renew_lease()
            except ConnectionFailure as exc:  # the store is down or stopping: the next renewal may make it
                log.warning("outbox lease not renewed: store unreachable", extra={"error": repr(exc)})
            except Exception:
                log.warning("outbox lease not renewed", exc_info=True)
            await asyncio.sleep(every)

    async def flush_document(self, collection: Collection, commune_id: str, doc_id: str) -> int:
        doc = await collection.find_one(
            {"_id": doc_id, "commune_id": commune_id, "outbox_pending": True}, _READ | {"outbox_at": 1}
        )
        return await self._publish_and_clear(collection, doc) if doc else 0

    async def publish_written(self, collection: Collection, doc: Document) -> int:
        """Publish the events of a document this process has just written, as it wrote it (its
        `_id`, `outbox` and `outbox_at`), then clear them: no read back, unlike `flush_document`.
        If the relay published them meanwhile the clear matches nothing and consumers drop the
        copy, as with any redelivery."""
        return await self._publish_and_clear(collection, doc)

    async def _publish_and_clear(self, collection: Collection, doc: Document) -> int:
        key = _entry_key(collection, doc)
        self._working.add(key)
        try:
            envelopes = stored_envelopes(doc)
            for envelope in envelopes:
                await self._publisher.publish(envelope)
        except BaseException:
            self._failed[key] = None  # this process's relay retries it after the grace period
            while len(self._failed) > MAX_FAILED:
                del self._failed[next(iter(self._failed))]
            raise
        finally:
            self._working.discard(key)
        self._failed.pop(key, None)
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
        """Outboxes older than `grace` (at most `limit` per collection) whose writer is gone:
        left behind by a crash, or not publishable (broker down).

        The collections are scanned only when an entry may have been left behind: at the first
        pass, when a writer's lease expired since the last complete scan, and every `sweep_s`
        as a safety net; the store uses no index for that query, so a scan costs as much as
        the collection holds. Otherwise only this process's failed publishes are read, by
        `_id`. How many were found is the backlog operators watch."""
        now = time.time()
        cutoff = now - grace.total_seconds()
        owners = self._collections[0].database[OWNERS] if self._collections else None
        leases = (
            {} if owners is None else {d["_id"]: float(d.get("until") or 0) async for d in owners.find({})}
        )
        alive = {owner for owner, until in leases.items() if until > now}
        dead = set(leases) - alive
        projection = _READ | {"outbox_at": 1, "outbox_owner": 1, "outbox_claim": 1}
        found: list[tuple[Collection, Document]] = []
        if now >= self._next_sweep or dead - self._swept_dead:
            complete = True
            for collection in self._collections:
                query = {"outbox_pending": True, "outbox_at": {"$lt": cutoff}}
                docs = await collection.find(query, projection).limit(limit).to_list()
                complete = complete and len(docs) < limit
                found += [(collection, doc) for doc in docs]
            self._next_sweep = now + self._sweep_s
            if complete:
                self._swept_dead = dead
        elif self._failed:
            for collection in self._collections:
                ids = [doc_id for name, doc_id in self._failed if name == collection.full_name]
                if ids:
                    query = {
                        "_id": {"$in": ids[:limit]},
                        "outbox_pending": True,
                        "outbox_at": {"$lt": cutoff},
                    }
                    found += [(collection, doc) async for doc in collection.find(query, projection)]
        return [(c, d) for c, d in found if self._writer_gone(c, d, alive, now)]

    def _writer_gone(self, collection: Collection, doc: Document, alive: set[str], now: float) -> bool:
        owner = doc.get("outbox_owner")
        if owner is None:
            return True  # stored before entries named their writer
        if owner != self.owner:
            return owner not in alive
        key = _entry_key(collection, doc)
        if key in self._working:
            return False
        return key in self._failed or float(doc.get("outbox_at") or 0) < now - self._hold_s

    async def _take(self, collection: Collection, doc: Document) -> bool:
        """Claim an entry for this process, only if nobody claimed it since it was read."""
        claim = doc.get("outbox_claim")
        result = await collection.update_one(
            {
                "_id": doc["_id"],
                "outbox_pending": True,
                "outbox_at": doc.get("outbox_at"),
                "outbox_claim": claim if claim is not None else {"$exists": False},
            },
            {"$set": {"outbox_owner": self.owner, "outbox_claim": uuid.uuid4().hex}},
        )
        return result.modified_count == 1

    async def publish_stale(self, stale: Iterable[tuple[Collection, Document]]) -> int:
        """Take over and publish what `stale` found; returns how many events went out (the
        republished copies)."""
        published = 0
        for collection, doc in stale:
            if await self._take(collection, doc):
                published += await self._publish_and_clear(collection, doc)
        return published
