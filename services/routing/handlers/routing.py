"""Routing a received submission: classify it, assign the office, link it to earlier items raising
the same issue, store the decision. The one routing path: the consumer (`route_received`) and
batch classification (`services/routing/batch.py`, over the in-memory repository) both call
`route`."""

from __future__ import annotations

from dataclasses import dataclass

from services.routing.handlers.learning import blended
from services.routing.handlers.ports import Decisions, Doc, RoutingDeps
from services.routing.in_flight import Lookup, Pending
from services.routing.logic import decide, first_of_cluster, with_recurrence
from services.routing.recurrence import Candidate, Fingerprint, best_match, fingerprint
from services.routing.repeat_index import Cluster, Held, candidates, recurrence, with_in_flight
from shared.contracts import Envelope, SubmissionReceivedV1, SubmissionRoutedV1
from shared.errors import PermanentError


@dataclass(frozen=True)
class Routed:
    decision: SubmissionRoutedV1
    stored: Doc | None  # None: the submission had been routed before (a redelivery)


@dataclass(frozen=True)
class Linked:
    decision: SubmissionRoutedV1  # with its cluster and repeat count
    stored: Doc  # the fields kept with the decision for later matches
    held: Held = Held()  # what the index holds of it already (not written again)
    # Items in flight whose index writes create its cluster: its own writes go after theirs.
    after: tuple[Pending, ...] = ()


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
    with deps.in_flight.lookup(commune_id) as lookup:
        linked = await link(deps.decisions, decision, commune_id, dialogue.year, lookup)
        for earlier in linked.after:
            await earlier.settled.wait()
        routed = Envelope.wrap(linked.decision, commune_id=commune_id, correlation_id=envelope.correlation_id)
        stored = await deps.decisions.save(
            linked.decision,
            routed,
            source_event_id=envelope.event_id,
            extra=linked.stored,
            held=linked.held,
        )
        lookup.stored = stored is not None
    return Routed(linked.decision, stored)


async def link(
    decisions: Decisions,
    decision: SubmissionRoutedV1,
    commune_id: str,
    year: int,
    lookup: Lookup | None = None,
) -> Linked:
    """The decision with its cluster and repeat count, and the fields to store for later matches.
    With `lookup` (its ticket taken before the index is read), it is also compared with the
    items linked by look-ups in flight in this process, and becomes one of them."""
    fp = fingerprint(decision.text)
    stored: Doc = {
        "match_keys": list(fp.keys),
        "tokens": sorted(fp.tokens),
        "match_places": sorted(fp.places),
        "year": year,
    }
    mark = lookup.mark_clusters_read if lookup is not None else None
    clusters = await decisions.clusters_sharing(commune_id, fp.keys, decision.hamlet, mark) if fp.keys else []
    ahead = lookup.ahead(fp.keys, exclude=decision.submission_id) if lookup is not None else []
    compared = candidates(clusters, exclude=decision.submission_id) + [p.candidate for p in ahead]
    match = best_match(fp, hamlet=decision.hamlet, topic=decision.topic, candidates=compared)
    cluster_id = decision.submission_id if match is None else match.candidate.cluster_id
    if lookup is not None:  # in the same step as the match: a later look-up sees this item
        lookup.add(_as_candidate(decision, fp, year, cluster_id), fp.keys, starts_cluster=match is None)
    if match is None:
        return Linked(first_of_cluster(decision, year), stored)
    known = next((c for c in clusters if c.cluster_id == cluster_id), None)
    if known is not None:
        found: Cluster | None = await decisions.with_members(commune_id, known)
    else:  # linked through an item in flight to a cluster this look-up did not read
        if lookup is not None:
            lookup.mark_clusters_read()
        found = await decisions.cluster(commune_id, cluster_id)
    in_flight = [p for p in ahead if p.candidate.cluster_id == cluster_id]
    counted = frozenset(p.candidate.submission_id for p in in_flight if lookup and lookup.counted_in_read(p))
    cluster = with_in_flight(found, cluster_id, [p.candidate for p in in_flight], counted)
    return Linked(
        with_recurrence(decision, recurrence(decision.submission_id, year, match, cluster)),
        stored,
        held=found.held() if found is not None and known is not None else Held(),
        after=tuple(p for p in in_flight if p.starts_cluster),
    )


def _as_candidate(decision: SubmissionRoutedV1, fp: Fingerprint, year: int, cluster_id: str) -> Candidate:
    return Candidate(
        submission_id=decision.submission_id,
        dialogue_id=decision.dialogue_id,
        year=year,
        hamlet=decision.hamlet,
        topic=decision.topic,
        tokens=fp.tokens,
        cluster_id=cluster_id,
        text=decision.text,
        places=fp.places,
    )


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
