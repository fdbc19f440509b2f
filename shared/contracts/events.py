"""Event payloads exchanged between the services. Events carry ids and the facts a consumer
needs, never the submitter's personal data (name, contact stay in intake's store)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.envelope import Payload
from shared.contracts.vocabulary import (
    AuthorityLevel,
    DocumentKind,
    FollowUpStatus,
    Kind,
    Organisation,
    PlanStatus,
    RoutingChange,
    Source,
)


class SubmissionReceivedV1(Payload):
    EVENT_TYPE = "submission.received"
    VERSION = 1

    submission_id: str = Field(description="Intake's id of the submission")
    dialogue_id: str = Field(description="The dialogue the submission belongs to", examples=["demo-2017"])
    tracking_code: str = Field(examples=["DT-7K3M9QXA"])
    source: Source
    organisation: Organisation | None = None
    kind: Kind
    text: str = Field(description="NFC-normalised text as the resident wrote it")
    hamlet: str | None = Field(None, description="Canonical hamlet name; None = whole commune")
    received_at: datetime


class EarlierItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    year: int
    submission_id: str
    text: str
    answer: str | None = None


class SubmissionRoutedV1(Payload):
    EVENT_TYPE = "submission.routed"
    VERSION = 1

    submission_id: str
    dialogue_id: str
    tracking_code: str
    kind: Kind
    text: str = Field(description="The submission's text: the office prepares its answer from it")
    hamlet: str | None = None
    # The received submission's other facts, as `submission.received.v1` carried them: reporting's
    # read model takes them from here.
    source: Source | None = Field(
        None, description="Who sent it, as received; None in decisions made before routing carried it"
    )
    organisation: Organisation | None = Field(None, description="The mass organisation that sent it, if one")
    received_at: datetime | None = Field(
        None, description="When intake received it; None in decisions made before routing carried it"
    )
    topic: int = Field(ge=0, description="Plan topic number; 0 = other (khác)")
    topic_name: str
    secondary_topic: int | None = None
    office_id: str
    office_name: str
    coordinating_office_ids: tuple[str, ...] = ()
    authority_level: AuthorityLevel = AuthorityLevel.COMMUNE
    authority_body: str | None = None
    confidence: float = Field(ge=0, le=1)
    needs_review: bool = False
    recurring_claim: bool = False
    explanation: str = ""
    explanation_vi: tuple[str, ...] = Field(
        (), description="Why, in Vietnamese for staff: terms as the resident wrote them, the office rule"
    )
    # Repeats: the cluster of submissions raising the same issue, in this and earlier dialogues.
    cluster_id: str | None = None
    duplicate_of: str | None = Field(
        None, description="The earliest submission of the cluster, if this one repeats it"
    )
    times_raised: int = Field(1, ge=1)
    years_raised: tuple[int, ...] = ()
    earlier: tuple[EarlierItem, ...] = Field(
        (), description="Earlier submissions of the cluster with their answers"
    )
    # Staff changes: revision 0 is the automatic decision; each change by a person is a new revision.
    revision: int = Field(0, ge=0)
    change: RoutingChange | None = None
    changed_by: str = "system"
    reason: str | None = Field(None, description="Why staff changed it: staff-only, never shown to residents")
    note_to_resident: str | None = Field(
        None, max_length=500, description="What staff chose to tell the resident about this change (optional)"
    )
    previous_office_id: str | None = Field(
        None, description="Set when a change moved the item to another office"
    )
    answer: str | None = Field(
        None,
        description="The answer the office prepared (typed by staff), from the revision that recorded it on",
    )


class NotificationSentV1(Payload):
    EVENT_TYPE = "notification.sent"
    VERSION = 1

    notification_id: str
    submission_id: str
    channel: Literal["email"] = "email"
    office_id: str
    sent_at: datetime


class NotificationFailedV1(Payload):
    EVENT_TYPE = "notification.failed"
    VERSION = 1

    notification_id: str
    submission_id: str
    channel: Literal["email"] = "email"
    office_id: str
    reason: str
    attempts: int = Field(ge=0)


class DialoguePlanChangedV1(Payload):
    """A dialogue plan was created, edited or moved to another status."""

    EVENT_TYPE = "dialogue.plan_changed"
    VERSION = 1

    dialogue_id: str
    version: int = Field(
        ge=1, description="Plan version: bumped by every edit; invitations carry it as SEQUENCE"
    )
    status: PlanStatus
    previous_status: PlanStatus | None = None
    change: Literal["created", "updated", "status"]
    changed_by: str = "system"


class FollowUpChangedV1(Payload):
    """A conclusion's follow-up task was created or changed status."""

    EVENT_TYPE = "followup.changed"
    VERSION = 1

    task_id: str
    dialogue_id: str
    submission_ids: tuple[str, ...] = Field(
        description="Every submission the conclusion answers (a merged cluster has several)"
    )
    office_id: str
    office_name: str
    status: FollowUpStatus
    previous_status: str | None = None
    due: date
    note: str | None = None
    changed_by: str = "system"
    revision: int = Field(0, ge=0, description="The task's revision after this change: later ones win")
    supersedes: tuple[str, ...] = Field(
        (),
        description=(
            "Earlier dialogues' tasks this one takes over (a carried-over issue concluded again): "
            "for the submissions it follows, this task's changes win over theirs, whatever the revisions"
        ),
        examples=[("demo-2017:s1",)],
    )
    responsible_body: str | None = Field(
        None,
        description=(
            "Who the issued conclusion notice says acts on the conclusion: the higher-level body a "
            "recommendation goes to, else the office by the title of the dialogue's era; None in "
            "events sent before it was carried (read `office_name` then)"
        ),
        examples=["Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường"],
    )


