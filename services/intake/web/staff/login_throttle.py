"""Bounds on guessing staff passwords, kept in the store so that every replica shares them.

- Per (account, client address): every attempt is counted as a failure before the password
  is checked, and a successful login deletes the count again, so only failures remain. Once
  `limit` failures are counted the pair waits `backoff_s`, then twice as long after each further
  failure, up to `backoff_max_s` (429 with Retry-After; refused attempts are not counted).
  Counting first, with a compare-and-set on the count, means parallel guesses cannot pass the
  limit together. A count is forgotten `window_s` after its last failure or the end of its wait.
- Per client address over every account (password spraying): `address_limit` failures per
  fixed window of `window_s`, then 429 until the window ends.

There is deliberately no limit per account across addresses: anyone could then lock the owner
out. The owner, with the right password from their own address, always gets back in once the
wait of that one pair is over. Documents are keyed by hashes: no username or address is stored.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from pymongo import ASCENDING
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.intake.web.ratelimit import RateLimiter
from services.intake.web.staff.users import normalise_username
from shared.clock import utcnow

LOGIN_FAILURES = "intake_staff_login_failures"
_ADDRESS_SCOPE = "staff-login"
_CAS_ATTEMPTS = 8


@dataclass(frozen=True)
class LoginAttempt:
    """`allowed`: check the password now (then report `failed` or `succeeded`); otherwise
    answer 429 with `retry_after_s`."""

    allowed: bool
    retry_after_s: int = 0
    key: str = ""
    address: str = ""


class LoginThrottle:
    def __init__(
        self,
        db: AsyncDatabase,
        *,
        limit: int,
        window_s: int,
        backoff_s: int,
        backoff_max_s: int,
        address_limit: int,
    ) -> None:
        self.failures = db[LOGIN_FAILURES]
        self.limit, self.window_s = limit, window_s
        self.backoff_s, self.backoff_max_s = backoff_s, max(backoff_s, backoff_max_s)
        self.addresses = RateLimiter(db, address_limit, window_s, name="staff-login-address")
        self._indexed = False

    async def ensure_indexes(self) -> None:
        await self.failures.create_index([("expires_at", ASCENDING)], expireAfterSeconds=0)
        await self.addresses.ensure_indexes()
        self._indexed = True

    def backoff(self, failures: int) -> float:
        """Seconds to wait after the `failures`-th failure (0 below the limit)."""
        if failures < self.limit:
            return 0.0
        return float(min(self.backoff_max_s, self.backoff_s * 2 ** min(failures - self.limit, 40)))

    @staticmethod
    def pair_key(username: str, address: str) -> str:
        return hashlib.sha256(f"{normalise_username(username)}\x00{address}".encode()).hexdigest()[:32]

    async def begin(self, username: str, address: str, now: datetime | None = None) -> LoginAttempt:
        """Count this attempt as a failure of (username, address) unless the pair or the
        address must wait; the caller then checks the password."""
        if not self._indexed:
            await self.ensure_indexes()
        now = now or utcnow()
        spray = await self.addresses.peek(_ADDRESS_SCOPE, address, now)
        if not spray.allowed:
            return LoginAttempt(False, spray.retry_after_s)
        key, now_ts = self.pair_key(username, address), now.timestamp()
        for _ in range(_CAS_ATTEMPTS):
            doc = await self.failures.find_one({"_id": key})
            if doc is not None and doc["locked_until"] > now_ts:
                return LoginAttempt(False, max(1, math.ceil(doc["locked_until"] - now_ts)))
            stale = doc is None or now_ts - max(doc["last_ts"], doc["locked_until"]) > self.window_s
            count = 1 if stale or doc is None else int(doc["failures"]) + 1
            locked_until = now_ts + self.backoff(count) if count >= self.limit else 0.0
            new = {
                "failures": count,
                "last_ts": now_ts,
                "locked_until": locked_until,
                "expires_at": datetime.fromtimestamp(max(now_ts, locked_until) + self.window_s, UTC),
            }
            if doc is None:
                try:
                    await self.failures.insert_one({"_id": key, **new})
                except DuplicateKeyError:  # another attempt of the same pair came first: read again
                    continue
                return LoginAttempt(True, key=key, address=address)
            # Replaced (not $set) so that expires_at stays a date; the filter is the compare-and-set.
            result = await self.failures.replace_one(
                {"_id": key, "failures": doc["failures"], "last_ts": doc["last_ts"]}, new
            )
            if result.matched_count == 1:
                return LoginAttempt(True, key=key, address=address)
        return LoginAttempt(False, 1)  # this pair's attempts are racing each other: one of them goes on

    async def failed(self, attempt: LoginAttempt, now: datetime | None = None) -> None:
        """The password was wrong: the pair's failure stays counted; the address's is added."""
        await self.addresses.hit(_ADDRESS_SCOPE, attempt.address, now)

    async def succeeded(self, attempt: LoginAttempt) -> None:
        """The password was right: the pair's failures are cleared."""
        await self.failures.delete_one({"_id": attempt.key})
