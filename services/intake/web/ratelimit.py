"""A fixed-window counter of public POSTs per (commune, client IP), kept in the store so that
every replica counts against the same limit; what it refused is not counted. A limiter's
`name` keeps its counters apart from other limiters' (the web form, the JSON API, Open311,
registrations, failed logins).

One document per (name, commune, ip, window): `$inc` with upsert. The window's end is part of the
filter, so an upsert inserts it as a date (the wire server would store a `$set` date on an
existing document as text) and a TTL index removes old windows.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

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
        through uses the budget). Parallel POSTs at the edge may all be counted; each is
        judged by the count it made, so no more than `limit` are let through."""
        if not self._indexed:  # created once per process, on first use
            await self.ensure_indexes()
        now = now or utcnow()
        key, ends = self._window(commune_id, client_ip, now)
        before = await self.counters.find_one({"_id": key["_id"]})
        if before is not None and int(before.get("count", 0)) >= self.limit:
            return self._verdict(int(before["count"]) + 1, ends, now)
        try:
            doc = await self.counters.find_one_and_update(
                key, {"$inc": {"count": 1}}, upsert=True, return_document=ReturnDocument.AFTER
            )
        except DuplicateKeyError:  # two first hits of the window raced; the document exists now
            doc = await self.counters.find_one_and_update(
                key, {"$inc": {"count": 1}}, return_document=ReturnDocument.AFTER
            )
        return self._verdict(int((doc or {}).get("count", 1)), ends, now)