class FollowUpReminderV1(Payload):
    """A follow-up task is due soon (the office is reminded) or overdue (escalated to the
    Standing Committee)."""

    EVENT_TYPE = "followup.reminder"
    VERSION = 1

    task_id: str
    dialogue_id: str
    office_id: str
    office_name: str
    kind: Literal["due_soon", "overdue"]
    due: date
    summary: str = Field(description="The conclusion, as the notice states it")


class DocumentIssuedV1(Payload):
    """A document was issued: its number and content are frozen."""

    EVENT_TYPE = "document.issued"
    VERSION = 1

    document_id: str
    dialogue_id: str
    kind: DocumentKind = Field(examples=["thong-bao-ket-luan"])
    number: int | None = Field(None, description="None for a document issued without a number")
    code: str = Field(examples=["05-TB/ĐU"])
    version: int = Field(ge=1)
    title: str
    issued_on: date
    # Optional, so the version stays: an event stored or queued before it has None, and
    # notification then sends it to the commune's "Nơi nhận" of the dialogue's era, as it did.
    recipients: tuple[str, ...] | None = Field(
        None,
        description=(
            'The "Nơi nhận" lines as the issued document printed them, in order, without the '
            'dash, the trailing comma and the file copy ("Lưu Văn phòng Đảng ủy"); the document '
            "goes to these only. None: an event from before this field"
        ),
        examples=[["Như thành phần mời", "Thường trực Đảng ủy (b/c)"]],
    )


class AttendanceChangedV1(Payload):
    """Who is in the hall, counted per hamlet: intake checks registered residents and walk-ins in
    at the door. Counts only, no names; a later revision replaces an earlier one."""

    EVENT_TYPE = "meeting.attendance_changed"
    VERSION = 1

    dialogue_id: str
    revision: int = Field(ge=1, description="Bumped by every check-in: later ones win")
    by_hamlet: dict[str, int] = Field(
        description="Hamlet name -> people checked in (registered and walk-ins)"
    )
    walk_ins: int = Field(0, ge=0)
    total: int = Field(ge=0)


class MeetingRecordedV1(Payload):
    """The record of the dialogue meeting changed (reporting keeps it): when it was held and how
    many conclusions it has. The record itself is read from reporting's API."""

    EVENT_TYPE = "meeting.recorded"
    VERSION = 1

    dialogue_id: str
    revision: int = Field(ge=1)
    started_at: datetime | None = None
    ended_at: datetime | None = None
    conclusions: int = Field(0, ge=0)
    actions: int = Field(0, ge=0, description="Conclusions that open a follow-up task")


# Every event type the services exchange, by routing key (`<type>.v<version>`).
PAYLOADS: dict[str, type[Payload]] = {
    cls.routing_key(): cls
    for cls in (
        SubmissionReceivedV1,
        SubmissionRoutedV1,
        NotificationSentV1,
        NotificationFailedV1,
        DialoguePlanChangedV1,
        FollowUpChangedV1,
        FollowUpReminderV1,
        DocumentIssuedV1,
        AttendanceChangedV1,
        MeetingRecordedV1,
    )
}
