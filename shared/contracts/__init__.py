"""Event contracts: the only code the services share besides plumbing."""

from shared.contracts.envelope import Envelope, Payload
from shared.contracts.events import (
    PAYLOADS,
    DialoguePlanChangedV1,
    DocumentIssuedV1,
    EarlierItem,
    FollowUpChangedV1,
    FollowUpReminderV1,
    NotificationFailedV1,
    NotificationSentV1,
    SubmissionReceivedV1,
    SubmissionRoutedV1,
)
from shared.contracts.vocabulary import (
    AuthorityLevel,
    DocumentKind,
    FollowUpStatus,
    Kind,
    LabelledEnum,
    Organisation,
    PlanStatus,
    RoutingChange,
    Source,
    SubmissionStatus,
)

__all__ = [
    "PAYLOADS",
    "AuthorityLevel",
    "DocumentKind",
    "FollowUpStatus",
    "LabelledEnum",
    "PlanStatus",
    "RoutingChange",
    "SubmissionStatus",
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
