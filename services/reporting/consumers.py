"""Reporting's consumers: the read model is kept from every submission event."""

from __future__ import annotations

from services.reporting.handlers import ReadModelDeps, project_received, project_routed
from shared.contracts import (
    NotificationFailedV1,
    NotificationSentV1,
    SubmissionReceivedV1,
    SubmissionRoutedV1,
)
from shared.subscriptions import Subscription

READ_MODEL: Subscription[ReadModelDeps] = Subscription(
    "reporting",
    "read-model",
    {SubmissionReceivedV1: project_received, SubmissionRoutedV1: project_routed},
    description="Builds the dialogue read model.",
    # Each event sets the facts it carries, routing facts only move forward: a repeat changes nothing.
    self_deduplicating=frozenset({SubmissionReceivedV1, SubmissionRoutedV1}),
    retired_keys=(NotificationSentV1.routing_key(), NotificationFailedV1.routing_key()),
)

SUBSCRIPTIONS: tuple[Subscription[ReadModelDeps], ...] = (READ_MODEL,)
