"""Notification's use cases (services/notification/handlers) on in-memory fakes, no broker or store.

Fakes, and why:
- `Directory`: the demo commune and plan, as the reference data reader returns them.
- `Notifications` and `Outbox`: the office e-mails' store with its unique ids and single outcome,
  so a repeat is seen as one; the outbox records what it was asked to publish.
- `DeliveryLog`: the delivery log under the real `Deliverer`, so "once per delivery id", claims
  and transient failures behave as in production.
- `Mail`, `Sms`: record what would be sent, or fail as asked.
- `Intake`, `Reporting`: the owners' APIs (residents' contacts, issued PDFs); they can be made
  unavailable, as an owner down is, to show the event is retried rather than lost.
- `Plans`: the scheduler, recording the dialogues it is asked to scan.
"""

from __future__ import annotations

import time
from datetime import date
from email.message import EmailMessage
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from services.demo.seed import demo_commune, demo_dialogue
from services.deployment import CONSUMERS
from services.notification.consumers import SUBSCRIPTIONS
from services.notification.deliveries import Deliverer, DeliveryMetrics
from services.notification.handlers import (
    Deps,
    Submitter,
    distribute_document,
    notify_follow_up,
    notify_office,
    on_plan_changed,
    record_office_failure,
    remind_follow_up,
)
from services.notification.messages import environment
from services.notification.metrics import NotificationMetrics
from shared.contracts import (
    DialoguePlanChangedV1,
    DocumentIssuedV1,
    DocumentKind,
    Envelope,
    FollowUpChangedV1,
    FollowUpReminderV1,
    FollowUpStatus,
    Kind,
    PlanStatus,
    SubmissionRoutedV1,
)
from shared.directory import Commune, Dialogue
from shared.errors import PermanentError, TransientError

COMMUNE = demo_commune()
PLAN = demo_dialogue()
OFFICE = COMMUNE.office("phong-kinh-te")


class Directory:
    async def commune(self, commune_id: str) -> Commune | None:
        return COMMUNE if commune_id == COMMUNE.id else None

    async def dialogue(self, commune_id: str, dialogue_id: str) -> Dialogue | None:
        return PLAN if (commune_id, dialogue_id) == (COMMUNE.id, PLAN.id) else None


class Notifications:
    outcomes = "outcomes"

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, Any]] = {}
        self.finished: dict[str, dict[str, Any]] = {}

    async def get_or_create(self, doc: dict[str, Any]) -> dict[str, Any]:
        return self.docs.setdefault(doc["_id"], {**doc, "attempts": 0, "claimed_until": 0})

    async def create_claimed(self, doc: dict[str, Any], lease_s: float) -> bool:
        if doc["_id"] in self.docs:
            return False
        self.docs[doc["_id"]] = {**doc, "attempts": 1, "claimed_until": time.time() + lease_s}
        return True

    async def outcome(self, commune_id: str, notification_id: str) -> dict[str, Any] | None:
        return self.finished.get(notification_id)

    async def claim(self, commune_id: str, notification_id: str, lease_s: float) -> bool:
        doc = self.docs[notification_id]
        if doc["claimed_until"] >= time.time():
            return False
        doc["claimed_until"], doc["attempts"] = time.time() + lease_s, doc["attempts"] + 1
        return True

    async def release(self, commune_id: str, notification_id: str) -> None:
        self.docs[notification_id]["claimed_until"] = 0

    async def finish(
        self,
        commune_id: str,
        notification_id: str,
        status: str,
        envelope: Envelope,
        reason: str | None = None,
    ) -> dict[str, Any] | None:
        if notification_id in self.finished:
            return None
        self.finished[notification_id] = {"_id": notification_id, "status": status, "event": envelope}
        return self.finished[notification_id]


class Outbox:
    def __init__(self) -> None:
        self.published: list[Envelope] = []
        self.flushed: list[str] = []

    async def flush_document(self, collection: Any, commune_id: str, doc_id: str) -> int:
        self.flushed.append(doc_id)
        return 0

    async def publish_written(self, collection: Any, doc: dict[str, Any]) -> int:
        self.published.append(doc["event"])
        return 1


class DeliveryLog:
    def __init__(self) -> None:
        self.records: dict[str, dict[str, Any]] = {}

    async def open(self, doc: dict[str, Any]) -> dict[str, Any]:
        return self.records.setdefault(
            doc["_id"], {**doc, "status": "pending", "attempts": 0, "claimed_until": 0}
        )

    async def claim(self, commune_id: str, delivery_id: str, lease_s: float) -> bool:
        record = self.records[delivery_id]
        if record["status"] != "pending" or record["claimed_until"] >= time.time():
            return False
        record["claimed_until"], record["attempts"] = time.time() + lease_s, record["attempts"] + 1
        return True

    async def finish(self, commune_id: str, delivery_id: str, status: str, reason: str | None = None) -> None:
        self.records[delivery_id].update(status=status, reason=reason, claimed_until=0)

    async def release(self, commune_id: str, delivery_id: str, reason: str) -> None:
        self.records[delivery_id].update(claimed_until=0, reason=reason)


