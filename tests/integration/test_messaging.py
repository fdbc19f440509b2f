"""The consumer runner through the real RabbitMQ and the MongoDB wire server: duplicates,
poison messages, bounded retries, dead letters with their reason, the outbox relay and its
grouped clears."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import pytest
from faststream.rabbit import RabbitBroker
from prometheus_client import CollectorRegistry
from pymongo.errors import ConnectionFailure

from services.deployment import CONSUMERS, build_app, consumer
from services.local.ports import free_port
from services.reporting.app import build_service as reporting
from shared.contracts import Envelope, Kind, NotificationSentV1, Source, SubmissionReceivedV1
from shared.dead_letters import list_dead_letters, replay_dead_letters
from shared.errors import PermanentError, TransientError
from shared.messaging import REASON_HEADER, Consumer
from shared.mongo import StoreOperations, create_client, database
from shared.outbox import OWNERS, Outbox, outbox_fields
from shared.runtime import ServiceParts, service_base
from shared.topology import Topology
from tests.conftest import eventually
from tests.integration.helpers import dead_letters, running

pytestmark = pytest.mark.integration
SPEC = consumer("routing")  # any consumer queue will do; this one takes submission.received.v1


def received_envelope(n: int = 1) -> Envelope:
    payload = SubmissionReceivedV1(
        submission_id=f"s{n}",
        dialogue_id="d",
        tracking_code="DT-X",
        source=Source.CITIZEN,
        kind=Kind.OPINION,
        text="Đường ngập",
        hamlet=None,
        received_at=datetime.now(UTC),
    )
    return Envelope.wrap(payload, commune_id="demo", correlation_id="corr")


class Probe:
    """A handler whose behaviour each test scripts: a list of exceptions to raise, in order."""

    def __init__(self, failures=()):
        self.failures = list(failures)
        self.calls: list[str] = []
        self.gave_up: list[tuple[str, str]] = []
        self.parts: ServiceParts | None = None

    async def handle(self, envelope: Envelope, payload) -> None:
        self.calls.append(envelope.event_id)
        if self.failures:
            raise self.failures.pop(0)

    async def give_up(self, envelope: Envelope, payload, reason: str) -> None:
        self.gave_up.append((envelope.event_id, reason))

    def factory(self, rt):
        metrics, publisher = service_base(rt, "probe")
        self.parts = ServiceParts(
            "probe",
            metrics,
            publisher,
            consumers=[
                Consumer(SPEC, {SubmissionReceivedV1.routing_key(): self.handle}, on_give_up=self.give_up)
            ],
        )
        return self.parts

    def count(self, outcome: str) -> float:
        return self.parts.metrics.consumed.labels("submission.received.v1", outcome)._value.get()


async def publish_raw(
    settings, body: bytes, routing_key: str = "submission.received.v1", content_type: str | None = None
) -> None:
    topology = Topology(settings.amqp_prefix, settings.retry_delay_ms, settings.delivery_limit, CONSUMERS)
    async with RabbitBroker(settings.rabbitmq_url) as broker:
        await broker.publish(
            body, exchange=topology.events, routing_key=routing_key, persist=True, content_type=content_type
        )


async def test_a_redelivered_event_is_handled_once(make_settings):
    settings, probe = make_settings(), Probe()
    app = build_app(settings, [probe.factory], title="t")
    async with running(app):
        envelope = received_envelope()
        await probe.parts.publisher.publish(envelope)
        await eventually(lambda: probe.count("processed") == 1)
        await probe.parts.publisher.publish(envelope)  # e.g. the outbox relay publishing again
        await eventually(lambda: probe.count("duplicate") == 1)
    assert probe.calls == [envelope.event_id]
    assert probe.count("processed") == 1


async def test_poison_messages_are_dead_lettered_with_a_reason_and_the_consumer_goes_on(
    make_settings, counts
):
    settings, probe = make_settings(), Probe()
    app = build_app(settings, [probe.factory], title="t")
    async with running(app):
        await publish_raw(settings, b"\xff not json")
        unknown_version = received_envelope().model_dump(mode="json") | {"version": 9}
        await publish_raw(settings, Envelope.model_validate(unknown_version).model_dump_json().encode())
        good = received_envelope(2)
        await probe.parts.publisher.publish(good)
        await eventually(lambda: probe.calls == [good.event_id])
        letters = await dead_letters(
            settings.rabbitmq_url, f"{settings.amqp_prefix}.routing.submissions.dlq", expected=2
        )
    reasons = sorted(m.headers[REASON_HEADER] for m in letters)
    counts(
        f"2 poison messages published, {len(letters)} dead-lettered with a reason; "
        f"the good event after them handled {len(probe.calls)} time(s)"
    )
    assert len(reasons) == 2
    assert reasons[0].startswith(
        "malformed or unsupported event: PermanentError: unsupported event 'submission.received.v9'"
    )
    assert reasons[1].startswith("malformed or unsupported event: ValidationError")
    assert b"\xff not json" in [m.body for m in letters]  # kept as it came, for inspection and replay


async def test_a_body_labelled_json_that_is_not_json_is_dead_lettered_with_a_reason(make_settings):
    """A publisher's bug: content type application/json, a body that is not JSON. The consumer
    reads the body once, into the envelope, so the message meets the same fate as any poison
    message (dead-lettered with the reason) and the events after it are handled."""
    settings, probe = make_settings(), Probe()
    app = build_app(settings, [probe.factory], title="t")
    async with running(app):
        await publish_raw(settings, b'{"event_id": "x", broken', content_type="application/json")
        good = received_envelope(3)
        await probe.parts.publisher.publish(good)
        await eventually(lambda: probe.calls == [good.event_id])
        letters = await dead_letters(
            settings.rabbitmq_url, f"{settings.amqp_prefix}.routing.submissions.dlq", expected=1
        )
    assert [m.body for m in letters] == [b'{"event_id": "x", broken']
    assert letters[0].headers[REASON_HEADER].startswith("malformed or unsupported event: ValidationError")


async def test_transient_failures_are_retried_after_a_delay_then_succeed(make_settings):
    settings = make_settings(DOITHOAI_MAX_RETRIES=3)
    probe = Probe([TransientError("store down"), ConnectionError("broker blip")])
    app = build_app(settings, [probe.factory], title="t")
    async with running(app):
        envelope = received_envelope()
        await probe.parts.publisher.publish(envelope)
        await eventually(lambda: probe.count("processed") == 1)
    assert probe.calls == [envelope.event_id] * 3
    assert probe.count("retried") == 2 and probe.gave_up == []


async def test_after_the_last_retry_the_event_is_dead_lettered_and_given_up(make_settings):
    settings = make_settings(DOITHOAI_MAX_RETRIES=2)
    probe = Probe([TransientError("smtp busy")] * 10)
    app = build_app(settings, [probe.factory], title="t")
    async with running(app):
        envelope = received_envelope()
        await probe.parts.publisher.publish(envelope)
        await eventually(lambda: probe.gave_up)
        [letter] = await dead_letters(
            settings.rabbitmq_url, f"{settings.amqp_prefix}.routing.submissions.dlq", expected=1
        )
    assert len(probe.calls) == 3
    assert letter.headers[REASON_HEADER].startswith(
        "retries exhausted (2); transient: TransientError: smtp busy"
    )
    assert letter.headers["x-retry-count"] == 2 and letter.message_id == envelope.event_id
    assert probe.gave_up == [(envelope.event_id, "transient: TransientError: smtp busy")]


async def test_permanent_errors_are_not_retried(make_settings):
    settings, probe = make_settings(), Probe([PermanentError("office has no e-mail")])
    app = build_app(settings, [probe.factory], title="t")
    async with running(app):
        await probe.parts.publisher.publish(received_envelope())
        [letter] = await dead_letters(
            settings.rabbitmq_url, f"{settings.amqp_prefix}.routing.submissions.dlq", expected=1
        )
    assert letter.headers[REASON_HEADER] == "permanent: PermanentError: office has no e-mail"
    assert len(probe.calls) == 1 and len(probe.gave_up) == 1


async def test_outbox_left_behind_by_a_crash_is_published_by_the_relay(make_settings):
    settings, probe = make_settings(), Probe()
    relay_source = {}

    def factory(rt):
        parts = probe.factory(rt)
        relay_source["collection"] = rt.db["crash_outbox"]
        parts.outbox = Outbox(parts.publisher, [relay_source["collection"]])
        return parts

    app = build_app(settings, [factory], title="t")
    async with running(app):
        envelope = received_envelope()
        # What a writer leaves when its process dies after storing and before publishing (its
        # lease on its entries ran out):
        crashed, collection = "host-b:1234:crashed", relay_source["collection"]
        await collection.database[OWNERS].insert_one({"_id": crashed, "until": time.time() - 1})
        left = {**outbox_fields([envelope]), "outbox_owner": crashed, "outbox_at": time.time() - 60}
        await collection.insert_one({"_id": "doc", **left})
        await eventually(lambda: probe.calls == [envelope.event_id])
        doc = await eventually(
            lambda: relay_source["collection"].find_one({"_id": "doc", "outbox_pending": False})
        )
        republished = app.state.runtime.registry.get_sample_value("doithoai_probe_outbox_republished_total")
    assert "outbox" not in doc and republished == 1


async def test_dead_letters_are_listed_with_their_reason_and_replayed_once_fixed(make_settings):
    settings = make_settings()
    probe = Probe([PermanentError("office has no e-mail")])
    topology = Topology(settings.amqp_prefix, settings.retry_delay_ms, settings.delivery_limit, CONSUMERS)
    app = build_app(settings, [probe.factory], title="t")
    async with running(app):
        envelope = received_envelope()
        await probe.parts.publisher.publish(envelope)
        await eventually(lambda: probe.count("dead_lettered") == 1)
        listed = await eventually(
            lambda: list_dead_letters(settings.rabbitmq_url, topology, service="routing")
        )
        assert [(row["message_id"], row["event_type"], row["reason"]) for row in listed] == [
            (envelope.event_id, "submission.received.v1", "permanent: PermanentError: office has no e-mail")
        ]
        assert (
            len(await list_dead_letters(settings.rabbitmq_url, topology, service="routing")) == 1
        )  # listing leaves them
        # The cause is fixed (the probe no longer fails): replay sends it back to its consumer.
        [replayed] = await replay_dead_letters(
            settings.rabbitmq_url, topology, service="routing", message_id=envelope.event_id
        )
        assert replayed["to"] == f"{settings.amqp_prefix}.routing.submissions"
        await eventually(lambda: probe.count("processed") == 1)
        assert await list_dead_letters(settings.rabbitmq_url, topology) == []
    assert probe.calls == [envelope.event_id, envelope.event_id]


class Recorder:
    """Stands in for the broker publisher: these tests are about the store writes after it."""

    def __init__(self) -> None:
        self.published: list[str] = []

    async def publish(self, envelope: Envelope) -> None:
        await asyncio.sleep(0)
        self.published.append(envelope.event_id)


async def test_concurrent_outbox_clears_share_store_commands_and_each_waits_for_its_own(
    make_settings, counts
):
    settings = make_settings()
    operations, registry = StoreOperations(), CollectorRegistry()
    operations.register("probe", registry)
    client = create_client(settings, operations)
    collection = database(client, settings)["batched_outbox"]
    try:
        docs = [
            {"_id": f"d{i}", "commune_id": "demo", **outbox_fields([received_envelope(i)])} for i in range(40)
        ]
        await collection.insert_many(docs)
        recorder = Recorder()
        outbox = Outbox(recorder, [collection])
        before = (
            registry.get_sample_value("doithoai_probe_store_operations_total", {"command": "update"}) or 0
        )
        assert await asyncio.gather(*(outbox.publish_written(collection, doc) for doc in docs)) == [1] * 40
        updates = (
            registry.get_sample_value("doithoai_probe_store_operations_total", {"command": "update"}) - before
        )
        assert len(recorder.published) == 40
        # Every caller returned after its own clear was stored.
        assert await collection.count_documents({"outbox_pending": False}) == 40
        assert await collection.count_documents({"outbox": {"$exists": True}}) == 0
        counts(f"40 clears in {updates:.0f} update commands")
        assert 1 <= updates < 40
    finally:
        await client.drop_database(settings.mongodb_db)
        await client.close()


async def test_when_the_store_is_down_every_waiting_clear_fails(make_settings):
    settings = make_settings(MONGODB_URL=f"mongodb://127.0.0.1:{free_port()}/?serverSelectionTimeoutMS=300")
    client = create_client(settings)
    collection = database(client, settings)["batched_outbox"]
    try:
        outbox = Outbox(Recorder(), [collection])
        docs = [{"_id": f"d{i}", **outbox_fields([received_envelope(i)])} for i in range(5)]
        results = await asyncio.gather(
            *(outbox.publish_written(collection, doc) for doc in docs), return_exceptions=True
        )
        assert all(isinstance(r, ConnectionFailure) for r in results), results
    finally:
        await client.close()


async def test_the_backlog_is_what_waited_past_the_grace_period_and_the_relay_empties_it(make_settings):
    settings = make_settings()
    client = create_client(settings)
    collection = database(client, settings)["stale_outbox"]
    try:
        left_behind = received_envelope(2)
        await collection.insert_many(
            [
                {"_id": "fresh", **outbox_fields([received_envelope(1)])},  # its writer is publishing it now
                {"_id": "left", **outbox_fields([left_behind]), "outbox_at": time.time() - 60},
                {"_id": "done", "outbox_pending": False, "outbox_at": time.time() - 60},
            ]
        )
        recorder = Recorder()
        outbox = Outbox(recorder, [collection])
        stale = await outbox.stale(timedelta(seconds=5))
        assert [doc["_id"] for _, doc in stale] == ["left"]
        assert await outbox.publish_stale(stale) == 1
        assert recorder.published == [left_behind.event_id]
        assert await outbox.stale(timedelta(seconds=5)) == []
        assert (await collection.find_one({"_id": "fresh"}))["outbox_pending"] is True
    finally:
        await client.drop_database(settings.mongodb_db)
        await client.close()


async def test_a_retired_key_is_unbound_at_start_up_and_a_copy_queued_before_is_dropped(make_settings):
    """Reporting's read model stopped taking notification outcomes: an upgraded deployment's
    queue loses the old binding, and an outcome queued before the upgrade is acknowledged and
    counted as retired, never dead-lettered."""
    settings = make_settings()
    topology = Topology(settings.amqp_prefix, settings.retry_delay_ms, settings.delivery_limit, CONSUMERS)
    reporting_queue = topology.queue_name(consumer("reporting"))
    sent = Envelope.wrap(
        NotificationSentV1(
            notification_id="n1", submission_id="s1", office_id="o1", sent_at=datetime.now(UTC)
        ),
        commune_id="demo",
        correlation_id="c",
    )
    async with RabbitBroker(settings.rabbitmq_url) as broker:  # the queue as the earlier version bound it
        queue = await broker.declare_queue(topology.queue(consumer("reporting")))
        await queue.bind(
            await broker.declare_exchange(topology.events), routing_key=NotificationSentV1.routing_key()
        )
        await broker.publish(
            sent.model_dump_json().encode(),
            exchange=topology.events,
            routing_key=NotificationSentV1.routing_key(),
            persist=True,
        )

    app = build_app(settings, [reporting], title="reporting")
    async with running(app):
        registry = app.state.runtime.registry

        def retired() -> float | None:
            return registry.get_sample_value(
                "doithoai_reporting_events_consumed_total",
                {"event_type": "notification.sent.v1", "outcome": "retired"},
            )

        await eventually(lambda: retired() == 1)
        async with RabbitBroker(settings.rabbitmq_url) as broker:  # after start-up: no longer bound
            await broker.publish(
                sent.model_dump_json().encode(),
                exchange=topology.events,
                routing_key=NotificationSentV1.routing_key(),
                persist=True,
            )
        await asyncio.sleep(0.5)
        assert retired() == 1
    assert await dead_letters(settings.rabbitmq_url, f"{reporting_queue}.dlq", expected=1, timeout=0.5) == []
