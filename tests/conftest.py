"""Shared fixtures.

Integration tests run against the real RabbitMQ on 127.0.0.1:5672 (`make test` starts one when
none answers) and one nx-27017 MongoDB wire-protocol server per test session. Each test gets
its own exchange/queue prefix and its own database name, and its queues are deleted after it.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from services.deployment import CONSUMERS, Settings
from services.local.mail_capture import MailCapture
from services.local.ports import is_listening
from services.local.wire_store import start_wire_store
from shared.topology import remove as topology_remove

RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
TEST_AUTH_KEYS = "test:" + "k" * 40  # one signing key for every app a test builds (tests/auth.py)
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


@pytest.fixture
def make_settings(rabbitmq_url: str, mongodb_url: str) -> Callable[..., Settings]:
    """Settings isolated to this test: own AMQP prefix, own database, short retry delays."""
    run_id = uuid.uuid4().hex[:10]
    prefixes: list[str] = []

    def factory(**overrides) -> Settings:
        values = {
            "RABBITMQ_URL": rabbitmq_url,
            "MONGODB_URL": mongodb_url,
            "MONGODB_DB": f"t_{run_id}",
            "DOITHOAI_AMQP_PREFIX": f"t{run_id}",
            "DOITHOAI_RETRY_DELAY_MS": 100,
            "DOITHOAI_MAX_RETRIES": 2,
            "DOITHOAI_OUTBOX_INTERVAL_S": 0.2,
            "DOITHOAI_OUTBOX_GRACE_S": 0.5,
            "DOITHOAI_AUTH_KEYS": TEST_AUTH_KEYS,
            # reporting lists the items not routed yet from intake: served by the same app here
            "DOITHOAI_INTAKE_URL": "inprocess",
            **overrides,
        }
        settings = Settings(**values)
        prefixes.append(settings.amqp_prefix)
        return settings

    yield factory
    for prefix in set(prefixes):
        asyncio.run(_delete_topology(rabbitmq_url, prefix))


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
_COUNTS = pytest.StashKey[list[str]]()


@pytest.fixture
def counts(request: pytest.FixtureRequest) -> Callable[[str], None]:
    """`counts("…")` adds a line, under the test's name, to the run's summary of counts."""
    lines = request.config.stash.setdefault(_COUNTS, [])
    return lambda text: lines.append(f"{request.node.nodeid}: {text}")


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    lines = config.stash.get(_COUNTS, [])
    if lines:
        terminalreporter.section("what the reliability tests counted")
        for line in lines:
            terminalreporter.write_line(line)
