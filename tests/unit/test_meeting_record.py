"""The meeting record's use cases (`services/reporting/handlers/meeting.py`) over in-memory fakes:
compare-and-set on the revision, per-kind validation of conclusions, the audit of every edit,
the lock once the notice is issued, new items sent to intake, attendance where a later revision
wins, and the follow-up tasks and documents that follow the conclusions.

Fakes: the meeting store is a dict keyed by record id whose `save` compares the revision as the
Mongo repository's conditional update does (the repository itself runs in
tests/integration/test_meeting_record.py); intake's submissions API answers with made-up ids;
the read model, tasks, outbox and directory are those of test_reporting_handlers (the demo
commune and its 2017 plan)."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from services.reporting import handlers
from services.reporting.documents.build import build_data
from services.reporting.followup import tasks_for_record
from services.reporting.handlers import DocumentDeps, IssueDocument, NotFound
from services.reporting.handlers import meeting as m
from services.reporting.handlers.ports import AttendanceDeps, MeetingDeps
from services.reporting.meeting import check_conclusion, conclusion_due
from services.reporting.metrics import ReportingMetrics
from services.reporting.radio import environment
from shared.contracts import AttendanceChangedV1, Envelope
from tests.unit.test_reporting_handlers import (
    COMMUNE,
    DIALOGUE,
    NOW,
    FakeDirectory,
    FakeDocuments,
    FakeItems,
    FakeNumbers,
    FakeOutbox,
    FakeRenderer,
    FakeTasks,
    item,
)

ITEMS = [
    item(1),
    item(2, office_id="cong-an-xa", office_name="Công an xã"),
    item(3, authority_level="province", authority_body="Sở Xây dựng"),
    item(4),
]


class FakeMeetings:
    def __init__(self) -> None:
        self.records: dict[str, dict] = {}
        self.edits: list[dict] = []
        self.meetings = "meetings"
        self.races = 0  # saves to refuse, as if someone else saved first

    async def get(self, commune_id: str, dialogue_id: str) -> dict | None:
        found = self.records.get(f"{commune_id}:{dialogue_id}")
        return copy.deepcopy(found) if found else None

    async def save(self, record: dict, expected_revision: int, event: Envelope | None) -> bool:
        current = self.records.get(record["_id"], {}).get("revision") or 0
        if self.races or current != expected_revision:
            self.races = max(0, self.races - 1)
            return False
        self.records[record["_id"]] = {**copy.deepcopy(record), "outbox": [event]}
        return True

    async def set_attendance(self, commune_id: str, dialogue_id: str, attendance: dict) -> bool:
        record = self.records.setdefault(
            f"{commune_id}:{dialogue_id}", {"_id": f"{commune_id}:{dialogue_id}", "commune_id": commune_id}
        )
        if (record.get("attendance") or {}).get("revision", 0) >= attendance["revision"]:
            return False
        record["attendance"] = attendance
        return True

    async def record_edit(self, commune_id: str, entry: dict) -> None:
        self.edits.append(entry)

    async def lock(self, commune_id: str, dialogue_id: str) -> None:
        self.records[f"{commune_id}:{dialogue_id}"]["locked"] = True


class FakeSubmissions:
    def __init__(self) -> None:
        self.sent: list[dict] = []

    async def submit(self, commune_id: str, body: dict) -> dict:
        self.sent.append(body)
        n = len(self.sent)
        return {"id": f"new{n}", "tracking_code": f"HN{n:04d}"}


@pytest.fixture
def world():
    meetings, submissions, outbox = FakeMeetings(), FakeSubmissions(), FakeOutbox()
    deps = MeetingDeps(FakeDirectory(), FakeItems(ITEMS), meetings, submissions, outbox, lambda: NOW)
    return deps


def conclusion(key: str, **body: Any) -> m.SetConclusion:
    return m.SetConclusion(COMMUNE.id, DIALOGUE.id, key, body, "Văn phòng Đảng ủy")


async def test_facts_are_set_at_the_revision_read_and_a_stale_one_is_refused(world):
    empty = await m.meeting_record(world, COMMUNE.id, DIALOGUE.id)
    assert empty["revision"] == 0 and empty["locked"] is False
    assert [i["key"] for i in empty["issues"]] == ["s1", "s2", "s3", "s4"]  # numbered as in the report
    facts = {"chair": "Nguyễn Văn Minh", "started_at": "2017-03-25T00:35:00Z", "ignored": "x"}
    view = await m.record_facts(world, m.RecordFacts(COMMUNE.id, DIALOGUE.id, 0, facts, "vp"))
    assert view["revision"] == 1 and view["chair"] == "Nguyễn Văn Minh" and "ignored" not in view
    with pytest.raises(m.RecordChanged):
        await m.record_facts(world, m.RecordFacts(COMMUNE.id, DIALOGUE.id, 0, {"chair": "X"}, "vp"))
    [edit] = world.meetings.edits
    assert (
        edit["before"] == {"chair": None, "started_at": None} and edit["after"]["chair"] == "Nguyễn Văn Minh"
    )
    event = world.meetings.records["demo:demo-2017"]["outbox"][0]
    assert event.routing_key == "meeting.recorded.v1" and event.payload["revision"] == 1


async def test_appends_reapply_after_a_race_and_publish_each_change(world):
    world.meetings.races = 2
    entry = await m.add_programme_item(world, COMMUNE.id, DIALOGUE.id, {"title": "Khai mạc"}, "vp")
    record = await world.meetings.get(COMMUNE.id, DIALOGUE.id)
    assert record["programme"] == [entry] and record["revision"] == 1
    assert world.outbox.flushed[-1][2] == "demo:demo-2017"


async def test_new_issues_raised_on_the_floor_go_to_intake_and_are_linked(world):
    command = m.AddIntervention(
        COMMUNE.id,
        DIALOGUE.id,
        {
            "speaker": "Bà Hoa",
            "registered": False,
            "hamlet": "ấp Căn Cứ",
            "question": "Đèn hư",
            "issue_keys": ["s1"],
        },
        "vp",
        (m.NewIssue("Đèn đường hư nhiều tháng"),),
    )
    entry = await m.add_intervention(world, command)
    assert world.submissions.sent == [
        {
            "source": "at_meeting",
            "kind": "petition",
            "text": "Đèn đường hư nhiều tháng",
            "dialogue_id": "demo-2017",  # the meeting's own, even once its end was saved
            "hamlet": "ấp Căn Cứ",
        }
    ]
    assert (
        entry["issue_keys"] == ["s1", "new1"]
        and entry["tracking_codes"] == ["HN0001"]
        and entry["order"] == 1
    )
    edited = await m.edit_intervention(
        world, COMMUNE.id, DIALOGUE.id, entry["id"], {"answers": [{"by": "UBND", "text": "Sẽ sửa"}]}, "vp"
    )
    assert edited["answers"] == [{"by": "UBND", "text": "Sẽ sửa"}] and edited["speaker"] == "Bà Hoa"
    with pytest.raises(NotFound):
        await m.edit_intervention(world, COMMUNE.id, DIALOGUE.id, "nope", {"question": "x"}, "vp")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "assigned", "text": "Làm", "deadline_working_days": 10}, "office_id"),
        ({"kind": "assigned", "text": "Làm", "office_id": "phong-kinh-te"}, "deadline_working_days"),
        (
            {"kind": "assigned", "text": "Làm", "office_id": "khong-co", "deadline_working_days": 5},
            "office_id",
        ),
        ({"kind": "recommended", "text": "Kiến nghị"}, "higher_body"),
        ({"kind": "no_action", "text": ""}, "reason"),
        ({"kind": "answered", "text": " "}, "text"),
        ({"kind": "later"}, "kind"),
    ],
)
def test_each_kind_of_conclusion_needs_its_own_fields(body, field):
    with pytest.raises(m.InvalidConclusion) as refused:
        check_conclusion(COMMUNE, body)
    assert refused.value.field == field and refused.value.vi and refused.value.en


async def test_conclusions_are_audited_and_locked_once_the_notice_is_issued(world):
    with pytest.raises(m.UnknownIssue):
        await m.set_conclusion(world, conclusion("s9", kind="answered", text="Đã trả lời"))
    first = await m.set_conclusion(world, conclusion("s1", kind="answered", text="Đã trả lời"))
    second = await m.set_conclusion(world, conclusion("s1", kind="no_action", reason="Cảm ơn"))
    assert (first["revision"], second["revision"]) == (1, 2)
    assert [e["before"] and e["before"]["kind"] for e in world.meetings.edits] == [None, "answered"]
    await m.set_issue_summary(world, COMMUNE.id, DIALOGUE.id, "s2", "Xe tải chạy nhanh qua trường", "vp")
    view = await m.meeting_record(world, COMMUNE.id, DIALOGUE.id)
    assert next(i for i in view["issues"] if i["key"] == "s2")["summary"] == "Xe tải chạy nhanh qua trường"
    await world.meetings.lock(COMMUNE.id, DIALOGUE.id)
    with pytest.raises(m.RecordLocked):
        await m.set_conclusion(world, conclusion("s1", kind="answered", text="Đã trả lời"))


async def test_a_reviewed_summary_the_documents_would_print_masked_is_refused(world):
    """Seen by an outside walkthrough: "gần nhà ông Nguyễn Văn Bảy" saved as the reviewed text was
    printed "gần nhà ông [họ tên]" in the issued notice, the page calling it ready."""
    named = "Bãi rác tự phát gần nhà ông Nguyễn Văn Bảy ở ấp Căn Cứ bốc mùi hôi"
    with pytest.raises(m.InvalidEntry) as refused:
        await m.set_issue_summary(world, COMMUNE.id, DIALOGUE.id, "s2", named, "vp")
    assert refused.value.field == "summary" and "[họ tên]" in refused.value.vi
    view = await m.meeting_record(world, COMMUNE.id, DIALOGUE.id)
    assert next(i for i in view["issues"] if i["key"] == "s2")["printed_as_typed"] is True  # nothing saved
    # the resident's masked text saved unchanged, or a text without diacritics, is not reviewed
    # (outside walkthrough: "Nha ong [họ tên] sdt [số điện thoại]" was accepted as reviewed)
    for unreviewed in ("Bãi rác gần nhà ông [họ tên] bốc mùi", "bai rac tu phat o ap Can Cu boc mui hoi"):
        with pytest.raises(m.InvalidEntry) as refused:
            await m.set_issue_summary(world, COMMUNE.id, DIALOGUE.id, "s2", unreviewed, "vp")
        assert refused.value.field == "summary"
    worded = "Bãi rác tự phát ở ấp Căn Cứ bốc mùi hôi"
    await m.set_issue_summary(world, COMMUNE.id, DIALOGUE.id, "s2", worded, "vp")
    view = await m.meeting_record(world, COMMUNE.id, DIALOGUE.id)
    assert next(i for i in view["issues"] if i["key"] == "s2")["summary"] == worded


async def test_a_later_attendance_wins():
    meetings = FakeMeetings()
    deps = AttendanceDeps(meetings)

    def changed(revision: int, total: int) -> tuple[Envelope, AttendanceChangedV1]:
        payload = AttendanceChangedV1(
            dialogue_id=DIALOGUE.id, revision=revision, by_hamlet={"ấp Chợ": total}, total=total
        )
        return Envelope.wrap(payload, commune_id=COMMUNE.id, correlation_id="c"), payload

    await m.record_attendance(deps, *changed(2, 20))
    await m.record_attendance(deps, *changed(1, 10))  # older, delivered late
    await m.record_attendance(deps, *changed(2, 20))  # repeated
    assert meetings.records["demo:demo-2017"]["attendance"]["total"] == 20


CONCLUSIONS = {
    "s1": {
        "kind": "assigned",
        "text": "Nạo vét cống",
        "office_id": "phong-kinh-te",
        "deadline_working_days": 20,
    },
    "s2": {"kind": "answered", "text": "Đã trả lời tại hội nghị"},
    "s3": {"kind": "recommended", "text": "Kiến nghị bồi thường", "higher_body": "UBND tỉnh Đồng Tháp"},
    "s4": {"kind": "no_action", "text": "", "reason": "Ý kiến cảm ơn"},
}


def test_tasks_open_per_conclusion_each_with_its_own_due_date_those_closed_at_the_meeting_settled():
    calendar = COMMUNE.working_calendar()
    offices = {o.id: o.name for o in COMMUNE.offices}
    tasks = {
        t["cluster_id"]: t
        for t in tasks_for_record(
            DIALOGUE.id, ITEMS, CONCLUSIONS, date(2017, 4, 5), calendar, offices, year=DIALOGUE.year
        )
    }
    assert set(tasks) == {"s1", "s2", "s3", "s4"}
    # answered or explained at the meeting: settled from the start, the outcome told as the result
    assert (tasks["s2"]["status"], tasks["s4"]["status"]) == ("resolved", "rejected")
    assert tasks["s2"]["result"] == "Đã trả lời tại hội nghị"  # the verb is said once
    assert tasks["s4"]["result"] == "Giải thích, không cần giải quyết: Ý kiến cảm ơn"
    assert tasks["s2"]["due"] == "2017-04-05"
    assert tasks["s1"]["text"] == "Nạo vét cống" and tasks["s1"]["status"] == "assigned"
    assert tasks["s1"]["due"] == calendar.nth_working_day_after(date(2017, 4, 5), 20).isoformat()
    assert (
        tasks["s3"]["status"] == "awaiting_higher_level" and tasks["s3"]["office_id"] == "van-phong-dang-uy"
    )
    assert tasks["s3"]["authority_body"] == "UBND tỉnh Đồng Tháp"
    dated = {"kind": "assigned", "deadline_date": "2017-06-30"}
    assert conclusion_due(dated, date(2017, 4, 5), calendar) == date(2017, 6, 30)
    # an issue without a conclusion keeps today's task
    partial = tasks_for_record(
        DIALOGUE.id, ITEMS, {}, date(2017, 4, 5), calendar, offices, year=DIALOGUE.year
    )
    assert {t["cluster_id"] for t in partial} == {"s1", "s2", "s3", "s4"}


async def test_issuing_the_notice_with_a_record_opens_tasks_from_it_and_locks_it(world):
    for key, body in CONCLUSIONS.items():
        await m.set_conclusion(world, conclusion(key, **body))
    metrics = ReportingMetrics(CollectorRegistry())
    tasks = FakeTasks()
    docs = DocumentDeps(
        FakeDirectory(),
        FakeItems(ITEMS),
        FakeDocuments(),
        tasks,
        FakeNumbers(),
        FakeOutbox(),
        FakeRenderer(),
        metrics,
        environment(),
        lambda: NOW,
        meetings=world.meetings,
    )
    await handlers.issue_document(docs, IssueDocument(COMMUNE.id, DIALOGUE.id, "thong-bao-ket-luan", "vp"))
    opened = {t["cluster_id"]: t["status"] for t in await tasks.for_dialogue(COMMUNE.id, DIALOGUE.id)}
    assert opened == {"s1": "assigned", "s2": "resolved", "s3": "awaiting_higher_level", "s4": "rejected"}
    assert docs.renderer.calls[-1]["meeting"]["conclusions"]["s1"]["text"] == "Nạo vét cống"
    assert world.meetings.records["demo:demo-2017"]["locked"] is True


def test_the_notice_prints_each_conclusion_and_the_minutes_the_meeting():
    record = {
        "revision": 3,
        "chair": "Nguyễn Văn Minh, Bí thư",
        "minute_taker": "Trần Thị Thu",
        "attendance": {"revision": 1, "by_hamlet": {"ấp Chợ": 75}, "walk_ins": 0, "total": 75},
        "interventions": [
            {
                "order": 1,
                "speaker": "Ông Tư",
                "hamlet": "ấp Chợ",
                "question": "Cống?",
                "answers": [{"by": "PKT", "text": "Quý II"}],
            }
        ],
        "summaries": {"s1": "Cống trước chợ bị nghẹt"},
        "conclusions": {k: check_conclusion(COMMUNE, v) for k, v in CONCLUSIONS.items()},
    }
    notice = build_data(
        "thong-bao-ket-luan",
        COMMUNE,
        DIALOGUE,
        ITEMS,
        number=None,
        issued_on=date(2017, 4, 5),
        meeting=record,
    ).notice
    assert notice is not None
    [assigned] = notice.conclusions
    assert (assigned.text, assigned.conclusion, assigned.office) == (
        "Cống trước chợ bị nghẹt",
        "Nạo vét cống",
        "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường",  # its 2017 title
    )
    assert assigned.deadline_phrase.startswith("20 ngày làm việc (chậm nhất ngày ")
    assert [e.authority for e in notice.escalations] == ["UBND tỉnh Đồng Tháp"]
    assert [c.conclusion_kind for c in notice.closed] == ["answered", "no_action"]
    assert notice.implementation_number == "IV"
    minutes = build_data(
        "bien-ban", COMMUNE, DIALOGUE, ITEMS, number=None, issued_on=date(2017, 4, 5), meeting=record
    )
    assert minutes.minutes is not None and minutes.minutes.speeches[0].answers[0].text == "Quý II"
    assert any("tối thiểu 70 người, đạt" in line for line in minutes.minutes.attendance_lines)
    assert minutes.signature.name == "Nguyễn Văn Minh" and minutes.left_signature.name == "Trần Thị Thu"
    plain = build_data(
        "thong-bao-ket-luan", COMMUNE, DIALOGUE, ITEMS, number=None, issued_on=date(2017, 4, 5)
    )
    assert (
        plain.notice is not None
        and not plain.notice.closed
        and all(not i.conclusion for i in plain.notice.conclusions)
    )
