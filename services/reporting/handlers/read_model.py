"""The read model's use case: each routed event sets the facts it carries on the item
(`projection.item_fields`: the routing, and the received submission's facts), as often as
delivered; routing facts only move forward. A repeat changes nothing, so the consumer needs no
processed-events check. Until its routing, a submission is intake's alone (`unrouted`)."""

from __future__ import annotations

from services.reporting.handlers.ports import ReadModelDeps
from services.reporting.projection import item_fields
from shared.contracts import Envelope, SubmissionRoutedV1


async def project_routed(deps: ReadModelDeps, envelope: Envelope, payload: SubmissionRoutedV1) -> None:
    await deps.items.merge(envelope.commune_id, payload.submission_id, item_fields(envelope, payload))
    deps.metrics.updates.labels(envelope.commune_id, envelope.routing_key).inc()
