"""Routing's consumer: `submission.received.v1` in, `submission.routed.v1` out (via the outbox).
Staff changes become the commune's learning examples in the use case that stores them
(`handlers/staff.py`), not through the bus: routing takes no message per routed item to learn."""

from __future__ import annotations

from services.routing.handlers import RoutingDeps, route_received
from shared.contracts import SubmissionReceivedV1
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
)
