"""Reporting's consumers: the read model is kept from the routed events (a submission not routed
yet is listed from intake, `services/reporting/unrouted.py`), and the meeting record's
attendance from intake's check-ins."""

from __future__ import annotations

from typing import Any

from services.reporting.handlers import ReadModelDeps, project_routed
from services.reporting.handlers.meeting import record_attendance
from services.reporting.handlers.ports import AttendanceDeps
from shared.contracts import (
    AttendanceChangedV1,
    NotificationFailedV1,
    NotificationSentV1,
    SubmissionReceivedV1,
    SubmissionRoutedV1,
)
from shared.subscriptions import Subscription

READ_MODEL: Subscription[ReadModelDeps] = Subscription(
    "reporting",
    "read-model",
    {SubmissionRoutedV1: project_routed},
    description="Builds the dialogue read model.",
    # Each event sets the facts it carries, routing facts only move forward: a repeat changes nothing.
    self_deduplicating=frozenset({SubmissionRoutedV1}),
    # The received event's facts come with the routed event; until routed, the item is intake's.
    retired_keys=(
        NotificationSentV1.routing_key(),
        NotificationFailedV1.routing_key(),
        SubmissionReceivedV1.routing_key(),
    ),
)

MEETING: Subscription[AttendanceDeps] = Subscription(
    "reporting",
    "meeting",
    {AttendanceChangedV1: record_attendance},
    description="Keeps the meeting record's attendance from intake's check-ins.",
    # The latest revision of the counts wins: a repeat or an older one changes nothing.
    self_deduplicating=frozenset({AttendanceChangedV1}),
)

SUBSCRIPTIONS: tuple[Subscription[Any], ...] = (READ_MODEL, MEETING)
