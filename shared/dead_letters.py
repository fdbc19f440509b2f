"""Operators' view of the dead-letter queues: what is there and why, and replaying messages
to their consumer once the cause is fixed (`doithoai dlq list|replay`)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

import aio_pika

from shared.messaging import ORIGINAL_KEY_HEADER, REASON_HEADER, RETRY_HEADER
from shared.topology import ConsumerSpec, Topology

REPLAYED_HEADER = "x-doithoai-replayed"


def _specs(topology: Topology, service: str | None) -> Iterable[ConsumerSpec]:
    return [spec for spec in topology.consumers if service in (None, spec.service)]


def _describe(queue: str, message: aio_pika.abc.AbstractIncomingMessage) -> dict[str, object]:
    headers = dict(message.headers or {})
    try:
        event = json.loads(message.body)
        event_type = f"{event.get('event_type')}.v{event.get('version')}"
        commune_id = event.get("commune_id")
    except (ValueError, AttributeError):
        event_type, commune_id = None, None
    return {
        "queue": queue,
        "message_id": message.message_id,
        "event_type": event_type,
        "commune_id": commune_id,
        "reason": headers.get(REASON_HEADER) or _x_death_reason(headers),
        "retries": headers.get(RETRY_HEADER, 0),
        "replayed": headers.get(REPLAYED_HEADER, 0),
        "body_preview": message.body[:200].decode("utf-8", "replace"),
    }


def _x_death_reason(headers: Mapping[str, object]) -> str | None:
    deaths = headers.get("x-death")
    if isinstance(deaths, list) and deaths and isinstance(deaths[0], Mapping):
        return f"broker: {deaths[0].get('reason')}"
    return None


def _count(value: object) -> int:
    """A counter header: written as a number, read back as the broker kept it."""
    return value if isinstance(value, int) else int(str(value))


async def _take(queue: aio_pika.abc.AbstractQueue, limit: int) -> list[aio_pika.abc.AbstractIncomingMessage]:
    """Up to `limit` messages, unacknowledged (the caller acks or returns each)."""
    taken = []
    for _ in range(limit):
        message = await queue.get(no_ack=False, fail=False)
        if message is None:
            break
        taken.append(message)
    return taken


async def list_dead_letters(
    url: str, topology: Topology, *, service: str | None = None, limit: int = 20
) -> list[dict[str, object]]:
    """Up to `limit` messages per dead-letter queue, left in place, with their reasons."""
    found: list[dict[str, object]] = []
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel()
        for spec in _specs(topology, service):
            name = topology.dead_letter_queue(spec).name
            queue = await channel.get_queue(name, ensure=True)
            taken = await _take(queue, limit)
            found += [_describe(name, message) for message in taken]
            for message in taken:  # closing without ack would also return them; say so explicitly
                await message.nack(requeue=True)
    return found


async def replay_dead_letters(
    url: str,
    topology: Topology,
    *,
    service: str | None = None,
    message_id: str | None = None,
    limit: int = 100,
) -> list[dict[str, object]]:
    """Send dead letters back to their consumer's queue (each acknowledged only after the broker
    confirmed the copy), with the retry count reset."""
    replayed: list[dict[str, object]] = []
    connection = await aio_pika.connect(url)
    async with connection:
        channel = await connection.channel(publisher_confirms=True)
        for spec in _specs(topology, service):
            dlq_name, target = topology.dead_letter_queue(spec).name, topology.queue_name(spec)
            queue = await channel.get_queue(dlq_name, ensure=True)
            skipped = []
            for message in await _take(queue, limit):
                if message_id and message.message_id != message_id:
                    skipped.append(message)
                    continue
                headers = {
                    k: v
                    for k, v in (message.headers or {}).items()
                    if k
                    not in (
                        RETRY_HEADER,
                        REASON_HEADER,
                        "x-death",
                        "x-first-death-exchange",
                        "x-first-death-queue",
                        "x-first-death-reason",
                        "x-last-death-exchange",
                        "x-last-death-queue",
                        "x-last-death-reason",
                    )
                }
                headers[REPLAYED_HEADER] = _count((message.headers or {}).get(REPLAYED_HEADER, 0)) + 1
                headers.setdefault(ORIGINAL_KEY_HEADER, target)
                copy = aio_pika.Message(
                    message.body,
                    headers=headers,
                    message_id=message.message_id,
                    correlation_id=message.correlation_id,
                    content_type=message.content_type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                )
                await channel.default_exchange.publish(copy, routing_key=target)
                replayed.append(_describe(dlq_name, message) | {"to": target})
                await message.ack()
            for message in skipped:
                await message.nack(requeue=True)
    return replayed
