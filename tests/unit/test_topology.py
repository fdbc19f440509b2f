"""One list of queues, and every queue has a consumer in some service."""

from __future__ import annotations

from prometheus_client import CollectorRegistry
from pymongo import AsyncMongoClient

from services.deployment import CONSUMERS, Settings
from services.intake.app import build_service as intake
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from shared.auth.tokens import Tokens, random_keys
from shared.directory import DirectoryReader
from shared.runtime import Runtime, make_broker
from shared.topology import Topology


def test_every_consumer_queue_has_a_consumer_and_every_routing_key_a_handler():
    settings = Settings()
    registry = CollectorRegistry()
    db = AsyncMongoClient("mongodb://127.0.0.1:1", connect=False)["x"]
    rt = Runtime(
        settings,
        make_broker(settings, registry, "t"),
        Topology("t", 100, 20, CONSUMERS),
        registry,
        db,
        DirectoryReader(db),
        Tokens(random_keys(), 300),
    )
    consumers = [c for factory in (intake, routing, notification, reporting) for c in factory(rt).consumers]
    assert sorted(c.spec.service for c in consumers) == sorted(spec.service for spec in CONSUMERS)
    assert {c.spec for c in consumers} == set(CONSUMERS)
    for c in consumers:
        assert set(c.handlers) == set(c.spec.routing_keys)


def test_queues_dead_letter_to_their_own_dead_letter_queue_and_retry_back():
    topology = Topology("p", 1500, 7, CONSUMERS)
    for spec in CONSUMERS:
        main = topology.queue(spec)
        assert main.arguments["x-dead-letter-exchange"] == "p.dlx"
        assert main.arguments["x-dead-letter-routing-key"] == main.name
        assert main.arguments["x-delivery-limit"] == 7
        retry = topology.retry_queue(spec)
        assert retry.name == main.name + ".delay"
        assert {k: v for k, v in retry.arguments.items() if k != "x-queue-type"} == {
            "x-message-ttl": 1500,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": main.name,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        }
        assert topology.dead_letter_queue(spec).name == main.name + ".dlq"
    assert len(set(topology.all_queue_names())) == 3 * len(CONSUMERS)
