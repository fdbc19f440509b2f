"""Shared fixtures.

Integration tests run against the real RabbitMQ on 127.0.0.1:5672 (`make test` starts one when
none answers) and one nx-27017 MongoDB wire-protocol server per test session. Each test gets
its own database name and an exchange/queue prefix no other test is using. A prefix's quorum
queues are emptied after its test and reused by a later one (`AmqpPrefixes`): creating and
deleting 21 quorum queues took ~1 s of every test; they are deleted at the end of the session.
"""

from __future__ import annotations

import asyncio
import functools
import os
import uuid
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import aio_pika
import pytest

from services.deployment import CONSUMERS, Settings
from services.local.mail_capture import MailCapture
from services.local.ports import is_listening
from services.local.wire_store import start_wire_store
from shared.topology import Topology
from shared.topology import remove as topology_remove

RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
TEST_AUTH_KEYS = "test:" + "k" * 40  # one signing key for every app a test builds (tests/auth.py)
T = TypeVar("T")
SAMPLE_FILE = Path(__file__).resolve().parents[2] / "shared" / "domain" / "sample-submissions.jsonl"


@pytest.fixture(scope="session")
def rabbitmq_url() -> str:
    if "RABBITMQ_URL" not in os.environ and not is_listening("127.0.0.1", 5672):
        pytest.fail("No RabbitMQ on 127.0.0.1:5672: run `make broker` (make test does it for you).")
    return RABBITMQ_URL


@pytest.fixture(scope="session")
def mongodb_url(tmp_path_factory: pytest.TempPathFactory):
    store = start_wire_store(tmp_path_factory.mktemp("nx"))
    yield store.url
    store.stop()


@pytest.fixture
def mail_capture(tmp_path: Path):
    capture = MailCapture(tmp_path / "mail").start()
    yield capture
    capture.stop()


class AmqpPrefixes:
    """Prefixes whose topology a finished test left declared and empty, by the queue arguments
    they were declared with (retry delay, delivery limit). A prefix is handed to one test at a
    time; it is given back only when no consumer is attached to any of its queues and every
    queue is empty, with its two exchanges deleted (so no binding a test added by hand stays:
    the next app binds its routing keys anew). Otherwise its topology is deleted, as before."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.idle: dict[tuple[int, int], list[str]] = {}

    def take(self, retry_delay_ms: int, delivery_limit: int) -> str:
        idle = self.idle.get((retry_delay_ms, delivery_limit))
        return idle.pop() if idle else f"t{uuid.uuid4().hex[:10]}"

    async def give_back(self, settings: Settings) -> None:
        topology = Topology(settings.amqp_prefix, settings.retry_delay_ms, settings.delivery_limit, CONSUMERS)
        if await _emptied(self.url, topology):
            self.idle.setdefault((settings.retry_delay_ms, settings.delivery_limit), []).append(
                settings.amqp_prefix
            )
        else:
            await _delete_topology(self.url, settings.amqp_prefix)

    async def delete_all(self) -> None:
        for prefixes in self.idle.values():
            for prefix in prefixes:
                await _delete_topology(self.url, prefix)
        self.idle.clear()


async def _emptied(url: str, topology: Topology) -> bool:
    """Empty every queue of `topology` and delete its exchanges; False (nothing changed, or the
    topology was not all there) when a queue is missing or has a consumer, or is not empty after."""
    delays = [topology.retry_queue(spec).name for spec in topology.consumers]
    mains = [topology.queue(spec).name for spec in topology.consumers]
    dead = [topology.dead_letter_queue(spec).name for spec in topology.consumers]
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        try:
            queues = [await channel.declare_queue(name, passive=True) for name in delays + mains + dead]
        except aio_pika.exceptions.ChannelNotFoundEntity:
            return False
        if any(queue.declaration_result.consumer_count for queue in queues):
            return False
        for exchange in (topology.events.name, topology.dead_letters.name):
            await channel.exchange_delete(exchange)
        # delay queues first: what expires there dead-letters into the main queues
        for queue in queues:
            await queue.purge()
        for name in delays + mains + dead:
            if (await channel.declare_queue(name, passive=True)).declaration_result.message_count:
                return False
    return True


def run_apart(coroutine: Coroutine[object, object, T]) -> T:
    """`asyncio.run` in a thread of its own: callable even where this thread runs an event loop
    (Playwright's sync API keeps one running while the browser tests' shared Chromium is open)."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


