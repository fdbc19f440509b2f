"""Notification's consumers: each queue, the events it takes, and the use case for each."""

from __future__ import annotations

from services.notification.handlers import (
    Deps,
    distribute_document,
    notify_follow_up,
    notify_office,
    on_plan_changed,
    record_office_failure,
    remind_follow_up,
)
from shared.contracts import (
    DialoguePlanChangedV1,
    DocumentIssuedV1,
    FollowUpChangedV1,
    FollowUpReminderV1,
    SubmissionRoutedV1,
)
from shared.subscriptions import Subscription

SERVICE = "notification"

SUBSCRIPTIONS: tuple[Subscription[Deps], ...] = (
    Subscription(
        SERVICE,
        "assignments",
        {SubmissionRoutedV1: notify_office},
        description="E-mails the office assigned to prepare the answer; records sent or failed.",
        # One notification per routed event, finished once (unique ids): a repeat sends nothing.
        self_deduplicating=frozenset({SubmissionRoutedV1}),
        on_give_up=record_office_failure,
    ),
    Subscription(
        SERVICE,
        "plans",
        {DialoguePlanChangedV1: on_plan_changed},
        description="Sends invitation updates and cancellations as soon as a plan changes.",
    ),
    Subscription(
        SERVICE,
        "documents",
        {DocumentIssuedV1: distribute_document},
        description="Sends each issued document to its recipients (Nơi nhận).",
    ),
    Subscription(
        SERVICE,
        "followup",
        {FollowUpChangedV1: notify_follow_up, FollowUpReminderV1: remind_follow_up},
        description="Tells residents their issue is resolved; reminds offices; escalates overdue tasks.",
    ),
)
