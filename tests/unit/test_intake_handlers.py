"""Intake's use cases alone: accepting submissions (`handlers.submissions`), following them
downstream (`handlers.status`) and moving plans (`handlers.plans`).

Fakes: an in-memory submission store (a dict keyed by id, with the unique tracking code per
commune the real collection has, and a switch that makes it fail as a store that is down), a
list standing for the outbox publisher, in-memory history and plan marks, a plans' store that
compares version and status before it replaces, as the real one's filter does. They keep the
properties the use cases rely on (duplicate ids and codes refused, history keyed by event id),
so the rules are checked without a broker or a store. Metrics are the real counters on a fresh
registry.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from pymongo.errors import AutoReconnect, DuplicateKeyError, OperationFailure

from services.demo.seed import demo_commune, demo_dialogue
from services.intake.handlers.plans import PlanConflict, PlanDeps, edit_plan, move_plan
from services.intake.handlers.status import (
    StatusDeps,
    record_document_issued,
    record_follow_up,
    record_status,
)
from services.intake.handlers.submissions import (
    StoreUnavailable,
    SubmitCommand,
    SubmitDeps,
    record_refused,
    submit,
    submit_many,
)
from services.intake.logic import SubmissionRejected
from services.intake.metrics import IntakeMetrics
from services.intake.plan_schemas import PlanPatch
from services.intake.schemas import SubmissionIn
from shared.contracts import (
    DocumentIssuedV1,
    DocumentKind,
    Envelope,
    FollowUpChangedV1,
    FollowUpStatus,
    NotificationFailedV1,
    NotificationSentV1,
    RoutingChange,
    SubmissionRoutedV1,
)

Doc = dict[str, Any]
NOW = datetime(2017, 3, 1, 8, 0)


class FakeSubmissions:
    def __init__(self, *, taken_codes: int = 0) -> None:
        self.docs: dict[str, Doc] = {}
        self.down: Exception | None = None
        self.taken_codes = taken_codes  # the next inserts find their tracking code taken

    def _check(self, doc: Doc) -> str | None:
        if self.down is not None:
            raise self.down
        if doc["_id"] in self.docs:
            return "_id"
        if self.taken_codes > 0:
            self.taken_codes -= 1
            return "tracking_code"
        return None

    async def insert(self, doc: Doc) -> None:
        if self._check(doc):
            raise DuplicateKeyError("E11000 duplicate key", 11000)
        self.docs[doc["_id"]] = doc

    async def insert_new(self, docs: list[Doc]) -> tuple[list[Doc], list[Doc]]:
        inserted, collided = [], []
        for doc in docs:
            taken = self._check(doc)
            if taken is None:
                self.docs[doc["_id"]] = doc
                inserted.append(doc)
            elif taken == "tracking_code":
                collided.append(doc)
        return inserted, collided


class FakePublisher:
    def __init__(self, *, fails: bool = False) -> None:
        self.published: list[str] = []
        self.fails = fails

    async def __call__(self, doc: Doc) -> int:
        if self.fails:
            raise ConnectionError("broker down")
        self.published.append(doc["_id"])
        return len(doc["outbox"])


def deps(store: FakeSubmissions, publisher: FakePublisher | None = None) -> SubmitDeps:
    return SubmitDeps(
        store, publisher or FakePublisher(), IntakeMetrics(CollectorRegistry()), clock=lambda: NOW
    )


def counted(d: SubmitDeps, outcome: str) -> float:
    return d.metrics.submissions.labels("demo", outcome)._value.get()


def command(**changes: Any) -> SubmitCommand:
    body = SubmissionIn(source="citizen", kind="petition", text="Đường ấp Chợ ngập nước", hamlet="Chợ")
    return SubmitCommand(**{"commune": demo_commune(), "body": body, "correlation_id": "corr", **changes})


# ---- submit ------------------------------------------------------------------------------------


async def test_a_submission_is_stored_published_once_and_counted():
    store, publisher = FakeSubmissions(), FakePublisher()
    d = deps(store, publisher)
    accepted = await submit(d, command(service_code_hint="4", entered_by="demo.apcho"))
    doc = store.docs[accepted.submission_id]
    assert (doc["tracking_code"], doc["hamlet"], doc["received_at"]) == (
        accepted.tracking_code,
        "ấp Chợ",
        NOW,
    )
    assert (doc["service_code_hint"], doc["entered_by"], doc["status"]) == ("4", "demo.apcho", "received")
    assert publisher.published == [accepted.submission_id]
    assert counted(d, "accepted") == 1 and counted(d, "rejected") == 0


async def test_a_rejected_submission_stores_nothing_and_is_counted_once():
    store, publisher = FakeSubmissions(), FakePublisher()
    d = deps(store, publisher)
    closed = demo_commune().model_copy(update={"current_dialogue_id": None})
    with pytest.raises(SubmissionRejected) as caught:
        await submit(d, command(commune=closed))
    assert caught.value.code == "no_open_dialogue"
    with pytest.raises(SubmissionRejected) as caught:
        await submit(d, command(body=command().body.model_copy(update={"hamlet": "ấp Không Có"})))
    assert caught.value.field == "hamlet"
    record_refused(d, "demo")  # an adapter's own parsing refused one
    assert store.docs == {} and publisher.published == []
    assert counted(d, "rejected") == 3 and counted(d, "accepted") == 0


async def test_a_store_that_is_down_answers_unavailable_and_nothing_is_published():
    store, publisher = FakeSubmissions(), FakePublisher()
    store.down = AutoReconnect("connection refused")
    d = deps(store, publisher)
    with pytest.raises(StoreUnavailable):
        await submit(d, command())
    assert publisher.published == [] and counted(d, "unavailable") == 1 and counted(d, "accepted") == 0


async def test_a_store_error_that_retrying_cannot_help_is_raised_as_it_is():
    store = FakeSubmissions()
    store.down = OperationFailure("bad document")
    d = deps(store)
    with pytest.raises(OperationFailure):
        await submit(d, command())
    assert counted(d, "unavailable") == 0


async def test_a_taken_tracking_code_is_replaced_and_a_failed_publish_is_left_to_the_relay():
    store, publisher = FakeSubmissions(taken_codes=2), FakePublisher(fails=True)
    d = deps(store, publisher)
    accepted = await submit(d, command())
    assert list(store.docs) == [accepted.submission_id]
    assert store.docs[accepted.submission_id]["outbox_pending"] is True  # the relay publishes it
    assert counted(d, "accepted") == 1


# ---- submit_many (bulk import) -----------------------------------------------------------------


async def test_a_batch_run_again_stores_nothing_twice_and_counts_what_it_stored():
    store, publisher = FakeSubmissions(taken_codes=1), FakePublisher()
    d = deps(store, publisher)
    batch = [command(submission_id=f"imp-1-{row}", correlation_id="imp-1") for row in range(2, 6)]
    first = await submit_many(d, batch[:2])
    assert sorted(a.submission_id for a in first) == ["imp-1-2", "imp-1-3"]  # one with a new tracking code
    again = await submit_many(d, batch)
    assert [a.submission_id for a in again] == ["imp-1-4", "imp-1-5"]
    assert sorted(store.docs) == [f"imp-1-{row}" for row in range(2, 6)]
    assert sorted(publisher.published) == sorted(store.docs)
    assert counted(d, "accepted") == 4


async def test_a_batch_skips_and_counts_a_row_the_rules_reject():
    store = FakeSubmissions()
    d = deps(store)
    bad = command(body=command().body.model_copy(update={"hamlet": "ấp Không Có"}), submission_id="imp-2-2")
    stored = await submit_many(d, [bad, command(submission_id="imp-2-3")])
    assert [a.submission_id for a in stored] == ["imp-2-3"]
    assert counted(d, "rejected") == 1 and counted(d, "accepted") == 1


async def test_a_batch_into_a_store_that_is_down_is_unavailable():
    store = FakeSubmissions()
    store.down = AutoReconnect("down")
    d = deps(store)
    with pytest.raises(StoreUnavailable):
        await submit_many(d, [command(submission_id="imp-3-2"), command(submission_id="imp-3-3")])
    assert counted(d, "unavailable") == 2


# ---- status --------------------------------------------------------------------------------------


class FakeStatusStore:
    def __init__(self) -> None:
        self.submission: Doc = {"status": "received", "status_rank": 1, "routing_revision": -1}
        self.history: dict[str, Doc] = {}
        self.listed: dict[str, set[str]] = {}  # submission -> the entry ids it lists
        self.followup: Doc = {}

    async def record_facts(self, commune_id: str, submission_id: str, facts: Doc) -> None:
        if self.submission["routing_revision"] < facts["routing_revision"]:
            self.submission.update(facts)

    async def advance(self, commune_id: str, submission_id: str, status: str, rank: int) -> None:
        if self.submission["status_rank"] < rank:
            self.submission.update(status=status, status_rank=rank)

    async def record_followup(self, commune_id: str, submission_id: str, facts: Doc) -> None:
        if self.followup.get("followup_revision", -1) < facts["followup_revision"]:
            self.followup = facts

    async def add_history(self, entry: Doc) -> bool:
        if entry["_id"] in self.history:
            return False
        self.history[entry["_id"]] = entry
        return True

    async def list_history_entry(self, commune_id: str, submission_id: str, entry_id: str) -> None:
        self.listed.setdefault(submission_id, set()).add(entry_id)


class FakePlans:
    def __init__(self) -> None:
        self.marks: list[tuple[str, str, str, str | None]] = []

    async def mark_done(self, commune_id: str, dialogue_id: str, key: str, by: str, note: str | None) -> bool:
        self.marks.append((dialogue_id, key, by, note))
        return True


def status_deps() -> StatusDeps:
    return StatusDeps(FakeStatusStore(), FakePlans(), IntakeMetrics(CollectorRegistry()))


def envelope(payload: Any) -> Envelope:
    return Envelope.wrap(payload, commune_id="demo", correlation_id="corr")


def routed(**changes: Any) -> SubmissionRoutedV1:
    fields = {
        "submission_id": "s1",
        "dialogue_id": "demo-2017",
        "tracking_code": "DT-AAAA1111",
        "kind": "petition",
        "text": "Đường ấp Chợ ngập nước",
        "topic": 3,
        "topic_name": "Giao thông",
        "office_id": "kinh-te",
        "office_name": "Phòng Kinh tế",
        "confidence": 0.9,
    }
    return SubmissionRoutedV1(**{**fields, **changes})


async def test_routed_then_notified_moves_the_status_forward_and_a_redelivery_changes_nothing():
    d = status_deps()
    store: FakeStatusStore = d.submissions  # type: ignore[assignment]
    first = routed()
    sent = NotificationSentV1(notification_id="n1", submission_id="s1", office_id="kinh-te", sent_at=NOW)
    first_event, sent_event = envelope(first), envelope(sent)
    assert await record_status(d, first_event, first) is True
    assert await record_status(d, sent_event, sent) is True
    assert await record_status(d, first_event, first) is False  # redelivered, out of order
    assert (store.submission["status"], store.submission["topic_name"]) == ("office_notified", "Giao thông")
    notes = [entry["note_vi"] for entry in store.history.values()]
    assert notes == [
        "Phân loại: Giao thông; giao Phòng Kinh tế chuẩn bị nội dung trả lời.",
        "Đã thông báo cho cơ quan chuẩn bị trả lời.",
    ]
    assert d.metrics.status_updates.labels("demo", "routed")._value.get() == 1
    # The submission lists each entry once (read back by `_id`), a redelivery adds no second one.
    assert store.listed == {"s1": set(store.history)}


async def test_a_staff_change_and_a_failed_notification_are_history_only():
    d = status_deps()
    store: FakeStatusStore = d.submissions  # type: ignore[assignment]
    change = routed(revision=1, change=RoutingChange.REASSIGNED, changed_by="demo.vp", reason="Sai cơ quan")
    await record_status(d, envelope(change), change)
    noted = routed(
        revision=2,
        change=RoutingChange.RECLASSIFIED,
        changed_by="demo.vp",
        reason="Nội bộ: hồ sơ ông Tám",
        note_to_resident="Ý kiến đã chuyển đúng cơ quan.",
    )
    await record_status(d, envelope(noted), noted)
    failed = NotificationFailedV1(
        notification_id="n1", submission_id="s1", office_id="kinh-te", reason="smtp", attempts=3
    )
    await record_status(d, envelope(failed), failed)
    assert store.submission["status"] == "received" and store.submission["routing_revision"] == 2
    # The reason is staff-only (its own field); the resident reads the change and the note meant for them.
    assert [(e["status"], e["by"], e["note_vi"], e.get("staff_note_vi")) for e in store.history.values()] == [
        (
            "reassigned",
            "demo.vp",
            "Giao lại cơ quan: Giao thông; Phòng Kinh tế chuẩn bị trả lời.",
            "Lý do: Sai cơ quan",
        ),
        (
            "reclassified",
            "demo.vp",
            "Phân loại lại: Giao thông; Phòng Kinh tế chuẩn bị trả lời."
            " Ghi chú: Ý kiến đã chuyển đúng cơ quan.",
            "Lý do: Nội bộ: hồ sơ ông Tám",
        ),
        ("notification_failed", "system", "Chưa gửi được thông báo cho cơ quan (đang xử lý).", None),
    ]


@pytest.mark.parametrize(
    ("status", "wording"),
    [
        (FollowUpStatus.ASSIGNED, "đã giao"),
        (FollowUpStatus.ESCALATED, "quá hạn, đã báo cáo Ban Thường vụ"),
        (FollowUpStatus.REJECTED, "không giải quyết"),
    ],
)
async def test_a_follow_up_change_reaches_every_submission_it_answers(status, wording):
    d = status_deps()
    store: FakeStatusStore = d.submissions  # type: ignore[assignment]
    changed = FollowUpChangedV1(
        task_id="t1",
        dialogue_id="demo-2017",
        submission_ids=("s1", "s2"),
        office_id="kinh-te",
        office_name="Phòng Kinh tế",
        status=status,
        due=date(2017, 6, 30),
        note="Đã khảo sát",
        revision=2,
    )
    event = envelope(changed)
    await record_follow_up(d, event, changed)
    assert store.followup["followup_status"] == status and store.followup["followup_due"] == "2017-06-30"
    assert [e["note_vi"] for e in store.history.values()] == [
        f"Thực hiện kết luận: {wording} (Phòng Kinh tế). Đã khảo sát"
    ] * 2
    assert sorted(store.history) == [f"{event.event_id}:s1", f"{event.event_id}:s2"]
    assert store.listed == {"s1": {f"{event.event_id}:s1"}, "s2": {f"{event.event_id}:s2"}}


async def test_an_issued_conclusion_notice_marks_its_duty_done_and_minutes_mark_nothing():
    d = status_deps()
    plans: FakePlans = d.plans  # type: ignore[assignment]
    for kind in (DocumentKind.CONCLUSION_NOTICE, DocumentKind.MINUTES):
        issued = DocumentIssuedV1(
            document_id=f"doc-{kind}",
            dialogue_id="demo-2017",
            kind=kind,
            number=5,
            code="05-TB/ĐU",
            version=1,
            title="Thông báo",
            issued_on=date(2017, 4, 2),
        )
        await record_document_issued(d, envelope(issued), issued)
    assert plans.marks == [("demo-2017", "conclusion", "system", "Văn bản số 05-TB/ĐU ngày 02/04/2017")]


# ---- plans ---------------------------------------------------------------------------------------


class FakePlans2:
    """The plans' store: a compare-and-set on (version, status), as the real one's filter does."""

    def __init__(self, dialogue: Any) -> None:
        self.dialogue = dialogue
        self.events: list[Envelope] = []
        self.current_dialogue_id: str | None = None

    async def create(self, dialogue: Any, event: Envelope) -> bool:
        return False

    async def replace(
        self, dialogue: Any, expected_version: int, expected_status: str, event: Envelope
    ) -> bool:
        if (self.dialogue.version, self.dialogue.status) != (expected_version, expected_status):
            return False
        self.dialogue = dialogue
        self.events.append(event)
        return True

    async def open_for_submissions(self, commune_id: str, dialogue_id: str) -> None:
        self.current_dialogue_id = dialogue_id

    async def close_for_submissions(self, commune_id: str, dialogue_id: str) -> None:
        self.current_dialogue_id = None

    async def delete_draft(self, commune_id: str, dialogue_id: str) -> bool:
        return True

    async def mark_done(self, commune_id: str, dialogue_id: str, key: str, by: str, note: str | None) -> bool:
        return True

    async def set_calendar(self, commune_id: str, calendar: Doc) -> bool:
        return True


def plan_deps(store: FakePlans2, published: list[str]) -> PlanDeps:
    async def publish(commune_id: str, doc_id: str) -> int:
        published.append(doc_id)
        return 1

    return PlanDeps(store, None, publish)  # type: ignore[arg-type]  # no directory read here


async def test_opening_a_plan_makes_it_take_submissions_and_a_stale_move_is_a_conflict():
    draft = demo_dialogue().model_copy(update={"status": "draft", "version": 1})
    store, published = FakePlans2(draft), []
    d = plan_deps(store, published)
    opened = await move_plan(d, draft, "collecting", "demo.vp")
    assert (opened.status, store.current_dialogue_id, published) == (
        "collecting",
        "demo-2017",
        ["demo/demo-2017"],
    )
    assert (
        store.events[0].payload["change"] == "status"
        and store.events[0].payload["previous_status"] == "draft"
    )
    with pytest.raises(PlanConflict) as caught:
        await move_plan(d, draft, "collecting", "demo.vp")  # read before the move above
    assert caught.value.code == "plan_changed"
    with pytest.raises(PlanConflict) as caught:
        await move_plan(d, opened, "held", "demo.vp")
    assert caught.value.code == "bad_transition" and "classified" in caught.value.vi
    held = opened.model_copy(update={"status": "held"})
    with pytest.raises(PlanConflict) as caught:
        await edit_plan(d, held, PlanPatch(venue="Hội trường ấp Chợ"), "demo.vp")
    assert caught.value.code == "plan_locked"
