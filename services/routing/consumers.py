"""Routing's consumers: `submission.received.v1` in, `submission.routed.v1` out (via the outbox);
and routing's own `submission.routed.v1` of staff changes in, as the commune's examples."""

from __future__ import annotations

from services.routing.handlers import RoutingDeps, learn_from_change, route_received
from shared.contracts import SubmissionReceivedV1, SubmissionRoutedV1
from shared.subscriptions import Subscription

SUBSCRIPTIONS: tuple[Subscription[RoutingDeps], ...] = (
    Subscription(
        "routing",
        "submissions",
        {SubmissionReceivedV1: route_received},
        description="Classifies each submission into the dialogue's topics and assigns the office.",
        # One decision per submission (unique _id): a redelivered event stores nothing.
        self_deduplicating=frozenset({SubmissionReceivedV1}),
    ),
    Subscription(
        "routing",
        "learning",
        {SubmissionRoutedV1: learn_from_change},
        description=(
            "Keeps each staff change (confirm, reclassify, reassign, merge, split) as a labelled"
            " example of its commune and schedules the commune's retraining."
        ),
        # One example per commune and submission, replaced only by a later revision.
        self_deduplicating=frozenset({SubmissionRoutedV1}),
    ),
)
