"""Routing a received submission: classify it, assign the office, link it to earlier items raising
the same issue, store the decision. The one routing path: the consumer (`route_received`) and
batch classification (`services/routing/batch.py`, over the in-memory repository) both call
`route`."""

from __future__ import annotations

from dataclasses import dataclass

from services.routing.handlers.learning import blended
from services.routing.handlers.ports import Decisions, Doc, RoutingDeps
from services.routing.logic import decide, first_of_cluster, with_recurrence
from services.routing.recurrence import best_match, fingerprint
from services.routing.repeat_index import candidates, recurrence
from shared.contracts import Envelope, SubmissionReceivedV1, SubmissionRoutedV1
from shared.errors import PermanentError


@dataclass(frozen=True)
class Routed:
    decision: SubmissionRoutedV1
    stored: Doc | None  # None: the submission had been routed before (a redelivery)


async def route(deps: RoutingDeps, envelope: Envelope, received: SubmissionReceivedV1) -> Routed:
    """Decide and store the routing of one submission (its event is stored with it, unpublished)."""
    commune_id = envelope.commune_id
    commune = await deps.directory.commune(commune_id)
    dialogue = await deps.directory.dialogue(commune_id, received.dialogue_id)
    if commune is None or dialogue is None:
        raise PermanentError(f"unknown commune or dialogue: {commune_id}/{received.dialogue_id}")
    decision = decide(
        received,
        commune,
        dialogue,
        await deps.rules.for_commune(commune_id),
        review_threshold=deps.review_threshold,
    )
    if deps.learning is not None:
        decision = await blended(
            deps.learning, commune, dialogue, decision, review_threshold=deps.review_threshold
        )
    decision, match_fields = await link(deps.decisions, decision, commune_id, dialogue.year)
    routed = Envelope.wrap(decision, commune_id=commune_id, correlation_id=envelope.correlation_id)
    stored = await deps.decisions.save(
        decision, routed, source_event_id=envelope.event_id, extra=match_fields
    )
    return Routed(decision, stored)


async def link(
    decisions: Decisions, decision: SubmissionRoutedV1, commune_id: str, year: int
) -> tuple[SubmissionRoutedV1, Doc]:
    """The decision with its cluster and repeat count, and the fields to store for later matches."""
    fp = fingerprint(decision.text)
    stored: Doc = {
        "match_keys": list(fp.keys),
        "tokens": sorted(fp.tokens),
        "match_places": sorted(fp.places),
        "year": year,
    }
    clusters = await decisions.clusters_sharing(commune_id, fp.keys, decision.hamlet) if fp.keys else []
    compared = candidates(clusters, exclude=decision.submission_id)
    match = best_match(fp, hamlet=decision.hamlet, topic=decision.topic, candidates=compared)
    if match is None:
        return first_of_cluster(decision, year), stored
    [cluster] = [c for c in clusters if c.cluster_id == match.candidate.cluster_id]
    cluster = await decisions.with_members(commune_id, cluster)
    return with_recurrence(decision, recurrence(decision.submission_id, year, match, cluster)), stored


async def route_received(deps: RoutingDeps, envelope: Envelope, received: SubmissionReceivedV1) -> bool:
    """`submission.received.v1` -> `submission.routed.v1`. False for a submission routed before:
    the stored decision's own event goes out then, if it has not yet."""
    routed = await route(deps, envelope, received)
    if routed.stored is None:
        await deps.events.flush(envelope.commune_id, received.submission_id)
        return False
    decision = routed.decision
    if deps.metrics is not None:
        deps.metrics.routed.labels(
            envelope.commune_id,
            str(decision.topic),
            decision.authority_level,
            "review" if decision.needs_review else "auto",
        ).inc()
    await deps.events.publish_saved(routed.stored)
    return True