class Mail:
    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.failure: Exception | None = None

    async def send(self, message: EmailMessage) -> None:
        if self.failure is not None:
            raise self.failure
        self.sent.append(message)


class Sms:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str]] = []

    async def send(self, phone: str, text: str, *, idempotency_key: str) -> None:
        self.sent.append((phone, text, idempotency_key))


class Intake:
    def __init__(self, people: list[Submitter]) -> None:
        self.people = {p.submission_id: p for p in people}
        self.asked: list[tuple[str, ...]] = []
        self.available = True

    async def submitters(self, commune_id: str, submission_ids: Any) -> list[Submitter]:
        self.asked.append(tuple(submission_ids))
        if not self.available:
            raise TransientError("intake API unavailable")
        return [self.people[i] for i in submission_ids if i in self.people]


class Reporting:
    def __init__(self) -> None:
        self.pdfs: dict[str, bytes] = {}
        self.available = True

    async def issued_pdf(self, commune_id: str, document_id: str) -> bytes | None:
        if not self.available:
            raise TransientError("reporting API unavailable")
        return self.pdfs.get(document_id)


class Plans:
    def __init__(self) -> None:
        self.scanned: list[tuple[str, str]] = []

    async def scan_dialogue(self, commune_id: str, dialogue_id: str) -> int:
        self.scanned.append((commune_id, dialogue_id))
        return 0


class World:
    """The use cases' dependencies, each a fake the test can inspect."""

    def __init__(self, *, sms: bool = True, people: list[Submitter] | None = None) -> None:
        self.notifications, self.outbox, self.log = Notifications(), Outbox(), DeliveryLog()
        self.mail, self.sms = Mail(), Sms() if sms else None
        self.intake, self.reporting, self.plans = Intake(people or []), Reporting(), Plans()
        self.deps = Deps(
            directory=Directory(),
            notifications=self.notifications,
            outbox=self.outbox,
            deliverer=Deliverer(
                self.log,  # type: ignore[arg-type]
                DeliveryMetrics(CollectorRegistry()),
                lease_s=15,
                max_attempts=3,
            ),
            plans=self.plans,
            submitters=self.intake,
            documents=self.reporting,
            mail=self.mail,
            sms=self.sms,
            env=environment(),
            metrics=NotificationMetrics(CollectorRegistry()),
            sender="Văn phòng Đảng ủy <vp@tanphuoc.example>",
            claim_lease_s=15,
        )


def envelope(payload: Any) -> Envelope:
    return Envelope.wrap(payload, commune_id=COMMUNE.id, correlation_id="c")


def routed(**changes: Any) -> SubmissionRoutedV1:
    values: dict[str, Any] = {
        "submission_id": "s1",
        "dialogue_id": PLAN.id,
        "tracking_code": "DT-AAAA",
        "kind": Kind.PETITION,
        "text": "Cống thoát nước trước chợ bị nghẹt",
        "hamlet": "ấp Chợ",
        "topic": 3,
        "topic_name": PLAN.topic_name(3),
        "office_id": OFFICE.id,
        "office_name": OFFICE.name,
        "confidence": 0.8,
    }
    return SubmissionRoutedV1(**{**values, **changes})


def resolved(status: FollowUpStatus = FollowUpStatus.RESOLVED) -> FollowUpChangedV1:
    return FollowUpChangedV1(
        task_id="t1",
        dialogue_id=PLAN.id,
        submission_ids=("s1", "s2", "s3"),
        office_id=OFFICE.id,
        office_name=OFFICE.name,
        status=status,
        due=date(2017, 5, 1),
        note="Đã nạo vét cống.",
    )


PEOPLE = [
    Submitter("s1", "DT-MAIL", "dan.cho@example.org"),
    Submitter("s2", "DT-PHONE", "0909123456"),
    Submitter("s3", "DT-NONE", None),
]


async def test_the_office_is_emailed_once_and_the_outcome_published_once() -> None:
    world = World()
    event = envelope(routed())
    assert await notify_office(world.deps, event, routed()) is True
    assert [m["To"] for m in world.mail.sent] == [OFFICE.email]
    assert "Kiến nghị" in world.mail.sent[0].get_content()  # the kind's label from the vocabulary
    assert [e.event_type for e in world.outbox.published] == ["notification.sent"]
    assert await notify_office(world.deps, event, routed()) is False  # a repeat of the event
    assert len(world.mail.sent) == 1 and len(world.outbox.published) == 1


