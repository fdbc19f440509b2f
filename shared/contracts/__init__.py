"""Event contracts: the only code the services share besides plumbing."""

from shared.contracts.envelope import Envelope, Payload
from shared.contracts.events import (
    PAYLOADS,
    DialoguePlanChangedV1,
    DocumentIssuedV1,
    EarlierItem,
    FollowUpChangedV1,
    FollowUpReminderV1,
    Kind,
    NotificationFailedV1,
    NotificationSentV1,
    Organisation,
    Source,
    SubmissionReceivedV1,
    SubmissionRoutedV1,
)

__all__ = [
    "PAYLOADS",
    "DialoguePlanChangedV1",
    "DocumentIssuedV1",
    "EarlierItem",
    "FollowUpChangedV1",
    "FollowUpReminderV1",
    "Envelope",
    "Kind",
    "NotificationFailedV1",
    "NotificationSentV1",
    "Organisation",
    "Payload",
    "Source",
    "SubmissionReceivedV1",
    "SubmissionRoutedV1",
]
