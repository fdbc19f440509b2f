"""Load shedding on the real broker: intake runs without routing, so routing's queue of received
submissions really fills (nothing is stubbed: the depth comes from RabbitMQ's passive declare,
the drain rate is measured — zero here — and floored). Past the bound in seconds a new
submission gets 503 with Retry-After and a bilingual reason, and nothing is stored; once the
queue is emptied (purged here, as routing would drain it), submissions are accepted again."""

from __future__ import annotations

import asyncio

import aio_pika
import httpx
import pytest

from services.demo.seed import seed_demo
from services.deployment import build_app, consumer
from services.intake.app import build_service as intake
from services.intake.repository import SUBMISSIONS
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import TEXTS, running
from tests.integration.test_resident_site import PETITION, token_of

pytestmark = pytest.mark.integration
FLOOR_RATE = 5.0  # items/s: with nothing draining, 1 s of work is 5 queued items
MAX_QUEUED_S = 1.0


async def test_intake_sheds_new_submissions_while_routing_queue_holds_too_much(make_settings, counts):
    settings = make_settings(
        DOITHOAI_MAX_QUEUED_SECONDS=MAX_QUEUED_S,
        DOITHOAI_SHED_FLOOR_RATE=FLOOR_RATE,
        DOITHOAI_SHED_SAMPLE_S=0.1,
    )
    app = build_app(settings, [intake], title="t")
    routing_queue = app.state.runtime.topology.queue_name(consumer("routing"))
    registry = app.state.runtime.registry
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers(), timeout=30
        ) as client:

            async def post(n: int) -> httpx.Response:
                body = {"source": "citizen", "kind": "petition", "text": TEXTS[n % len(TEXTS)]}
                return await client.post("/api/v1/communes/demo/submissions", json=body)

            accepted = 0
            refused: httpx.Response | None = None
            for n in range(60):
                response = await post(n)
                if response.status_code == 503:
                    refused = response
                    break
                assert response.status_code == 202, response.text
                accepted += 1
                await asyncio.sleep(0.15)  # the depth watch samples every 0.1 s
            assert refused is not None, "60 submissions queued and none was refused"
            # Shed only past the bound: at least bound x floor rate were queued first.
            assert accepted > MAX_QUEUED_S * FLOOR_RATE
            assert int(refused.headers["Retry-After"]) >= 1
            problem = refused.json()
            assert problem["error"] == "overloaded"
            assert problem["message_vi"] and problem["message_en"]

            stored = await db[SUBMISSIONS].count_documents({"commune_id": "demo"})
            again = await post(99)
            assert again.status_code == 503
            assert await db[SUBMISSIONS].count_documents({"commune_id": "demo"}) == stored == accepted
            # the residents' form says the same: overloaded, its own Retry-After, the text kept back
            form = {**PETITION, "csrf_token": await token_of(client, "/xa/demo")}
            page = await client.post("/xa/demo/gui-y-kien", data=form)
            assert page.status_code == 503 and "quá nhiều ý kiến cùng lúc" in page.text
            assert 1 <= int(page.headers["Retry-After"]) <= 120
            assert await db[SUBMISSIONS].count_documents({"commune_id": "demo"}) == stored
            assert registry.get_sample_value("doithoai_intake_shed_total") >= 2
            queued_s = registry.get_sample_value(
                "doithoai_intake_queued_work_seconds", {"queue": routing_queue}
            )
            assert queued_s is not None and queued_s > MAX_QUEUED_S

            purged = await _purge(settings.rabbitmq_url, routing_queue)
            assert purged >= accepted
            after = await eventually(_accepted_again(post), timeout=10)
            assert after.status_code == 202
    counts(
        f"routing's queue at {queued_s:.1f} s of work (bound {MAX_QUEUED_S:.0f} s): accepted {accepted}, "
        f"then 503 with Retry-After {refused.headers['Retry-After']} and nothing stored; "
        "accepted again once the queue was empty"
    )


def _accepted_again(post):
    async def check() -> httpx.Response | None:
        response = await post(7)
        return response if response.status_code == 202 else None

    return check


async def _purge(url: str, queue_name: str) -> int:
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(queue_name, ensure=True)
        result = await queue.purge()
        return int(result.message_count)
