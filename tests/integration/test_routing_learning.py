"""Learning from the office through the real broker and store: staff changes made through
routing's API become the commune's examples as they are stored (routing takes no
`submission.routed.v1` to learn), and the background job retrains that commune's model (and no
other's) once the changes pause. An upgraded deployment deletes the retired learning queue."""

from __future__ import annotations

import aio_pika
import httpx
import pytest
from faststream.rabbit import RabbitBroker

from services.demo.seed import seed_demo
from services.deployment import CONSUMERS, build_app
from services.intake.app import build_service as intake
from services.routing.app import build_service as routing
from services.routing.learning.store import EXAMPLES, MODELS, STATE
from shared.contracts import SubmissionRoutedV1
from shared.topology import Topology
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
ITEMS = [
    ("Xe chở rác không tới xóm trong, bà con phải đốt rác, đề nghị mở rộng tuyến thu gom.", 4),
    ("Bãi rác tự phát cạnh kênh bốc mùi hôi, đề nghị xã cho dọn và xử phạt người đổ trộm.", 4),
    ("Cấp lại căn cước cho người già ở ấp mất nhiều ngày, đề nghị làm nhanh hơn.", 6),
    ("Đăng ký khai sinh cho cháu bị hẹn đi hẹn lại, đề nghị bộ phận một cửa giải quyết đúng hạn.", 6),
]


async def test_staff_changes_retrain_that_communes_model_only(make_settings):
    settings = make_settings(
        DOITHOAI_LEARNING_MIN_EXAMPLES=4,
        DOITHOAI_LEARNING_DEBOUNCE_S=0.3,
        DOITHOAI_LEARNING_POLL_S=0.2,
    )
    app = build_app(settings, [intake, routing], title="t")
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers()
        ) as client:

            async def routed(submission_id: str) -> dict | None:
                response = await client.get(f"{BASE}/submissions/{submission_id}/routing")
                return response.json() if response.status_code == 200 else None

            for text, topic in ITEMS:
                response = await client.post(
                    f"{BASE}/submissions",
                    json={"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": text},
                )
                assert response.status_code == 202, response.text
                submission_id = response.json()["id"]
                decision = await eventually(lambda sid=submission_id: routed(sid))
                # The rules decide while the commune has too few examples, and say so.
                assert decision["explanation_vi"][-1].startswith("Theo quy tắc")
                change = {"action": "reclassify", "topic": topic, "reason": "Sửa theo nội dung"}
                if decision["topic"] == topic:
                    change = {"action": "confirm", "reason": "Đúng nội dung"}
                response = await client.post(
                    f"{BASE}/submissions/{submission_id}/routing/changes", json=change
                )
                assert response.status_code == 200, response.text

            async def trained() -> dict | None:
                response = await client.get(f"{BASE}/routing/model")
                assert response.status_code == 200, response.text
                status = response.json()
                return status if status["models"] else None

            status = await eventually(trained, timeout=15)
            assert status["examples"] == 4 and not status["retraining_pending"]
            [model] = status["models"]
            assert (model["version"], model["examples"]) == (1, 4)
            # Everything learnt is keyed by this commune.
            assert await db[EXAMPLES].distinct("commune_id") == ["demo"]
            assert await db[MODELS].distinct("commune_id") == ["demo"]
            assert [d["_id"] for d in await db[STATE].find({}).to_list(None)] == ["demo"]

            # Learnt without a message: intake processed the routed events, routing took none.
            registry = app.state.runtime.registry

            def consumed(service: str) -> float:
                return sum(
                    sample.value
                    for metric in registry.collect()
                    if metric.name == f"doithoai_{service}_events_consumed"
                    for sample in metric.samples
                    if sample.labels.get("event_type") == SubmissionRoutedV1.routing_key()
                    and sample.name.endswith("_total")
                )

            assert consumed("intake") >= 8 and consumed("routing") == 0


async def _queue_depth(rabbitmq_url: str, name: str) -> int | None:
    """Messages in the queue; None if there is no such queue."""
    connection = await aio_pika.connect(rabbitmq_url)
    async with connection:
        channel = await connection.channel()
        try:
            queue = await channel.declare_queue(name, passive=True)
        except aio_pika.exceptions.ChannelNotFoundEntity:
            return None
        return queue.declaration_result.message_count


async def test_an_upgraded_deployment_deletes_the_retired_learning_queue(make_settings):
    """The queue routing's learning consumer had, with a routed event still in it: deleted at
    start-up with its delay queue; its dead-letter queue is kept while it holds a message."""
    settings = make_settings()
    topology = Topology(settings.amqp_prefix, settings.retry_delay_ms, settings.delivery_limit, CONSUMERS)
    [old] = topology.retired
    assert (old.service, old.name) == ("routing", "learning") and old not in CONSUMERS
    main, delay, dlq = (
        topology.queue(old).name,
        topology.retry_queue(old).name,
        topology.dead_letter_queue(old).name,
    )
    routed_key = SubmissionRoutedV1.routing_key()
    async with RabbitBroker(settings.rabbitmq_url) as broker:  # the queues as the earlier version had them
        queue = await broker.declare_queue(topology.queue(old))
        await queue.bind(await broker.declare_exchange(topology.events), routing_key=routed_key)
        await broker.declare_queue(topology.retry_queue(old))
        dead = await broker.declare_queue(topology.dead_letter_queue(old))
        await dead.bind(await broker.declare_exchange(topology.dead_letters), routing_key=main)
        await broker.publish(b"{}", exchange=topology.events, routing_key=routed_key, persist=True)
        await broker.publish(b"{}", exchange=topology.dead_letters, routing_key=main, persist=True)
    assert [await _queue_depth(settings.rabbitmq_url, n) for n in (main, delay, dlq)] == [1, 0, 1]
    try:
        async with running(build_app(settings, [routing], title="routing")):
            pass
        assert [await _queue_depth(settings.rabbitmq_url, n) for n in (main, delay, dlq)] == [None, None, 1]
        connection = await aio_pika.connect(settings.rabbitmq_url)
        async with connection:  # the operators looked at the dead letter and let it go
            await (await (await connection.channel()).declare_queue(dlq, passive=True)).purge()
        async with running(build_app(settings, [routing], title="routing")):
            pass
        assert await _queue_depth(settings.rabbitmq_url, dlq) is None
    finally:
        connection = await aio_pika.connect(settings.rabbitmq_url)
        async with connection:
            await (await connection.channel()).queue_delete(dlq)