async def test_a_staff_change_keeping_the_office_tells_nobody() -> None:
    world = World()
    kept = routed(revision=1)
    assert await notify_office(world.deps, envelope(kept), kept) is None
    assert world.mail.sent == [] and world.notifications.docs == {}


async def test_a_refused_office_address_records_the_failure_and_a_busy_server_is_retried() -> None:
    world = World()
    world.mail.failure = TransientError("SMTP 451")
    event = envelope(routed())
    with pytest.raises(TransientError):
        await notify_office(world.deps, event, routed())
    assert world.notifications.finished == {}  # released for the retry
    world.mail.failure = PermanentError("recipients refused")
    assert await notify_office(world.deps, event, routed()) is None
    assert [o["status"] for o in world.notifications.finished.values()] == ["failed"]


async def test_giving_up_records_failed_once() -> None:
    world = World()
    event = envelope(routed())
    await record_office_failure(world.deps, event, routed(), "retries exhausted")
    await record_office_failure(world.deps, event, routed(), "retries exhausted")
    assert [o["status"] for o in world.notifications.finished.values()] == ["failed"]
    assert world.outbox.flushed == [f"{event.event_id}.email"] * 2


async def test_residents_are_told_of_a_resolved_issue_by_email_or_sms_once_each() -> None:
    world = World(people=PEOPLE)
    await notify_follow_up(world.deps, envelope(resolved()), resolved())
    await notify_follow_up(world.deps, envelope(resolved()), resolved())  # a repeat sends nothing
    assert [m["To"] for m in world.mail.sent] == ["dan.cho@example.org"]
    assert (
        "DT-MAIL" in world.mail.sent[0].get_content()
        and "Đã nạo vét cống." in world.mail.sent[0].get_content()
    )
    assert world.sms.sent == [
        (
            "0909123456",
            f"{COMMUNE.display_name}: y kien DT-PHONE da duoc giai quyet. Tra cuu bang ma theo doi.",
            "t1:resolved:s2",
        )
    ]
    assert world.intake.asked == [("s1", "s2", "s3")] * 2


async def test_the_resident_is_told_who_resolved_it_as_the_notice_names_them() -> None:
    """The e-mail names the responsible body the follow-up event carries (a 2017 task: the
    office's title of that time; a recommendation: the higher body), not the stored office name."""
    world = World(people=PEOPLE)
    era = "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường"
    changed = resolved().model_copy(update={"responsible_body": era})
    await notify_follow_up(world.deps, envelope(changed), changed)
    body = world.mail.sent[0].get_content()
    assert f"đã được {era} giải quyết" in body and f"đã được {OFFICE.name} giải quyết" not in body
    older = World(people=PEOPLE)  # an event without the body (before it was carried): the office
    await notify_follow_up(older.deps, envelope(resolved()), resolved())
    assert f"đã được {OFFICE.name} giải quyết" in older.mail.sent[0].get_content()


async def test_a_task_reopened_and_resolved_again_tells_the_residents_again_once() -> None:
    world = World(people=PEOPLE)
    first = resolved().model_copy(update={"revision": 2})
    again = resolved().model_copy(update={"revision": 4})  # reopened (3), then resolved again (4)
    for changed in (first, first, again, again):  # each event delivered twice
        await notify_follow_up(world.deps, envelope(changed), changed)
    assert [m["To"] for m in world.mail.sent] == ["dan.cho@example.org"] * 2
    assert len({m["Message-ID"] for m in world.mail.sent}) == 2
    assert [key for _, _, key in world.sms.sent] == ["t1:resolved:r2:s2", "t1:resolved:r4:s2"]


async def test_without_an_sms_gateway_only_emails_go_and_other_statuses_ask_nobody() -> None:
    world = World(sms=False, people=PEOPLE)
    await notify_follow_up(world.deps, envelope(resolved()), resolved())
    assert [m["To"] for m in world.mail.sent] == ["dan.cho@example.org"]
    world.intake.asked.clear()
    started = resolved(FollowUpStatus.IN_PROGRESS)
    await notify_follow_up(world.deps, envelope(started), started)
    assert world.intake.asked == []  # residents' contacts are asked for only when someone is told


