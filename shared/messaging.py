"""Publishing events and consuming them with manual acknowledgement.

A consumer acknowledges a message only after its handler has stored the outcome. What happens
to a message that fails:
- not a valid envelope, or an event type/version nobody here handles: dead-lettered at once,
  with the reason in the `x-doithoai-reason` header;
- `PermanentError`: dead-lettered at once;
- the store unreachable, or the work claimed by another worker (`Busy`): copied to the retry
  queue without spending the retry budget, so an outage of any length, or a worker killed in
  the middle of a send, delays events and fails none;
- other transient errors (broker blip, SMTP busy, any unexpected error): copied to the
  consumer's retry queue with `x-retry-count` + 1 and acknowledged; after `max_retries` it is
  dead-lettered and the consumer's `on_give_up` hook records a final status.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from faststream import AckPolicy
from faststream.message import StreamMessage
from faststream.rabbit import RabbitBroker, RabbitQueue
from faststream.rabbit.annotations import RabbitMessage
from pydantic import ValidationError
from pymongo.errors import ConnectionFailure

from shared.contracts import PAYLOADS, Envelope, Payload
from shared.errors import Busy, PermanentError, is_transient
from shared.mongo import ProcessedEvents
from shared.observability import ConsumerMetrics
from shared.topology import ConsumerSpec, Topology

log = logging.getLogger(__name__)

RETRY_HEADER = "x-retry-count"
REASON_HEADER = "x-doithoai-reason"
ORIGINAL_KEY_HEADER = "x-original-routing-key"

EventHandler = Callable[
    [Envelope, Any], Awaitable[bool | None]
]  # False: handled before (self-deduplicating handlers)
GiveUpHook = Callable[[Envelope, Any, str], Awaitable[None]]


class BusPublisher:
    """Publishes envelopes as persistent messages on the events exchange (with confirms)."""

    def __init__(self, broker: RabbitBroker, topology: Topology, metrics: ConsumerMetrics) -> None:
        self._broker = broker
        self._topology = topology
        self._metrics = metrics

    async def publish(self, envelope: Envelope) -> None:
        await self._broker.publish(
            envelope.model_dump_json().encode(),
            exchange=self._topology.events,
            routing_key=envelope.routing_key,
            persist=True,
            mandatory=True,
            message_id=envelope.event_id,
            correlation_id=envelope.correlation_id,
            content_type="application/json",
            headers={"x-commune-id": envelope.commune_id, "x-event-type": envelope.routing_key},
        )
        self._metrics.published_as(envelope.routing_key).inc()


@dataclass(frozen=True)
class Consumer:
    spec: ConsumerSpec
    handlers: Mapping[str, EventHandler]  # routing key (event_type.vN) -> handler
    on_give_up: GiveUpHook | None = None
    description: str = ""
    # Routing keys whose handler de-duplicates by its own write (an insert under a unique id per
    # effect, or a conditional update) and returns False when the event had been handled before.
    # For those the processed-events check and mark are skipped: two store operations less per
    # delivery, and a redelivery still changes nothing.
    self_deduplicating: frozenset[str] = frozenset()


@dataclass
class _Dispatcher:
    consumer: Consumer
    broker: RabbitBroker
    topology: Topology
    processed: ProcessedEvents
    metrics: ConsumerMetrics
    max_retries: int
    queue_name: str = field(init=False)

    def __post_init__(self) -> None:
        self.queue_name = self.topology.queue_name(self.consumer.spec)

    async def __call__(self, message: RabbitMessage) -> None:
        headers = dict(message.headers or {})
        try:
            envelope = Envelope.model_validate_json(message.body)
            payload_type = PAYLOADS.get(envelope.routing_key)
            handler = self.consumer.handlers.get(envelope.routing_key)
            if handler is None and envelope.routing_key in self.consumer.spec.retired_keys:
                # Queued before an upgrade unbound it (`ConsumerSpec.retired_keys`): dropped.
                self.metrics.consumed_as(envelope.routing_key, "retired").inc()
                return await message.ack()
            if payload_type is None or handler is None:
                raise PermanentError(f"unsupported event {envelope.routing_key!r} for {self.queue_name}")
            payload = payload_type.model_validate(envelope.payload)
        except (ValidationError, PermanentError) as exc:
            await self._dead_letter(message, headers, f"malformed or unsupported event: {_short(exc)}", "?")
            return await message.ack()

        label = envelope.routing_key
        context = {
            "event_id": envelope.event_id,
            "correlation_id": envelope.correlation_id,
            "commune_id": envelope.commune_id,
        }
        started = time.perf_counter()
        own_dedupe = label in self.consumer.self_deduplicating
        try:
            if not own_dedupe and await self.processed.seen(envelope.event_id):
                self.metrics.consumed_as(label, "duplicate").inc()
                return await message.ack()
            outcome = await handler(envelope, payload)
            if own_dedupe:
                first = outcome is not False
            else:
                first = await self.processed.mark(
                    envelope.event_id, commune_id=envelope.commune_id, event_type=label
                )
        except PermanentError as exc:
            log.warning("event failed permanently: %s", exc, extra=context)
            await self._give_up(envelope, payload, _short(exc))
            await self._dead_letter(message, headers, f"permanent: {_short(exc)}", label)
            return await message.ack()
        except (ConnectionFailure, Busy) as exc:
            # The store is down, or another worker holds the claim: wait without spending the
            # retry budget, so an outage or a crashed claimant delays events instead of failing them.
            log.warning("event waits in the retry queue: %s", _short(exc), extra=context)
            await self._retry(message, headers, int(headers.get(RETRY_HEADER, 0)), f"waiting: {_short(exc)}")
            self.metrics.consumed_as(label, "retried").inc()
            return await message.ack()
        except Exception as exc:
            attempts = int(headers.get(RETRY_HEADER, 0))
            reason = f"{'transient' if is_transient(exc) else 'unexpected'}: {_short(exc)}"
            if attempts < self.max_retries:
                log.warning(
                    "event failed, retry %d of %d: %s", attempts + 1, self.max_retries, reason, extra=context
                )
                await self._retry(message, headers, attempts + 1, reason)
                self.metrics.consumed_as(label, "retried").inc()
            else:
                log.error("event failed after %d retries: %s", attempts, reason, extra=context)
                await self._give_up(envelope, payload, reason)
                await self._dead_letter(message, headers, f"retries exhausted ({attempts}); {reason}", label)
            return await message.ack()
        finally:
            self.metrics.handled_in(label).observe(time.perf_counter() - started)
        # aio-pika runs up to `prefetch` deliveries at once, so two copies of one event can both
        # pass `seen`; handlers are idempotent, and the copy that marks second counts as a duplicate.
        self.metrics.consumed_as(label, "processed" if first else "duplicate").inc()
        await message.ack()

    async def _give_up(self, envelope: Envelope, payload: Payload, reason: str) -> None:
        if self.consumer.on_give_up is not None:
            try:
                await self.consumer.on_give_up(envelope, payload, reason)
            except Exception:
                log.exception("on_give_up hook failed", extra={"event_id": envelope.event_id})

    async def _retry(
        self, message: RabbitMessage, headers: dict[str, Any], attempt: int, reason: str
    ) -> None:
        retry_headers = {
            **headers,
            RETRY_HEADER: attempt,
            REASON_HEADER: reason,
            ORIGINAL_KEY_HEADER: headers.get(ORIGINAL_KEY_HEADER) or message.raw_message.routing_key,
        }
        await self.broker.publish(
            message.body,
            queue=self.topology.retry_queue(self.consumer.spec).name,
            persist=True,
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            content_type="application/json",
            headers=retry_headers,
        )

    async def _dead_letter(
        self, message: RabbitMessage, headers: dict[str, Any], reason: str, label: str
    ) -> None:
        dead_headers = {
            **headers,
            REASON_HEADER: reason[:1000],
            "x-doithoai-consumer": self.queue_name,
            ORIGINAL_KEY_HEADER: headers.get(ORIGINAL_KEY_HEADER) or message.raw_message.routing_key or "",
        }
        await self.broker.publish(
            message.body,
            exchange=self.topology.dead_letters,
            routing_key=self.queue_name,
            persist=True,
            message_id=message.message_id,
            correlation_id=message.correlation_id,
            content_type=message.content_type or "application/octet-stream",
            headers=dead_headers,
        )
        self.metrics.consumed_as(label, "dead_lettered").inc()


def register_consumer(
    broker: RabbitBroker,
    consumer: Consumer,
    *,
    topology: Topology,
    processed: ProcessedEvents,
    metrics: ConsumerMetrics,
    max_retries: int,
    in_memory: bool = False,
) -> None:
    """Attach the consumer to its queue. In-memory mode (FastStream's test broker, used by the
    embedded `make run` without RabbitMQ) matches messages by one routing pattern per
    subscriber, so there the consumer gets one subscriber per routing key instead."""
    dispatch = _Dispatcher(consumer, broker, topology, processed, metrics, max_retries)

    async def on_message() -> None:
        # The message is taken from FastStream's context, not as a `message: RabbitMessage`
        # parameter: fast_depends resolves such a Context field in a worker thread (plus a task
        # group) for every message: a thread hop per delivery.
        await dispatch(broker.context.get_local("message"))

    queue = topology.queue(consumer.spec)
    if not in_memory:
        broker.subscriber(
            queue,
            ack_policy=AckPolicy.MANUAL,
            decoder=_undecoded,
            title=queue.name,
            description=consumer.description,
        )(on_message)
        return
    for key in consumer.spec.routing_keys:
        per_key = RabbitQueue(f"{queue.name}.{key}", routing_key=key)
        broker.subscriber(per_key, topology.events, ack_policy=AckPolicy.MANUAL, decoder=_undecoded)(
            on_message
        )


async def _undecoded(message: StreamMessage[Any]) -> None:
    """FastStream's decoding of a body for the handler's parameters, of which `on_message` has
    none: the dispatcher reads the body once, into the envelope (not once more as JSON here)."""
    return None


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= 500 else text[:497] + "..."
