"""reporting keeps its read model from every submission event."""

from __future__ import annotations

from services.deployment import consumer  # transitional: replaced by the service's Subscription declarations
from services.reporting.metrics import ReportingMetrics
from services.reporting.projection import item_fields
from services.reporting.repository import ItemRepository
from shared.contracts import Envelope
from shared.messaging import Consumer


def read_model_consumer(repo: ItemRepository, metrics: ReportingMetrics) -> Consumer:
    async def project(envelope: Envelope, payload) -> None:
        await repo.merge(envelope.commune_id, payload.submission_id, item_fields(envelope, payload))
        metrics.updates.labels(envelope.commune_id, envelope.routing_key).inc()

    spec = consumer("reporting")
    return Consumer(
        spec,
        {key: project for key in spec.routing_keys},
        description="Builds the dialogue read model.",
        # Each event sets the facts it carries, routing facts only move forward: a repeat changes nothing.
        self_deduplicating=frozenset(spec.routing_keys),
    )