async def test_intake_unavailable_fails_transiently_and_the_retry_tells_the_resident() -> None:
    world = World(people=PEOPLE)
    world.intake.available = False
    with pytest.raises(TransientError):
        await notify_follow_up(world.deps, envelope(resolved()), resolved())
    assert world.mail.sent == [] and world.log.records == {}
    world.intake.available = True
    await notify_follow_up(world.deps, envelope(resolved()), resolved())
    assert [m["To"] for m in world.mail.sent] == ["dan.cho@example.org"]


def overdue(task_id: str, summary: str) -> FollowUpReminderV1:
    return FollowUpReminderV1(
        task_id=task_id,
        dialogue_id=PLAN.id,
        office_id=OFFICE.id,
        office_name=OFFICE.name,
        kind="overdue",
        due=date(2017, 5, 1),
        summary=summary,
    )


async def test_an_overdue_task_reminds_the_office_and_tells_the_standing_committee() -> None:
    world = World()
    reminder = overdue("t1", "Nạo vét cống thoát nước trước chợ")
    await remind_follow_up(world.deps, envelope(reminder), reminder)
    assert [m["To"] for m in world.mail.sent] == [OFFICE.email, COMMUNE.bodies["standing_committee"]]
    assert all(str(m["Subject"]).startswith("[Quá hạn]") for m in world.mail.sent)


async def test_a_reminder_e_mail_masks_personal_data_in_its_subject_and_body() -> None:
    """An e-mail leaves the system: the task's text goes masked to the office and the Standing
    Committee alike, as the office's assignment e-mail does (an outside probe saw a phone number
    and a name in an overdue reminder's subject and body)."""
    world = World()
    reminder = overdue("t2", "Rac thai do bua bai gan cho, ong Nguyen Van Tam goi 0901234567")
    await remind_follow_up(world.deps, envelope(reminder), reminder)
    assert len(world.mail.sent) == 2
    for message in world.mail.sent:
        body = message.get_body(preferencelist=("plain",)).get_content()
        whole = str(message["Subject"]) + body
        assert "0901234567" not in whole and "Nguyen Van Tam" not in whole, whole[:300]
        assert "[số điện thoại]" in str(message["Subject"]) and "Rac thai do bua bai gan cho" in body


def issued() -> DocumentIssuedV1:
    return DocumentIssuedV1(
        document_id="demo:thong-bao-ket-luan:1",
        dialogue_id=PLAN.id,
        kind=DocumentKind.CONCLUSION_NOTICE,
        number=1,
        code="01-TB/ĐU",
        version=1,
        title="Thông báo kết luận",
        issued_on=date(2017, 4, 5),
    )


async def test_an_issued_document_goes_to_every_recipient_with_the_pdf_from_reporting() -> None:
    world = World()
    world.reporting.pdfs[issued().document_id] = b"%PDF-1.7 issued"
    await distribute_document(world.deps, envelope(issued()), issued())
    await distribute_document(world.deps, envelope(issued()), issued())  # a repeat sends nothing
    # the "Nơi nhận" the 2017 notice printed: the district's then, not the province's of today
    printed = COMMUNE.recipients_on(PLAN.meeting_date)
    assert sorted(m["To"] for m in world.mail.sent) == sorted(COMMUNE.recipient_emails[n] for n in printed)
    assert "thuongtruc@huyenuy.example" in {m["To"] for m in world.mail.sent}
    attachments = [list(m.iter_attachments()) for m in world.mail.sent]
    assert all(
        [(a.get_filename(), a.get_content()) for a in parts]
        == [("thong-bao-ket-luan-1.pdf", b"%PDF-1.7 issued")]
        for parts in attachments
    )


async def test_reporting_unavailable_fails_transiently_before_anyone_is_mailed() -> None:
    world = World()
    world.reporting.available = False
    with pytest.raises(TransientError):
        await distribute_document(world.deps, envelope(issued()), issued())
    assert world.mail.sent == [] and world.log.records == {}


async def test_a_changed_plan_is_scanned_at_once() -> None:
    world = World()
    changed = DialoguePlanChangedV1(
        dialogue_id=PLAN.id, status=PlanStatus.COLLECTING, version=2, change="updated"
    )
    await on_plan_changed(world.deps, envelope(changed), changed)
    assert world.plans.scanned == [(COMMUNE.id, PLAN.id)]


def test_the_subscriptions_keep_the_deployments_queues_and_bindings() -> None:
    declared = {spec.name: spec for spec in CONSUMERS if spec.service == "notification"}
    assert {s.spec.name: s.spec for s in SUBSCRIPTIONS} == declared
    assignments = next(s for s in SUBSCRIPTIONS if s.queue == "assignments")
    assert assignments.on_give_up is record_office_failure
    assert assignments.bind(World().deps).self_deduplicating == frozenset({"submission.routed.v1"})
