"""Attendance at the meeting alone (`handlers.attendance`): check-in at the door, walk-ins, the
count per hamlet against the plan's minimum, the staff's look-up; and the status consumer moving
a plan to held once its meeting has ended (`handlers.status.record_meeting`).

Fakes: an in-memory attendance store (registrations in a dict, one attendance document per
dialogue replaced only when its revision is still the one read, as the real filter does, and a
switch that makes the next saves find a check-in stored meanwhile), a list standing for the
outbox publisher, and the compare-and-set plans' store of test_intake_handlers. They keep what
the use cases rely on (the revision compared, the event in the stored document), without a
broker or a store.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from services.demo.seed import demo_commune, demo_dialogue
from services.intake.handlers.attendance import (
    AttendanceConflict,
    AttendanceDeps,
    UnknownRegistration,
    add_walk_ins,
    attendance_view,
    check_in,
    find_registrations,
)
from services.intake.handlers.plans import PlanDeps
from services.intake.handlers.status import StatusDeps, record_document_issued, record_meeting
from services.intake.logic import SubmissionRejected
from services.intake.metrics import IntakeMetrics
from services.intake.registrations import person_key
from shared.contracts import AttendanceChangedV1, DocumentIssuedV1, DocumentKind, Envelope, MeetingRecordedV1
from shared.directory import Dialogue, dialogue_key

Doc = dict[str, Any]
NOW = datetime(2017, 3, 25, 7, 30, tzinfo=UTC)


class FakeAttendance:
    def __init__(self, registrations: list[Doc]) -> None:
        self.registrations = {r["_id"]: r for r in registrations}
        self.docs: dict[str, Doc] = {}
        self.raced = 0  # the next saves find another check-in stored meanwhile

    async def registration(self, commune_id: str, dialogue_id: str, registration_id: str) -> Doc | None:
        r = self.registrations.get(registration_id)
        return r if r and (r["commune_id"], r["dialogue_id"]) == (commune_id, dialogue_id) else None

    async def registered_by_hamlet(self, commune_id: str, dialogue_id: str) -> dict[str, int]:
        counts: dict[str, int] = {}
        for r in self.registrations.values():
            if (r["commune_id"], r["dialogue_id"]) == (commune_id, dialogue_id):
                counts[r["hamlet_id"]] = counts.get(r["hamlet_id"], 0) + 1
        return counts

    async def search(
        self,
        commune_id: str,
        dialogue_id: str,
        *,
        name: str | None,
        digits: str | None,
        limit: int,
        hamlet_id: str | None = None,
    ) -> list[Doc]:
        if not (name or digits):
            return []
        pattern = "^[^|]*" + re.escape(name) if name else r"\|[0-9]*" + re.escape(digits or "")
        found = [
            r
            for r in self.registrations.values()
            if (r["commune_id"], r["dialogue_id"]) == (commune_id, dialogue_id)
            and re.search(pattern, r["person_key"])
            and hamlet_id in (None, r["hamlet_id"])
        ]
        return sorted(found, key=lambda r: r["person_key"])[:limit]

    async def attendance_of(self, commune_id: str, dialogue_id: str) -> Doc | None:
        return self.docs.get(dialogue_key(commune_id, dialogue_id))

    async def save_attendance(self, doc: Doc, expected_revision: int) -> bool:
        if self.raced:
            self.raced -= 1
            stored = self.docs.get(doc["_id"])
            bumped = {
                **(stored or {**doc, "checked_in": {}, "walk_ins": {}}),
                "revision": expected_revision + 1,
            }
            self.docs[doc["_id"]] = bumped
            return False
        stored = self.docs.get(doc["_id"])
        if (stored["revision"] if stored else 0) != expected_revision:
            return False
        self.docs[doc["_id"]] = doc
        return True


def registration(rid: str, name: str, phone: str, hamlet_id: str, dialogue_id: str = "demo-2017") -> Doc:
    hamlet = next(h.name for h in demo_commune().hamlets if h.id == hamlet_id)
    return {
        "_id": rid,
        "commune_id": "demo",
        "dialogue_id": dialogue_id,
        "name": name,
        "phone": phone,
        "person_key": person_key(name, phone),
        "hamlet": hamlet,
        "hamlet_id": hamlet_id,
    }


REGISTERED = [
    registration("r1", "Nguyễn Văn An", "0912 345 678", "ap-cho"),
    registration("r2", "Trần Thị Bình", "0987 654 321", "ap-cho"),
    registration("r3", "Lê Văn Cường", "+84 903 111 222", "ap-can-cu"),
    registration("r9", "Nguyễn Văn Khác", "0911 000 000", "ap-cho", dialogue_id="other"),
]


def deps(store: FakeAttendance, published: list[str]) -> AttendanceDeps:
    async def publish(commune_id: str, doc_id: str) -> int:
        published.append(doc_id)
        return 1

    return AttendanceDeps(store, publish, clock=lambda: NOW)


def rows(view: Doc) -> dict[str, tuple[int, int, int, int, bool]]:
    return {
        r["hamlet_id"]: (r["registered"], r["checked_in"], r["walk_ins"], r["minimum"], r["reached"])
        for r in view["by_hamlet"]
    }


def stored_event(store: FakeAttendance) -> AttendanceChangedV1:
    doc = store.docs["demo/demo-2017"]
    envelope = Envelope.model_validate(doc["outbox"][0])
    assert envelope.routing_key == "meeting.attendance_changed.v1"
    return AttendanceChangedV1.model_validate(envelope.payload)


async def test_nobody_counted_yet_shows_the_plans_hamlets_against_their_minimum():
    store, published = FakeAttendance(REGISTERED), []
    view = await attendance_view(deps(store, published), demo_commune(), demo_dialogue())
    assert view == {
        "revision": 0,
        "by_hamlet": [
            {
                "hamlet_id": "ap-cho",
                "hamlet": "ấp Chợ",
                "registered": 2,
                "checked_in": 0,
                "walk_ins": 0,
                "minimum": 70,
                "reached": False,
            },
            {
                "hamlet_id": "ap-can-cu",
                "hamlet": "ấp Căn Cứ",
                "registered": 1,
                "checked_in": 0,
                "walk_ins": 0,
                "minimum": 70,
                "reached": False,
            },
        ],
        "walk_ins": 0,
        "total": 0,
    }
    assert published == []


async def test_a_check_in_counts_once_and_stores_its_event_before_publishing():
    store, published = FakeAttendance(REGISTERED), []
    d, commune, dialogue = deps(store, published), demo_commune(), demo_dialogue()
    first = await check_in(d, commune, dialogue, "r1", "demo.vp")
    assert first.new and first.attendance["revision"] == 1 and first.attendance["total"] == 1
    assert rows(first.attendance)["ap-cho"] == (2, 1, 0, 70, False)
    assert published == ["demo/demo-2017"]
    event = stored_event(store)
    assert (event.revision, event.by_hamlet, event.walk_ins, event.total) == (
        1,
        {"ấp Chợ": 1, "ấp Căn Cứ": 0},
        0,
        1,
    )
    assert store.docs["demo/demo-2017"]["checked_in"]["r1"] == {
        "hamlet_id": "ap-cho",
        "at": "2017-03-25T07:30:00.000000Z",
        "by": "demo.vp",
    }

    again = await check_in(d, commune, dialogue, "r1", "demo.other")
    assert not again.new and again.attendance == first.attendance
    assert published == ["demo/demo-2017"]  # nothing stored, nothing published
    assert store.docs["demo/demo-2017"]["checked_in"]["r1"]["by"] == "demo.vp"

    second = await check_in(d, commune, dialogue, "r3", "demo.vp")
    assert second.attendance["revision"] == 2 and rows(second.attendance)["ap-can-cu"] == (1, 1, 0, 70, False)
    assert stored_event(store).by_hamlet == {"ấp Chợ": 1, "ấp Căn Cứ": 1}


async def test_walk_ins_are_counted_with_their_hamlet_written_without_diacritics():
    store, published = FakeAttendance(REGISTERED), []
    d, commune = deps(store, published), demo_commune()
    dialogue = demo_dialogue().model_copy(update={"min_attendance": {"ap-cho": 3, "ap-can-cu": 70}})
    await check_in(d, commune, dialogue, "r1", "demo.vp")
    view = (await add_walk_ins(d, commune, dialogue, "ap cho", 2, "demo.vp")).attendance
    assert rows(view)["ap-cho"] == (2, 3, 2, 3, True)  # one registered and two from the floor
    assert (view["walk_ins"], view["total"], view["revision"]) == (2, 3, 2)
    view = (await add_walk_ins(d, commune, dialogue, "Bến Đò", 1, "demo.vp")).attendance
    assert rows(view)["ap-ben-do"] == (0, 1, 1, 0, True)  # not in the plan, but someone came from there
    event = stored_event(store)
    assert (event.by_hamlet, event.walk_ins, event.total) == (
        {"ấp Chợ": 3, "ấp Bến Đò": 1, "ấp Căn Cứ": 0},
        3,
        4,
    )
    assert published == ["demo/demo-2017"] * 3

    with pytest.raises(SubmissionRejected) as caught:
        await add_walk_ins(d, commune, dialogue, "ấp Không Có", 1, "demo.vp")
    assert caught.value.field == "walk_in.hamlet" and "ấp Chợ" in caught.value.vi
    with pytest.raises(SubmissionRejected) as caught:
        await add_walk_ins(d, commune, dialogue, "toan xa", 1, "demo.vp")
    assert caught.value.code == "hamlet_required"
    assert stored_event(store).revision == 3  # refused ones stored nothing


async def test_refusals_unknown_registration_and_a_plan_without_a_meeting():
    store, published = FakeAttendance(REGISTERED), []
    d, commune = deps(store, published), demo_commune()
    with pytest.raises(UnknownRegistration):
        await check_in(d, commune, demo_dialogue(), "r9", "demo.vp")  # another dialogue's
    with pytest.raises(UnknownRegistration):
        await check_in(d, commune, demo_dialogue(), "nope", "demo.vp")
    for status in ("draft", "cancelled", "closed"):
        plan = demo_dialogue().model_copy(update={"status": status})
        with pytest.raises(AttendanceConflict) as caught:
            await check_in(d, commune, plan, "r1", "demo.vp")
        assert caught.value.code == "no_meeting"
        with pytest.raises(AttendanceConflict):
            await add_walk_ins(d, commune, plan, "ấp Chợ", 1, "demo.vp")
    assert store.docs == {} and published == []


async def test_a_check_in_stored_meanwhile_is_read_again_and_counted_on_top():
    store, published = FakeAttendance(REGISTERED), []
    d, commune, dialogue = deps(store, published), demo_commune(), demo_dialogue()
    await check_in(d, commune, dialogue, "r1", "demo.vp")
    store.raced = 2
    done = await check_in(d, commune, dialogue, "r2", "demo.vp")
    assert done.new and done.attendance["revision"] == 4  # two revisions stored by others meanwhile
    store.raced = 100
    with pytest.raises(AttendanceConflict) as caught:
        await check_in(d, commune, dialogue, "r3", "demo.vp")
    assert caught.value.code == "attendance_busy"


async def test_look_up_by_name_without_diacritics_or_by_phone_digits():
    store, published = FakeAttendance(REGISTERED), []
    d, commune, dialogue = deps(store, published), demo_commune(), demo_dialogue()
    await check_in(d, commune, dialogue, "r2", "demo.vp")
    assert await find_registrations(d, commune, dialogue, "nguyen van") == [
        {"id": "r1", "name": "Nguyễn Văn An", "hamlet": "ấp Chợ", "checked_in": False}
    ]  # the other dialogue's namesake is not found
    assert await find_registrations(d, commune, dialogue, "BÌNH") == [
        {"id": "r2", "name": "Trần Thị Bình", "hamlet": "ấp Chợ", "checked_in": True}
    ]
    assert [r["id"] for r in await find_registrations(d, commune, dialogue, "0903 111")] == ["r3"]
    assert await find_registrations(d, commune, dialogue, "---") == []


class FakePlanStore:
    """Compares version and status before it replaces, as the real filter does."""

    def __init__(self, dialogue: Dialogue) -> None:
        self.current = dialogue
        self.moves: list[str] = []

    async def replace(self, dialogue: Dialogue, expected_version: int, expected_status: str, event: Envelope):
        if (self.current.version, self.current.status) != (expected_version, expected_status):
            return False
        self.current = dialogue
        self.moves.append(dialogue.status)
        return True

    async def close_for_submissions(self, commune_id: str, dialogue_id: str) -> None:
        pass

    async def open_for_submissions(self, commune_id: str, dialogue_id: str) -> None:
        pass

    async def dialogue(self, commune_id: str, dialogue_id: str) -> Dialogue | None:
        return self.current if dialogue_id == self.current.id else None

    async def mark_done(self, commune_id: str, dialogue_id: str, key: str, by: str, note: str | None) -> bool:
        return True


def status_deps(plans: FakePlanStore) -> StatusDeps:
    async def publish(commune_id: str, doc_id: str) -> int:
        return 1

    plan_changes = PlanDeps(plans, None, publish)  # type: ignore[arg-type]  # no directory read here
    return StatusDeps(None, plans, IntakeMetrics(CollectorRegistry()), plan_changes, plans)  # type: ignore[arg-type]


def recorded(ended: bool, dialogue_id: str = "demo-2017") -> tuple[Envelope, MeetingRecordedV1]:
    payload = MeetingRecordedV1(
        dialogue_id=dialogue_id,
        revision=3,
        started_at=NOW,
        ended_at=NOW.replace(hour=11) if ended else None,
    )
    return Envelope.wrap(payload, commune_id="demo", correlation_id="c"), payload


@pytest.mark.parametrize(
    "status,moves",
    [
        ("collecting", ["classified", "invited", "held"]),
        ("classified", ["invited", "held"]),
        ("invited", ["held"]),
        ("held", []),
        ("concluded", []),
        ("cancelled", []),
    ],
)
async def test_the_meetings_end_moves_a_plan_before_it_to_held_once(status: str, moves: list[str]):
    plans = FakePlanStore(demo_dialogue().model_copy(update={"status": status}))
    d = status_deps(plans)
    await record_meeting(d, *recorded(ended=True))
    assert plans.moves == moves
    await record_meeting(d, *recorded(ended=True))  # a redelivered or later record changes nothing
    assert plans.moves == moves


async def test_a_meeting_not_ended_or_of_an_unknown_plan_moves_nothing():
    plans = FakePlanStore(demo_dialogue().model_copy(update={"status": "invited"}))
    d = status_deps(plans)
    await record_meeting(d, *recorded(ended=False))
    await record_meeting(d, *recorded(ended=True, dialogue_id="other"))
    assert plans.moves == []


def issued(kind: DocumentKind) -> tuple[Envelope, DocumentIssuedV1]:
    payload = DocumentIssuedV1(
        document_id=f"doc-{kind}",
        dialogue_id="demo-2017",
        kind=kind,
        number=5,
        code="05-TB/ĐU",
        version=1,
        title="Thông báo",
        issued_on=date(2017, 4, 2),
    )
    return Envelope.wrap(payload, commune_id="demo", correlation_id="c"), payload


@pytest.mark.parametrize(
    "status,moves",
    [
        ("held", ["concluded"]),
        ("invited", ["held", "concluded"]),  # the meeting's end was never saved: the notice says it was held
        ("concluded", []),
        ("closed", []),
        ("cancelled", []),
    ],
)
async def test_issuing_the_conclusion_notice_concludes_the_plan_once(status: str, moves: list[str]):
    """Seen from outside: the plan stayed "Đã tổ chức đối thoại" after the notice was issued
    until someone moved it by hand."""
    plans = FakePlanStore(demo_dialogue().model_copy(update={"status": status}))
    d = status_deps(plans)
    await record_document_issued(d, *issued(DocumentKind.CONCLUSION_NOTICE))
    assert plans.moves == moves
    await record_document_issued(d, *issued(DocumentKind.CONCLUSION_NOTICE))  # redelivered: nothing more
    assert plans.moves == moves


async def test_other_documents_move_no_plan():
    plans = FakePlanStore(demo_dialogue().model_copy(update={"status": "held"}))
    d = status_deps(plans)
    for kind in (DocumentKind.MINUTES, DocumentKind.INVITATION, DocumentKind.SUMMARY_REPORT):
        await record_document_issued(d, *issued(kind))
    assert plans.moves == []
