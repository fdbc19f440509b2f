"""A fixed-window counter of public POSTs per (commune, client IP), kept in the store so that
every replica counts against the same limit; what it refused is not counted. A limiter's
`name` keeps its counters apart from other limiters' (the web form, the JSON API, Open311,
registrations, failed logins).

One document per (name, commune, ip, window): a conditional `$inc` with upsert, one command per
POST (or per group of POSTs of the same window arriving together), no read first. The window's
end is part of the filter, so an upsert inserts it as a date (the wire server would store a
`$set` date on an existing document as text) and a TTL index removes old windows.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from shared.batching import Batcher
from shared.clock import utcnow

RATE_LIMITS = "intake_web_rate_limits"


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    count: int
    retry_after_s: int


class RateLimiter:
    def __init__(self, db: AsyncDatabase, limit: int, window_s: int, name: str = "") -> None:
        self.counters = db[RATE_LIMITS]
        self.limit = limit
        self.window_s = window_s
        self.prefix = f"{name}:" if name else ""
        self._indexed = False
        self._hits: Batcher[dict[str, Any], int] = Batcher(self._count, name=f"rate-limit:{name}")

    def _window(self, commune_id: str, client_ip: str, now: datetime) -> tuple[dict, datetime]:
        window = int(now.timestamp()) // self.window_s
        ends = datetime.fromtimestamp((window + 1) * self.window_s, UTC)
        # The IP is hashed: the counter needs identity, not the address itself.
        ip_key = hashlib.sha256(client_ip.encode("utf-8")).hexdigest()[:24]
        return {
            "_id": f"{self.prefix}{commune_id}:{ip_key}:{window}",
            "commune_id": commune_id,
            "expires_at": ends,
        }, ends

    def _verdict(self, count: int, ends: datetime, now: datetime) -> Verdict:
        retry_after = max(1, int((ends - now) / timedelta(seconds=1)) + 1)
        return Verdict(count <= self.limit, count, retry_after)

    async def peek(self, commune_id: str, client_ip: str, now: datetime | None = None) -> Verdict:
        """This window's count so far, without counting: `allowed` is False once it reached the limit."""
        now = now or utcnow()
        key, ends = self._window(commune_id, client_ip, now)
        doc = await self.counters.find_one({"_id": key["_id"]})
        return self._verdict(int((doc or {}).get("count", 0)) + 1, ends, now)

    async def ensure_indexes(self) -> None:
        await self.counters.create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)
        self._indexed = True

    async def hit(self, commune_id: str, client_ip: str, now: datetime | None = None) -> Verdict:
        """Count one POST; `allowed` is False once this window's count passes the limit.

        A POST refused because the limit is already reached is not counted (only what was let
        through uses the budget). POSTs of one window arriving while its count is on its way to
        the store are counted together, in one command; each is judged by its own place in that
        count, so no more than `limit` are let through."""
        if not self._indexed:  # created once per process, on first use
            await self.ensure_indexes()
        now = now or utcnow()
        key, ends = self._window(commune_id, client_ip, now)
        count = await self._hits.submit(key, key=key["_id"])
        return self._verdict(count, ends, now)

    async def _count(self, _id: Hashable, keys: list[dict[str, Any]]) -> list[int]:
        """Count `len(keys)` hits of one window in one conditional `$inc`: each hit's place in
        the window's count (above `limit`: refused). A window at its limit is left as it is; at
        the edge, the hits refused give back what they took."""
        key, hits = keys[0], len(keys)
        doc = await self._add(key, hits)
        if doc is None:  # the window reached its limit before these hits: none is counted
            return [self.limit + 1] * hits
        before = int(doc.get("count", hits)) - hits
        allowed = max(0, min(hits, self.limit - before))
        if allowed < hits:
            await self.counters.update_one({"_id": key["_id"]}, {"$inc": {"count": allowed - hits}})
        return [before + 1 + i for i in range(hits)]

    async def _add(self, key: dict[str, Any], hits: int) -> dict[str, Any] | None:
        """`$inc` the window's count by `hits` unless it reached the limit (one command in the
        common case); None when it had. The upsert of a window at its limit collides with the
        stored document (its filter does not match it), so the store answers a duplicate key."""
        below = {**key, "count": {"$lt": self.limit}}
        try:
            return await self.counters.find_one_and_update(
                below, {"$inc": {"count": hits}}, upsert=True, return_document=ReturnDocument.AFTER
            )
        except DuplicateKeyError:  # at the limit, or another first hit of the window raced this one
            return await self.counters.find_one_and_update(
                below, {"$inc": {"count": hits}}, return_document=ReturnDocument.AFTER
            )
