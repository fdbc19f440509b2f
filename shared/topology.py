"""Exchange, queue and routing-key names in one place.

One durable topic exchange carries every event. Each consumer owns one durable quorum queue
bound to the routing keys it needs, a delay queue (messages wait there `retry_delay_ms`, then
dead-letter straight back to the consumer's queue through the default exchange), and a
dead-letter queue on the dead-letter exchange. Every service declares the whole topology at
start-up, so a publish never goes to a queue that does not exist yet.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass

from faststream.rabbit import ExchangeType, QueueType, RabbitExchange, RabbitQueue

from shared.contracts import (
    DialoguePlanChangedV1,
    DocumentIssuedV1,
    FollowUpChangedV1,
    FollowUpReminderV1,
    NotificationFailedV1,
    NotificationSentV1,
    SubmissionReceivedV1,
    SubmissionRoutedV1,
)


@dataclass(frozen=True)
class ConsumerSpec:
    service: str
    name: str
    routing_keys: tuple[str, ...]
    # Keys this consumer took in earlier versions: unbound at start-up, so an upgraded deployment
    # stops delivering them, and copies already queued are acknowledged and dropped.
    retired_keys: tuple[str, ...] = ()


CONSUMERS: tuple[ConsumerSpec, ...] = (
    ConsumerSpec("routing", "submissions", (SubmissionReceivedV1.routing_key(),)),
    ConsumerSpec("notification", "assignments", (SubmissionRoutedV1.routing_key(),)),
    ConsumerSpec("notification", "plans", (DialoguePlanChangedV1.routing_key(),)),
    ConsumerSpec("notification", "documents", (DocumentIssuedV1.routing_key(),)),
    ConsumerSpec(
        "notification", "followup", (FollowUpChangedV1.routing_key(), FollowUpReminderV1.routing_key())
    ),
    ConsumerSpec(
        "intake",
        "status",
        (
            SubmissionRoutedV1.routing_key(),
            NotificationSentV1.routing_key(),
            NotificationFailedV1.routing_key(),
            FollowUpChangedV1.routing_key(),
            DocumentIssuedV1.routing_key(),
        ),
    ),
    ConsumerSpec(
        "reporting",
        "read-model",
        (SubmissionReceivedV1.routing_key(), SubmissionRoutedV1.routing_key()),
        # The read model stored when an office was e-mailed, but no document, page or API used it:
        # one delivery per item less. The status a resident sees (intake) still has it.
        retired_keys=(NotificationSentV1.routing_key(), NotificationFailedV1.routing_key()),
    ),
)


def consumer(service: str, name: str | None = None) -> ConsumerSpec:
    return next(spec for spec in CONSUMERS if spec.service == service and name in (None, spec.name))


@dataclass(frozen=True)
class Topology:
    prefix: str
    retry_delay_ms: int
    delivery_limit: int

    @property
    def events(self) -> RabbitExchange:
        return RabbitExchange(f"{self.prefix}.events", type=ExchangeType.TOPIC, durable=True)

    @property
    def dead_letters(self) -> RabbitExchange:
        return RabbitExchange(f"{self.prefix}.dlx", type=ExchangeType.DIRECT, durable=True)

    def queue_name(self, spec: ConsumerSpec) -> str:
        return f"{self.prefix}.{spec.service}.{spec.name}"

    def queue(self, spec: ConsumerSpec) -> RabbitQueue:
        name = self.queue_name(spec)
        return RabbitQueue(
            name,
            durable=True,
            queue_type=QueueType.QUORUM,
            arguments={
                "x-dead-letter-exchange": self.dead_letters.name,
                "x-dead-letter-routing-key": name,
                "x-delivery-limit": self.delivery_limit,
            },
        )

    def retry_queue(self, spec: ConsumerSpec) -> RabbitQueue:
        """Where a message waits before its next try. A quorum queue with at-least-once
        dead-lettering: a classic queue's expiry dead-lettering is at-most-once, and a broker
        restart at that moment lost messages in the fault test."""
        name = self.queue_name(spec)
        return RabbitQueue(
            f"{name}.delay",
            durable=True,
            queue_type=QueueType.QUORUM,
            arguments={
                "x-message-ttl": self.retry_delay_ms,
                "x-dead-letter-exchange": "",
                "x-dead-letter-routing-key": name,
                "x-dead-letter-strategy": "at-least-once",
                "x-overflow": "reject-publish",
            },
        )

    def dead_letter_queue(self, spec: ConsumerSpec) -> RabbitQueue:
        name = self.queue_name(spec)
        return RabbitQueue(f"{name}.dlq", durable=True, queue_type=QueueType.QUORUM, routing_key=name)

    def all_queue_names(self) -> list[str]:
        names = []
        for spec in CONSUMERS:
            names += [self.queue(spec).name, self.retry_queue(spec).name, self.dead_letter_queue(spec).name]
        return names


async def declare(broker, topology: Topology) -> None:
    """Declare exchanges, every consumer's queues and their bindings (idempotent)."""
    events = await broker.declare_exchange(topology.events)
    dead_letters = await broker.declare_exchange(topology.dead_letters)
    for spec in CONSUMERS:
        queue = await broker.declare_queue(topology.queue(spec))
        for key in spec.routing_keys:
            await queue.bind(events, routing_key=key)
        for key in spec.retired_keys:
            await queue.unbind(events, routing_key=key)
        await broker.declare_queue(topology.retry_queue(spec))
        dlq = await broker.declare_queue(topology.dead_letter_queue(spec))
        await dlq.bind(dead_letters, routing_key=topology.queue_name(spec))


async def remove(amqp_url: str, prefix: str) -> None:
    """Delete every queue and exchange of the topology under `prefix` (tests and benchmarks
    clean up after themselves; a missing one is skipped)."""
    import aio_pika

    topology = Topology(prefix, 100, 20)
    connection = await aio_pika.connect(amqp_url)
    async with connection:
        for name in topology.all_queue_names():
            channel = await connection.channel()
            with contextlib.suppress(aio_pika.exceptions.AMQPError):
                await channel.queue_delete(name)
        for exchange in (topology.events.name, topology.dead_letters.name):
            channel = await connection.channel()
            with contextlib.suppress(aio_pika.exceptions.AMQPError):
                await channel.exchange_delete(exchange)
