"""The limiters' logic on the store (the wire server), with the clock given: what counts, what
does not, when a wait ends.

- Public posts (`RateLimiter`): a fixed window per (commune, address); a post refused because
  the limit is reached is not counted; another address or another window starts afresh;
  posts of one window arriving together are counted in one command.
- Staff logins (`LoginThrottle`): only failures count, per (account, address); a correct
  password clears that pair's count, so 8 good logins and 2 wrong ones (in any order, again
  and again) never lock anyone out; after `limit` failures the pair waits, twice as long after
  each further failure; one address failing on many accounts is capped, counting failures only.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from pymongo import AsyncMongoClient, monitoring
from pymongo.asynchronous.database import AsyncDatabase

from services.intake.web.ratelimit import RATE_LIMITS, RateLimiter
from services.intake.web.staff.login_throttle import LoginThrottle

# The start of a 600 s window a week from now: the counters' TTL index removes a window once it
# has ended, so a fixed date would make these tests fail once the real clock passed it.
T0 = datetime.fromtimestamp((int(datetime.now(UTC).timestamp()) // 600 + 7 * 144) * 600, UTC)
PHONE, OTHER = "198.51.100.10", "198.51.100.20"


@pytest.fixture
async def db(mongodb_url: str) -> AsyncIterator[AsyncDatabase]:
    client: AsyncMongoClient = AsyncMongoClient(mongodb_url)
    try:
        yield client[f"limits_{uuid.uuid4().hex[:10]}"]
    finally:
        await client.close()


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


async def test_a_window_lets_the_limit_through_and_refused_posts_do_not_count(db):
    limiter = RateLimiter(db, limit=3, window_s=600, name="web")
    verdicts = [await limiter.hit("demo", PHONE, at(i)) for i in range(3)]
    assert [v.allowed for v in verdicts] == [True, True, True]
    refused = [await limiter.hit("demo", PHONE, at(10 + i)) for i in range(5)]
    assert not any(v.allowed for v in refused)
    assert refused[0].retry_after_s == 591  # until the window ends (590 s), rounded up
    stored = await db[RATE_LIMITS].find_one({})
    assert stored is not None and stored["count"] == 3  # the five refused posts used no budget
    assert (await limiter.peek("demo", PHONE, at(20))).allowed is False
    assert (await limiter.hit("demo", OTHER, at(20))).allowed  # another address has its own budget
    assert (await limiter.hit("other-commune", PHONE, at(20))).allowed  # and another commune
    assert (await limiter.hit("demo", PHONE, at(600))).allowed  # the next window starts afresh


class Commands(monitoring.CommandListener):
    """The names of the commands a client sent (index creation left out)."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name not in ("createIndexes", "endSessions"):
            self.names.append(event.command_name)

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None: ...

    def failed(self, event: monitoring.CommandFailedEvent) -> None: ...


async def test_posts_arriving_together_are_counted_in_one_command_and_only_the_limit_passes(db, mongodb_url):
    commands = Commands()
    client: AsyncMongoClient = AsyncMongoClient(mongodb_url, event_listeners=[commands])
    try:
        limiter = RateLimiter(client[db.name], limit=3, window_s=600, name="api")
        await limiter.ensure_indexes()
        together = await asyncio.gather(*(limiter.hit("demo", PHONE, at(1)) for _ in range(2)))
        assert [v.allowed for v in together] == [True, True]
        assert commands.names == ["findAndModify"]  # two posts, one command, nothing read first
        edge = await asyncio.gather(*(limiter.hit("demo", PHONE, at(2)) for _ in range(4)))
        assert [v.allowed for v in edge] == [True, False, False, False]
        stored = await db[RATE_LIMITS].find_one({})
        assert stored is not None and stored["count"] == 3  # the three refused gave back their count
        assert not (await limiter.hit("demo", PHONE, at(3))).allowed
        assert (await db[RATE_LIMITS].find_one({}))["count"] == 3
    finally:
        await client.close()


