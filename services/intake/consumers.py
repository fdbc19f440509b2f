"""Intake's consumer: the events that move its submissions and plans along."""

from __future__ import annotations

from services.intake.handlers.status import (
    StatusDeps,
    record_document_issued,
    record_follow_up,
    record_meeting,
    record_status,
)
from shared.contracts import (
    DocumentIssuedV1,
    FollowUpChangedV1,
    MeetingRecordedV1,
    NotificationFailedV1,
    NotificationSentV1,
    SubmissionRoutedV1,
)
from shared.subscriptions import Subscription

STATUS = Subscription[StatusDeps](
    "intake",
    "status",
    {
        SubmissionRoutedV1: record_status,
        NotificationSentV1: record_status,
        NotificationFailedV1: record_status,
        FollowUpChangedV1: record_follow_up,
        DocumentIssuedV1: record_document_issued,
        MeetingRecordedV1: record_meeting,
    },
    description="Keeps each submission's status and history up to date; "
    "records duties done by issued documents; moves a plan to held once its meeting has ended.",
    # Status and facts only move forward, and the history entry is keyed by the event's id.
    self_deduplicating=frozenset({SubmissionRoutedV1, NotificationSentV1, NotificationFailedV1}),
)

SUBSCRIPTIONS: tuple[Subscription[StatusDeps], ...] = (STATUS,)
