"""routing consumes `submission.received.v1` and emits `submission.routed.v1`."""

from __future__ import annotations

from services.deployment import consumer  # transitional: replaced by the service's Subscription declarations
from services.routing.logic import route
from services.routing.metrics import RoutingMetrics
from services.routing.repeats import Repeats
from services.routing.repository import DecisionRepository
from services.routing.rules_store import RulesStore
from shared.contracts import Envelope, SubmissionReceivedV1
from shared.directory import DirectoryReader
from shared.errors import PermanentError
from shared.messaging import Consumer
from shared.outbox import Outbox


def submissions_consumer(
    repo: DecisionRepository,
    directory: DirectoryReader,
    outbox: Outbox,
    rules: RulesStore,
    repeats: Repeats,
    metrics: RoutingMetrics,
    review_threshold: float,
) -> Consumer:
    async def on_received(envelope: Envelope, received: SubmissionReceivedV1) -> bool:
        commune = await directory.commune(envelope.commune_id)
        dialogue = await directory.dialogue(envelope.commune_id, received.dialogue_id)
        if commune is None or dialogue is None:
            raise PermanentError(f"unknown commune or dialogue: {envelope.commune_id}/{received.dialogue_id}")
        decision = route(
            received,
            commune,
            dialogue,
            await rules.for_commune(envelope.commune_id),
            review_threshold=review_threshold,
        )
        decision, match_fields = await repeats.link(decision, envelope.commune_id, dialogue.year)
        routed = Envelope.wrap(
            decision, commune_id=envelope.commune_id, correlation_id=envelope.correlation_id
        )
        stored = await repo.save(decision, routed, source_event_id=envelope.event_id, extra=match_fields)
        if stored is None:
            # Routed before (a redelivery): the stored decision's own event goes out, if it has not yet.
            await outbox.flush_document(repo.decisions, envelope.commune_id, received.submission_id)
            return False
        metrics.routed.labels(
            envelope.commune_id,
            str(decision.topic),
            decision.authority_level,
            "review" if decision.needs_review else "auto",
        ).inc()
        await outbox.publish_written(repo.decisions, stored)
        return True

    return Consumer(
        consumer("routing"),
        {SubmissionReceivedV1.routing_key(): on_received},
        description="Classifies each submission into the dialogue's topics and assigns the office.",
        # One decision per submission (unique _id): a redelivered event stores nothing.
        self_deduplicating=frozenset({SubmissionReceivedV1.routing_key()}),
    )
