"""Schemathesis over the OpenAPI of every HTTP service: generated requests never cause a 5xx
and responses conform to the documented schema. A bounded run in `make test`
(DOITHOAI_FUZZ_EXAMPLES, default 15 per operation); `make fuzz` runs a longer one."""

from __future__ import annotations

import os
import threading
import time

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.local.ports import free_port, wait_listening
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing

pytestmark = pytest.mark.integration
EXAMPLES = int(os.environ.get("DOITHOAI_FUZZ_EXAMPLES", "15"))
# Operations whose generated bodies would only exercise slow rendering, not input handling.
SLOW = ("/documents/{kind}/preview", "/documents/{document_id}")


@pytest.fixture(scope="module")
def live_server(rabbitmq_url, mongodb_url):
    """All four services' routes in one server on the real broker and store (the embedded
    layout); uvicorn runs it in a thread of this test process."""
    import asyncio

    from services.deployment import CONSUMERS, Settings
    from shared.topology import remove as topology_remove

    settings = Settings(
        RABBITMQ_URL=rabbitmq_url,
        MONGODB_URL=mongodb_url,
        MONGODB_DB="fuzz",
        DOITHOAI_AMQP_PREFIX=f"fuzz{os.getpid()}",
        SMTP_URL="smtp://127.0.0.1:9",
        # every example comes from one address: no per-address limit cuts the fuzzing short
        DOITHOAI_API_POST_LIMIT=1_000_000,
        DOITHOAI_OPEN311_POST_LIMIT=1_000_000,
        DOITHOAI_REGISTRATION_LIMIT=1_000_000,
        DOITHOAI_WEB_POST_LIMIT=1_000_000,
    )
    app = build_app(settings, [intake, routing, notification, reporting], title="fuzz")
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_listening("127.0.0.1", port, timeout=30)
    while not server.started:
        time.sleep(0.05)

    async def seed():
        from shared.mongo import create_client, database

        client = create_client(settings)
        await seed_demo(database(client, settings))
        await client.close()

    asyncio.run(seed())
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)
    # Its 21 quorum queues go with it, as every other test's do: left behind, each `make test`
    # added 21 to the broker, which must recover them all at every restart.
    asyncio.run(topology_remove(rabbitmq_url, settings.amqp_prefix, CONSUMERS))


def test_no_server_errors_and_responses_match_the_schema(live_server, counts):
    schema = schemathesis.openapi.from_url(f"{live_server}/openapi.json")
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if any(part in operation.path for part in SLOW):
            continue
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
            database=None,
        )
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(base_url=live_server, timeout=30)
            if response.status_code >= 500:
                failures.append(
                    f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}"
                )
                return
            try:
                case.validate_response(response, checks=[schemathesis.checks.not_a_server_error])
            except Exception as exc:  # a schema violation is reported, not raised mid-run
                failures.append(f"{case.method} {case.formatted_path}: {str(exc)[:300]}")

        check()
    counts(f"fuzzed {operations} operations x up to {EXAMPLES} examples; {len(failures)} failures")
    assert operations >= 20
    assert not failures, "\n".join(failures[:20])