async def test_limiters_with_other_names_count_apart(db):
    web = RateLimiter(db, limit=1, window_s=600, name="web")
    registration = RateLimiter(db, limit=1, window_s=600, name="registration")
    assert (await web.hit("demo", PHONE, at(0))).allowed
    assert (await registration.hit("demo", PHONE, at(0))).allowed
    assert not (await web.hit("demo", PHONE, at(1))).allowed


def throttle(db: AsyncDatabase, **overrides: int) -> LoginThrottle:
    values = {"limit": 10, "window_s": 600, "backoff_s": 60, "backoff_max_s": 3600, "address_limit": 100}
    return LoginThrottle(db, **{**values, **overrides})


async def login(throttle: LoginThrottle, good: bool, when: datetime, user: str = "vp", address: str = PHONE):
    attempt = await throttle.begin(user, address, when)
    if attempt.allowed:
        await (throttle.succeeded(attempt) if good else throttle.failed(attempt, when))
    return attempt


async def test_good_logins_never_count_and_a_correct_password_clears_the_failures(db):
    guard = throttle(db, limit=3)
    clock = 0
    for _ in range(5):  # 8 good and 2 wrong, five times over, from one address
        for good in [True] * 8 + [False] * 2:
            attempt = await login(guard, good, at(clock))
            assert attempt.allowed, clock
            clock += 1
        assert (await login(guard, True, at(clock))).allowed  # the right password: never locked out
        clock += 1


async def test_failures_of_one_pair_make_it_wait_twice_as_long_each_time(db):
    guard = throttle(db, limit=3, backoff_s=60)
    assert [(await login(guard, False, at(i))).allowed for i in range(3)] == [True] * 3
    waiting = await login(guard, True, at(3))  # even the right password waits now
    assert not waiting.allowed and waiting.retry_after_s == 59
    assert (await login(guard, True, at(3), address=OTHER)).allowed  # the owner elsewhere is not
    assert (await login(guard, True, at(3), user="kinhte")).allowed  # nor another account from here
    assert (await login(guard, False, at(63))).allowed  # after the wait: one more try, wrong
    doubled = await login(guard, True, at(64))
    assert not doubled.allowed and doubled.retry_after_s == 119
    assert (await login(guard, True, at(184))).allowed  # after it, the right password gets in
    assert [(await login(guard, False, at(185 + i))).allowed for i in range(3)] == [True] * 3  # afresh


async def test_refused_attempts_are_not_counted_and_old_failures_are_forgotten(db):
    guard = throttle(db, limit=2, backoff_s=60, window_s=600)
    for i in range(2):
        await login(guard, False, at(i))
    for i in range(20):  # hammering while waiting does not make the wait longer
        assert not (await login(guard, False, at(2 + i))).allowed
    assert (await login(guard, False, at(62))).allowed
    again = await login(guard, False, at(63))
    assert not again.allowed and again.retry_after_s == 119  # doubled once, not 20 times
    assert (await login(guard, False, at(2000))).allowed  # 600 s after the wait: forgotten
    assert (await login(guard, False, at(2001))).allowed  # counting from one again


async def test_one_address_failing_on_many_accounts_is_capped_and_good_logins_do_not_count(db):
    guard = throttle(db, address_limit=4)
    for _ in range(10):
        assert (await login(guard, True, at(0), user="vp")).allowed  # good logins: not counted
    for name in ("a", "b", "c", "d"):
        assert (await login(guard, False, at(1), user=name)).allowed
    capped = await login(guard, True, at(2), user="vp")
    assert not capped.allowed and capped.retry_after_s == 599  # until the window ends (598 s), rounded up
    assert (await login(guard, True, at(2), user="vp", address=OTHER)).allowed
    assert (await login(guard, True, at(600), user="vp")).allowed  # the next window
