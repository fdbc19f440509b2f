"""Reporting's use cases over in-memory fakes: issuing (numbers, versions, follow-up tasks),
status changes, the reminder scan, the read-model merge and open data.

Fakes: the stores, the number register and the outbox are dicts and lists, so each rule is
checked without a broker or a database (the Mongo repositories and the real wiring are covered
by tests/integration/test_followup.py); the renderer returns fixed bytes, since what a document
prints is tested in test_documents.py; the directory holds the demo commune and its 2017 plan."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from services.demo.seed import demo_commune, demo_dialogue
from services.reporting import handlers
from services.reporting.handlers import (
    BadTransition,
    ChangeFollowUp,
    DocumentDeps,
    FollowUpDeps,
    IssueDocument,
    NotFound,
    ReadModelDeps,
    ReasonRequired,
    TaskChanged,
    UnknownDocumentKind,
    Viewer,
)
from services.reporting.metrics import ReportingMetrics
from services.reporting.radio import environment
from shared.contracts import (
    Envelope,
    FollowUpStatus,
    Kind,
    Source,
    SubmissionReceivedV1,
    SubmissionRoutedV1,
)

NOW = datetime(2017, 4, 5, 3, 0, tzinfo=timezone.utc)
COMMUNE, DIALOGUE = demo_commune(), demo_dialogue()


class FakeDirectory:
    def __init__(self, *dialogues: Any) -> None:
        self._dialogues = {d.id: d for d in dialogues or (DIALOGUE,)}

    async def commune(self, commune_id: str):
        return COMMUNE if commune_id == COMMUNE.id else None

    async def dialogue(self, commune_id: str, dialogue_id: str):
        return self._dialogues.get(dialogue_id) if commune_id == COMMUNE.id else None

    async def dialogues(self, commune_id: str):
        return list(self._dialogues.values())


class FakeItems:
    def __init__(self, items: list[dict] | None = None) -> None:
        self.rows: dict[str, dict] = {i["_id"]: {"commune_id": COMMUNE.id, **i} for i in items or []}

    async def merge(self, commune_id: str, submission_id: str, fields: dict) -> None:
        row = self.rows.setdefault(submission_id, {"_id": submission_id, "commune_id": commune_id})
        if "routing_revision" in fields and row.get("routing_revision", -1) >= fields["routing_revision"]:
            return
        row.update(fields)

    async def for_dialogue(self, commune_id: str, dialogue_id: str) -> list[dict]:
        return [dict(r) for r in self.rows.values() if r.get("dialogue_id") == dialogue_id]


class FakeDocuments:
    documents = "documents"

    def __init__(self, refuse: int = 0) -> None:
        self.stored: dict[str, tuple[dict, dict, Envelope]] = {}
        self._refuse = refuse  # versions taken by a concurrent issue

    async def latest_version(self, commune_id: str, dialogue_id: str, kind: str) -> int:
        return max((d["version"] for d, _, _ in self.stored.values() if d["kind"] == kind), default=0)

    async def store(self, doc: dict, files: dict[str, bytes], event: Envelope) -> bool:
        if self._refuse:
            self._refuse -= 1
            self.stored[doc["_id"]] = ({**doc, "issued_by": "someone else"}, files, event)
            return False
        if doc["_id"] in self.stored:
            return False
        self.stored[doc["_id"]] = (doc, files, event)
        return True

    async def for_dialogue(self, commune_id: str, dialogue_id: str) -> list[dict]:
        return [d for d, _, _ in self.stored.values() if d["dialogue_id"] == dialogue_id]

    async def issued_file(self, commune_id: str, document_id: str, fmt: str) -> bytes | None:
        found = self.stored.get(document_id)
        return found[1].get(fmt) if found else None


class FakeTasks:
    tasks, reminders = "tasks", "reminders"

    def __init__(self) -> None:
        self.rows: dict[str, dict] = {}
        self.events: list[Envelope] = []
        self.history: list[dict] = []
        self.sent: dict[str, Envelope] = {}

    async def create(self, commune_id: str, task: dict, event: Envelope) -> bool:
        if task["_id"] in self.rows:
            return False
        self.rows[task["_id"]] = {**task, "commune_id": commune_id, "revision": 0}
        self.events.append(event)
        return True

    async def get(self, commune_id: str, task_id: str) -> dict | None:
        row = self.rows.get(task_id)
        return dict(row) if row and row["commune_id"] == commune_id else None

    async def change_status(self, task: dict, status: str, event: Envelope, entry: dict) -> bool:
        row = self.rows[task["_id"]]
        if row["revision"] != task["revision"]:
            return False
        row.update(status=status, revision=task["revision"] + 1)
        self.events.append(event)
        self.history.append({"task_id": task["_id"], **entry})
        return True

    async def for_dialogue(self, commune_id: str, dialogue_id: str) -> list[dict]:
        return [dict(r) for _, r in sorted(self.rows.items()) if r["dialogue_id"] == dialogue_id]

    async def open_tasks(self, limit: int = 5000) -> list[dict]:
        reminded = ("assigned", "in_progress", "escalated")
        return [dict(r) for r in self.rows.values() if r["status"] in reminded][:limit]

    async def unresolved_before(self, commune_id: str, dialogue_ids: list[str]) -> list[dict]:
        return [
            dict(r)
            for r in self.rows.values()
            if r["dialogue_id"] in dialogue_ids and not FollowUpStatus(r["status"]).closed
        ]

    async def task_history(self, commune_id: str, task_id: str) -> list[dict]:
        return [h for h in self.history if h["task_id"] == task_id]

    async def histories(self, commune_id: str, task_ids: list[str]) -> list[dict]:
        return [h for h in self.history if h["task_id"] in task_ids]

    async def record_reminder(self, commune_id: str, reminder_id: str, event: Envelope) -> bool:
        if reminder_id in self.sent:
            return False
        self.sent[reminder_id] = event
        return True


class FakeNumbers:
    def __init__(self) -> None:
        self.seq: dict[tuple[str, str, str], int] = {}

    async def next(self, commune_id: str, term: str, type_code: str) -> int:
        key = (commune_id, term, type_code)
        self.seq[key] = self.seq.get(key, 0) + 1
        return self.seq[key]


class FakeOutbox:
    def __init__(self) -> None:
        self.flushed: list[tuple[str, str, str]] = []

    async def flush_document(self, collection: Any, commune_id: str, doc_id: str) -> int:
        self.flushed.append((collection, commune_id, doc_id))
        return 1


class FakeRenderer:
    def __init__(self) -> None:
        self.calls: list[dict] = []

    def render_one(self, kind: str, fmt: str, **context: Any) -> bytes:
        self.calls.append({"kind": kind, "fmt": fmt, **context})
        return f"{kind}.{fmt}".encode()

    def render_all(self, kind: str, **context: Any) -> tuple[dict[str, bytes], str]:
        self.calls.append({"kind": kind, **context})
        return {fmt: f"{kind}.{fmt}".encode() for fmt in ("html", "pdf", "docx")}, f"Tiêu đề {kind}"


def item(n: int, **fields: Any) -> dict:
    return {
        "_id": f"s{n}",
        "dialogue_id": DIALOGUE.id,
        "text": f"Ý kiến {n}",
        "hamlet": "ấp Chợ",
        "topic": 3,
        "topic_name": "Hạ tầng",
        "office_id": "phong-kinh-te",
        "office_name": "Phòng Kinh tế",
        "authority_level": "commune",
        "received_at": f"2017-03-{n:02d}T02:00:00Z",
        **fields,
    }


ITEMS = [
    item(1, cluster_id="s1"),
    item(2, cluster_id="s1"),  # the same issue as s1: one conclusion
    item(3, authority_level="province", authority_body="Sở Tài nguyên và Môi trường"),
    item(4, topic=None),  # still being classified: no conclusion
]


@pytest.fixture
def world():
    metrics = ReportingMetrics(CollectorRegistry())
    items, documents, tasks, outbox = FakeItems(ITEMS), FakeDocuments(), FakeTasks(), FakeOutbox()
    numbers, renderer, directory = FakeNumbers(), FakeRenderer(), FakeDirectory()
    docs = DocumentDeps(
        directory, items, documents, tasks, numbers, outbox, renderer, metrics, environment(), lambda: NOW
    )
    follow = FollowUpDeps(directory, items, tasks, outbox, metrics, 3, lambda: NOW)
    return docs, follow


def issue(kind: str = "thong-bao-ket-luan", **kw: Any) -> IssueDocument:
    return IssueDocument(COMMUNE.id, DIALOGUE.id, kind, "Văn phòng Đảng ủy", **kw)


# --- issuing ----------------------------------------------------------------------------------


async def test_issuing_the_notice_numbers_stores_publishes_and_opens_one_task_per_conclusion(world):
    docs, _ = world
    doc = await handlers.issue_document(docs, issue(issued_on=date(2017, 4, 5)))
    assert (doc["number"], doc["code"], doc["version"], doc["term"]) == (1, "01-TB/ĐU", 1, "2015-2020")
    assert doc["_id"] == "demo:demo-2017:thong-bao-ket-luan:v1" and "items" not in doc
    assert doc["links"]["pdf"] == "/api/v1/communes/demo/documents/demo:demo-2017:thong-bao-ket-luan:v1.pdf"
    stored, files, event = docs.documents.stored[doc["_id"]]
    assert stored["items"] == ["s1", "s2", "s3", "s4"] and set(files) == {"html", "pdf", "docx"}
    assert event.payload["kind"] == "thong-bao-ket-luan" and event.payload["title"] == doc["title"]
    statuses = sorted(t["status"] for t in docs.tasks.rows.values())
    assert statuses == ["assigned", "awaiting_higher_level"]  # s1+s2 merged; s3 goes to the province
    assert docs.tasks.rows["demo-2017:s1"]["submission_ids"] == ["s1", "s2"]
    assert ("documents", "demo", doc["_id"]) in docs.outbox.flushed
    assert sum(1 for c, _, _ in docs.outbox.flushed if c == "tasks") == 2

    again = await handlers.issue_document(docs, issue(issued_on=date(2017, 4, 6)))
    assert (again["number"], again["version"]) == (2, 2)
    assert len(docs.tasks.rows) == 2  # a reissue opens no task twice


async def test_the_radio_announcement_is_issued_unnumbered_and_opens_no_task(world):
    docs, _ = world
    doc = await handlers.issue_document(docs, issue("thong-bao-truyen-thanh"))
    assert (doc["number"], doc["code"]) == (None, "    -TB/ĐU")
    assert docs.numbers.seq == {} and docs.tasks.rows == {}
    assert doc["issued_on"] == "2017-04-05"  # today in the dialogue's time zone


async def test_a_version_taken_meanwhile_makes_the_issue_take_the_next(world):
    docs, _ = world
    docs = replace(docs, documents=FakeDocuments(refuse=1))
    doc = await handlers.issue_document(docs, issue("kien-nghi-cap-tren"))
    assert (doc["version"], doc["code"]) == (2, "01-CV/ĐU")


async def test_unknown_kind_and_unknown_dialogue_are_refused(world):
    docs, _ = world
    with pytest.raises(UnknownDocumentKind):
        await handlers.issue_document(docs, issue("thong-bao"))
    with pytest.raises(UnknownDocumentKind):
        await handlers.preview_document(docs, "nowhere", "x", "thong-bao", "html")
    with pytest.raises(NotFound):
        await handlers.issue_document(docs, replace(issue(), dialogue_id="demo-1999"))
    with pytest.raises(NotFound):
        await handlers.issued_file(docs, COMMUNE.id, "demo:demo-2017:giay-moi:v1", "pdf")
    assert docs.numbers.seq == {}


async def test_listing_shows_the_conclusion_notice_done_once_issued(world):
    docs, _ = world
    before = await handlers.list_documents(docs, COMMUNE.id, DIALOGUE.id)
    assert before["documents"] == [] and before["conclusion_notice"]["state"] != "done"
    doc = await handlers.issue_document(docs, issue())
    after = await handlers.list_documents(docs, COMMUNE.id, DIALOGUE.id)
    assert after["conclusion_notice"]["state"] == "done" and len(after["documents"]) == 1
    assert await handlers.issued_file(docs, COMMUNE.id, doc["_id"], "pdf") == b"thong-bao-ket-luan.pdf"


async def test_a_preview_is_a_draft_with_earlier_open_issues_carried_over(world):
    docs, _ = world
    earlier = DIALOGUE.model_copy(update={"id": "demo-2016", "year": 2016})
    docs = replace(docs, directory=FakeDirectory(DIALOGUE, earlier))
    docs.tasks.rows["demo-2016:x"] = {
        **item(9),
        "_id": "demo-2016:x",
        "dialogue_id": "demo-2016",
        "cluster_id": "x",
        "submission_ids": ["x1"],
        "status": "assigned",
        "commune_id": COMMUNE.id,
    }
    content = await handlers.preview_document(docs, COMMUNE.id, DIALOGUE.id, "bao-cao-tong-hop", "pdf")
    assert content == b"bao-cao-tong-hop.pdf"
    call = docs.renderer.calls[-1]
    assert call["number"] is None and [c["_id"] for c in call["carried_over"]] == ["x1"]
    assert call["carried_over"][0]["years_raised"] == [2016]


async def test_the_draft_notice_and_the_radio_text_are_counted(world):
    docs, _ = world
    assert await handlers.draft_conclusion_notice(docs, COMMUNE.id, DIALOGUE.id) == b"thong-bao-ket-luan.html"
    text = await handlers.radio_text(docs, COMMUNE.id, DIALOGUE.id)
    assert text.lstrip().startswith("THÔNG BÁO")
    renders = docs.metrics.renders
    assert renders.labels("demo", "thong-bao-ket-luan-du-thao")._value.get() == 1
    assert renders.labels("demo", "thong-bao-truyen-thanh")._value.get() == 1


# --- follow-up --------------------------------------------------------------------------------


async def _opened(world) -> tuple[FollowUpDeps, dict]:
    docs, follow = world
    await handlers.issue_document(docs, issue(issued_on=date(2017, 4, 5)))
    return follow, follow.tasks.rows["demo-2017:s1"]


def change(task_id: str, status: str, note: str | None = None) -> ChangeFollowUp:
    return ChangeFollowUp(COMMUNE.id, task_id, status, note, "Phòng Kinh tế")


async def test_a_status_change_follows_the_allowed_moves_and_is_recorded(world):
    follow, task = await _opened(world)
    with pytest.raises(ReasonRequired):
        await handlers.change_follow_up(follow, change(task["_id"], "rejected"), Viewer())
    with pytest.raises(BadTransition) as refused:
        await handlers.change_follow_up(follow, change(task["_id"], "assigned"), Viewer())
    assert refused.value.allowed[0] == "in_progress" and refused.value.current == "assigned"
    done = await handlers.change_follow_up(follow, change(task["_id"], "resolved", "Đã nạo vét"), Viewer())
    assert (done["status"], done["status_label"], done["overdue"]) == ("resolved", "Đã giải quyết", False)
    assert [h["status"] for h in done["history"]] == ["resolved"] and "outbox" not in done
    event = follow.tasks.events[-1]
    assert (event.payload["status"], event.payload["previous_status"], event.payload["revision"]) == (
        "resolved",
        "assigned",
        1,
    )
    with pytest.raises(BadTransition):
        await handlers.change_follow_up(follow, change(task["_id"], "in_progress"), Viewer())


async def test_a_change_on_a_stale_revision_is_refused(world):
    follow, task = await _opened(world)
    follow.tasks.rows[task["_id"]]["revision"] = 5  # changed meanwhile, after this caller read it

    class Stale(FakeTasks):
        async def get(self, commune_id: str, task_id: str) -> dict | None:
            return {**follow.tasks.rows[task_id], "revision": 4}

    stale = Stale()
    stale.rows = follow.tasks.rows
    with pytest.raises(TaskChanged):
        await handlers.change_follow_up(
            replace(follow, tasks=stale), change(task["_id"], "in_progress"), Viewer()
        )


async def test_office_staff_see_and_change_only_their_offices_tasks(world):
    follow, task = await _opened(world)
    other = Viewer(office_only=True, office_id="cong-an-xa")
    with pytest.raises(NotFound):
        await handlers.change_follow_up(follow, change(task["_id"], "in_progress"), other)
    board = await handlers.follow_up_board(follow, COMMUNE.id, DIALOGUE.id, other)
    assert board["tasks"] == [] and board["counts"] == {}
    own = await handlers.follow_up_board(
        follow, COMMUNE.id, DIALOGUE.id, Viewer(office_only=True, office_id="phong-kinh-te")
    )
    assert own["counts"] == {"assigned": 1, "awaiting_higher_level": 1}


async def test_the_scan_reminds_once_escalates_when_late_and_sets_the_gauge(world):
    follow, task = await _opened(world)
    due = date.fromisoformat(task["due"])
    assert await handlers.scan_follow_up(follow, due - timedelta(days=4)) == 0
    assert await handlers.scan_follow_up(follow, due - timedelta(days=1)) == 1  # due soon
    assert await handlers.scan_follow_up(follow, due - timedelta(days=1)) == 0  # never twice
    assert await handlers.scan_follow_up(follow, due + timedelta(days=1)) == 1  # overdue
    row = follow.tasks.rows[task["_id"]]
    assert row["status"] == "escalated" and follow.tasks.history[-1]["by"] == "system"
    assert await handlers.scan_follow_up(follow, due + timedelta(days=2)) == 0
    assert sorted(k.rsplit(":", 2)[1] for k in follow.tasks.sent) == ["due_soon", "overdue"]
    assert (
        follow.metrics.overdue_tasks.labels("demo")._value.get() == 1
    )  # the task awaiting the province is not scanned


# --- read model and open data -----------------------------------------------------------------


async def test_the_read_model_merges_both_events_in_any_order():
    items, metrics = FakeItems(), ReportingMetrics(CollectorRegistry())
    deps = ReadModelDeps(items, metrics)
    routed = SubmissionRoutedV1.model_validate(
        {
            "submission_id": "s9",
            "dialogue_id": DIALOGUE.id,
            "tracking_code": "DT-9",
            "kind": Kind.PETITION,
            "text": "Đèn đường hư",
            "hamlet": "ấp Chợ",
            "topic": 3,
            "topic_name": "Hạ tầng",
            "office_id": "phong-kinh-te",
            "office_name": "Phòng Kinh tế",
            "authority_level": "commune",
            "confidence": 0.9,
            "revision": 1,
        }
    )
    received = SubmissionReceivedV1.model_validate(
        {
            "submission_id": "s9",
            "dialogue_id": DIALOGUE.id,
            "tracking_code": "DT-9",
            "source": Source.CITIZEN,
            "kind": Kind.PETITION,
            "text": "Đèn đường hư",
            "hamlet": "ấp Chợ",
            "received_at": NOW,
        }
    )
    for payload, use_case in ((routed, handlers.project_routed), (received, handlers.project_received)):
        await use_case(deps, Envelope.wrap(payload, commune_id="demo", correlation_id="c"), payload)
    row = items.rows["s9"]
    assert (row["topic"], row["source"], row["routing_revision"]) == (3, "citizen", 1)
    assert metrics.updates.labels("demo", routed.routing_key())._value.get() == 1


async def test_open_data_shows_items_until_the_notice_then_its_tasks(world):
    docs, follow = world
    before = await handlers.open_data(follow, COMMUNE.id, DIALOGUE.id)
    assert [r["status"] for r in before.rows] == ["Đang tổng hợp"] * 3  # routed items only
    await handlers.issue_document(docs, issue(issued_on=date(2017, 4, 5)))
    after = await handlers.open_data(follow, COMMUNE.id, DIALOGUE.id)
    assert [(r["stt"], r["authority"], r["status"]) for r in after.rows] == [
        (1, "Cấp xã", "Đã giao"),
        (2, "Cấp tỉnh", "Chờ cấp trên giải quyết"),
    ]
    with pytest.raises(NotFound):
        await handlers.open_data(follow, COMMUNE.id, "demo-1999")