@pytest.fixture(scope="session", autouse=True)
def password_hashed_once_per_run():
    """Seeding (`user_document`, used by seed_demo_staff and add_user) hashes each password
    with argon2 through the synchronous `hash_password`: ~0.1-0.4 s a password, a dozen demo
    staff in every test that logs in. Here the same password gets the same real argon2id hash
    for the whole run (each test still stores and verifies it in its own database); request
    handlers hash and verify through their own functions, untouched."""
    from services.intake.web.staff import users

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(users, "hash_password", functools.cache(users.hash_password))
        yield


@pytest.fixture(scope="session")
def amqp_prefixes(rabbitmq_url: str):
    prefixes = AmqpPrefixes(rabbitmq_url)
    yield prefixes
    asyncio.run(prefixes.delete_all())


@pytest.fixture
def make_settings(
    rabbitmq_url: str, mongodb_url: str, amqp_prefixes: AmqpPrefixes
) -> Callable[..., Settings]:
    """Settings isolated to this test: own AMQP prefix (no other test's queues, emptied if
    reused), own database, short retry delays. Every call in one test gets the same prefix."""
    run_id = uuid.uuid4().hex[:10]
    made: list[Settings] = []
    taken: list[Settings] = []

    def factory(**overrides) -> Settings:
        values = {
            "RABBITMQ_URL": rabbitmq_url,
            "MONGODB_URL": mongodb_url,
            "MONGODB_DB": f"t_{run_id}",
            "DOITHOAI_RETRY_DELAY_MS": 100,
            "DOITHOAI_MAX_RETRIES": 2,
            "DOITHOAI_OUTBOX_INTERVAL_S": 0.2,
            "DOITHOAI_OUTBOX_GRACE_S": 0.5,
            "DOITHOAI_AUTH_KEYS": TEST_AUTH_KEYS,
            # reporting lists the items not routed yet from intake: served by the same app here
            "DOITHOAI_INTAKE_URL": "inprocess",
            **overrides,
        }
        if "DOITHOAI_AMQP_PREFIX" not in values:
            if not taken:
                first = Settings(**values, DOITHOAI_AMQP_PREFIX="t")
                taken.append(
                    first.model_copy(
                        update={"amqp_prefix": amqp_prefixes.take(first.retry_delay_ms, first.delivery_limit)}
                    )
                )
            values["DOITHOAI_AMQP_PREFIX"] = taken[0].amqp_prefix
        settings = Settings(**values)
        if taken and settings.amqp_prefix == taken[0].amqp_prefix:
            # the prefix's queues may exist already, declared with the first call's arguments
            assert (settings.retry_delay_ms, settings.delivery_limit) == (
                taken[0].retry_delay_ms,
                taken[0].delivery_limit,
            ), "one test's settings share a prefix: give them one retry delay and delivery limit"
        made.append(settings)
        return settings

    yield factory
    if taken:
        run_apart(amqp_prefixes.give_back(taken[0]))
    for prefix in {settings.amqp_prefix for settings in made} - {s.amqp_prefix for s in taken}:
        run_apart(_delete_topology(rabbitmq_url, prefix))


async def _delete_topology(url: str, prefix: str) -> None:
    await topology_remove(url, prefix, CONSUMERS)


async def eventually(check, timeout: float = 10.0, interval: float = 0.05):
    """Poll `check` (sync or async) until it returns a truthy value, or fail at the deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = check()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(f"condition not met within {timeout}s")
        await asyncio.sleep(interval)


# What the reliability tests counted (faults, poison messages, fuzzing, back-pressure), shown in
# a section at the end of every run: `make test` prints them, whatever pytest captured.
_COUNTED = "counted"  # the user property a `counts` line is kept under


@pytest.fixture
def counts(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """`counts("…")` adds a line, under the test's name, to the run's summary of counts."""
    # as a user property: the test's reports carry it to the summary, from a pytest-xdist worker too
    return lambda text: request.node.user_properties.append((_COUNTED, text))


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    lines = [
        f"{report.nodeid}: {text}"
        for reports in terminalreporter.stats.values()
        for report in reports
        if getattr(report, "when", None) == "teardown"
        for name, text in getattr(report, "user_properties", ())
        if name == _COUNTED
    ]
    if lines:
        terminalreporter.section("what the reliability tests counted")
        for line in lines:
            terminalreporter.write_line(line)
