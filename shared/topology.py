"""Exchange, queue and routing-key names in one place.

One durable topic exchange carries every event. Each consumer owns one durable quorum queue
bound to the routing keys it needs, a delay queue (messages wait there `retry_delay_ms`, then
dead-letter straight back to the consumer's queue through the default exchange), and a
dead-letter queue on the dead-letter exchange. Every service declares the whole topology at
start-up, so a publish never goes to a queue that does not exist yet. Each consumer is declared
by its service next to its handlers (`shared.subscriptions.Subscription`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from faststream.rabbit import ExchangeType, QueueType, RabbitBroker, RabbitExchange, RabbitQueue

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ConsumerSpec:
    service: str
    name: str
    routing_keys: tuple[str, ...]
    # Keys this consumer took in earlier versions: unbound at start-up, so an upgraded deployment
    # stops delivering them, and copies already queued are acknowledged and dropped.
    retired_keys: tuple[str, ...] = ()


# Consumers of earlier versions that no longer exist (service, name): at start-up their queues
# are deleted with what is queued in them, so an upgraded deployment keeps no queue that
# collects copies nobody takes. A dead-letter queue still holding messages is kept for the
# operators. Routing's `learning` took every `submission.routed.v1` for the few made by staff,
# whose examples routing's staff use cases now store themselves.
RETIRED: tuple[ConsumerSpec, ...] = (ConsumerSpec("routing", "learning", ()),)


@dataclass(frozen=True)
class Topology:
    """The deployment's queues under one prefix. `consumers` is every consumer of every service
    (gathered from the services' declarations by `services/deployment.py`), so that a service
    declaring the topology at start-up creates the queues of services not started yet."""

    prefix: str
    retry_delay_ms: int
    delivery_limit: int
    consumers: tuple[ConsumerSpec, ...] = ()
    retired: tuple[ConsumerSpec, ...] = RETIRED

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
        for spec in self.consumers:
            names += [self.queue(spec).name, self.retry_queue(spec).name, self.dead_letter_queue(spec).name]
        return names


async def declare(broker: RabbitBroker, topology: Topology, amqp_url: str) -> None:
    """Declare exchanges, every consumer's queues and their bindings (idempotent), and delete
    retired consumers' queues (over their own connection to `amqp_url`)."""
    events = await broker.declare_exchange(topology.events)
    dead_letters = await broker.declare_exchange(topology.dead_letters)
    for spec in topology.consumers:
        queue = await broker.declare_queue(topology.queue(spec))
        for key in spec.routing_keys:
            await queue.bind(events, routing_key=key)
        for key in spec.retired_keys:
            await queue.unbind(events, routing_key=key)
        await broker.declare_queue(topology.retry_queue(spec))
        dlq = await broker.declare_queue(topology.dead_letter_queue(spec))
        await dlq.bind(dead_letters, routing_key=topology.queue_name(spec))
    for spec in topology.retired:
        await retire(amqp_url, topology, spec)


async def retire(amqp_url: str, topology: Topology, spec: ConsumerSpec) -> None:
    """Delete a retired consumer's queue and delay queue, and its dead-letter queue if empty.

    Nothing is declared: a quorum queue declared only to be deleted at once races its leader's
    start-up, and the broker answered INTERNAL_ERROR to the whole connection. Deleting a queue
    that is not there succeeds; the dead-letter queue is looked at passively, on a channel of
    its own (a passive look at a missing queue closes that channel), over a connection of its
    own so that the service's channels are never closed by these answers."""
    import aio_pika

    connection = await aio_pika.connect(amqp_url)
    async with connection:
        channel = await connection.channel()
        for queue in (topology.queue(spec), topology.retry_queue(spec)):
            await channel.queue_delete(queue.name)
        dlq_name = topology.dead_letter_queue(spec).name
        channel = await connection.channel()
        try:
            dlq = await channel.declare_queue(dlq_name, passive=True)
        except aio_pika.exceptions.ChannelNotFoundEntity:
            return
        held = dlq.declaration_result.message_count
        if held:
            log.warning("retired consumer's dead letters kept", extra={"queue": dlq_name, "messages": held})
        else:
            await channel.queue_delete(dlq_name)


async def remove(amqp_url: str, prefix: str, consumers: Sequence[ConsumerSpec]) -> None:
    """Delete every queue and exchange of the topology under `prefix` (tests and benchmarks
    clean up after themselves; a missing one is skipped)."""
    import aio_pika

    topology = Topology(prefix, 100, 20, tuple(consumers))
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
