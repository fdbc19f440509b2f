"""Reporting's use cases over in-memory fakes: issuing (numbers, versions, follow-up tasks),
status changes, the reminder scan, the read-model merge, the items intake holds unrouted, and
open data.

Fakes: the stores, the number register and the outbox are dicts and lists, so each rule is
checked without a broker or a database (the Mongo repositories and the real wiring are covered
by tests/integration/test_followup.py); the renderer returns fixed bytes, since what a document
prints is tested in test_documents.py; the directory holds the demo commune and its 2017 plan."""

from __future__ import annotations

from collections.abc import Sequence
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
    ItemsIncomplete,
    NotFound,
    ReadModelDeps,
    ReasonRequired,
    TaskChanged,
    UnknownDocumentKind,
    Viewer,
)
from services.reporting.metrics import ReportingMetrics
from services.reporting.radio import environment
from services.reporting.unrouted import Unrouted
from shared.contracts import (
    Envelope,
    FollowUpStatus,
    Kind,
    Organisation,
    Source,
    SubmissionRoutedV1,
)
from shared.errors import TransientError

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

    async def deadline_marks(self, commune_id: str, dialogue_id: str) -> dict[str, dict]:
        return {}


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

    async def take_over(self, commune_id: str, task_ids: list[str], by: dict) -> int:
        marked = 0
        for task_id in task_ids:
            row = self.rows.get(task_id)
            if row and row["commune_id"] == commune_id:
                if row.get("superseded_by", by)["task_id"] == by["task_id"]:
                    row.update(superseded_by=by, revision=row["revision"] + 1)
                    marked += 1
        return marked

    async def change_status(self, task: dict, status: str, event: Envelope, entry: dict) -> bool:
        row = self.rows[task["_id"]]
        if row["revision"] != task["revision"]:
            return False
        row.update(status=status, revision=task["revision"] + 1)
        self.events.append(event)
        self.history.append({"task_id": task["_id"], **entry})
        return True

    async def for_dialogue(
        self, commune_id: str, dialogue_id: str, submission_ids: Sequence[str] | None = None
    ) -> list[dict]:
        asked = None if submission_ids is None else set(submission_ids)
        return [
            dict(r)
            for _, r in sorted(self.rows.items())
            if r["dialogue_id"] == dialogue_id and (asked is None or asked & set(r["submission_ids"]))
        ]

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


def deps_over(items: list[dict[str, Any]]) -> tuple[DocumentDeps, FollowUpDeps]:
    """Documents' and follow-up's use cases over in-memory fakes holding `items`, sharing them."""
    metrics = ReportingMetrics(CollectorRegistry())
    fakes, tasks, outbox, directory = FakeItems(items), FakeTasks(), FakeOutbox(), FakeDirectory()
    docs = DocumentDeps(
        directory,
        fakes,
        FakeDocuments(),
        tasks,
        FakeNumbers(),
        outbox,
        FakeRenderer(),
        metrics,
        environment(),
        lambda: NOW,
    )
    return docs, FollowUpDeps(directory, fakes, tasks, outbox, metrics, 3, lambda: NOW)


@pytest.fixture
def world():
    return deps_over(ITEMS)


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


def routed_event(revision: int = 0, **fields: Any) -> SubmissionRoutedV1:
    return SubmissionRoutedV1.model_validate(
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
            "revision": revision,
            **fields,
        }
    )


async def test_the_read_model_takes_the_received_facts_from_the_routed_event():
    items, metrics = FakeItems(), ReportingMetrics(CollectorRegistry())
    deps = ReadModelDeps(items, metrics)
    first = routed_event(
        source=Source.MASS_ORGANISATION, organisation=Organisation.FARMERS_UNION, received_at=NOW
    )
    # a staff change to a decision stored before routing carried the received facts: none set
    change = routed_event(1, topic=4, topic_name="Môi trường", change="reclassified")
    for payload in (first, change, first):  # a late copy of the first revision changes nothing
        await handlers.project_routed(
            deps, Envelope.wrap(payload, commune_id="demo", correlation_id="c"), payload
        )
    row = items.rows["s9"]
    assert (row["topic"], row["routing_revision"]) == (4, 1)
    assert (row["source"], row["organisation"], row["received_at"]) == (
        "mass_organisation",
        "farmers_union",
        "2017-04-05T03:00:00.000000Z",
    )
    assert metrics.updates.labels("demo", first.routing_key())._value.get() == 3


class FakeIntake:
    """Intake's internal API as reporting reads it: the unrouted submissions it holds, the received
    facts of named ones, or no answer at all (`down`)."""

    def __init__(
        self, unrouted: list[dict] = (), complete: bool = True, known: list[dict] = (), down: bool = False
    ) -> None:
        self._unrouted, self._complete, self._down = list(unrouted), complete, down
        self._known = {f["id"]: f for f in [*unrouted, *known]}
        self.asked: list[list[str]] = []

    async def unrouted(self, commune_id: str, dialogue_id: str) -> Unrouted:
        if self._down:
            raise TransientError("intake API unavailable: ConnectError")
        return Unrouted(tuple(self._unrouted), self._complete)

    async def received(self, commune_id: str, dialogue_id: str, submission_ids: list[str]) -> list[dict]:
        self.asked.append(list(submission_ids))
        return [self._known[i] for i in submission_ids if i in self._known]


def facts(n: int, **fields: Any) -> dict:
    return {
        "id": f"s{n}",
        "dialogue_id": DIALOGUE.id,
        "tracking_code": f"DT-{n}",
        "source": "citizen",
        "organisation": None,
        "kind": "petition",
        "text": f"Ý kiến {n}",
        "hamlet": "ấp Chợ",
        "received_at": f"2017-03-{n:02d}T02:00:00.000000Z",
        **fields,
    }


async def test_the_dialogue_items_are_the_read_models_with_what_intake_holds_unrouted(world):
    docs, _ = world
    # s5 is intake's alone; s4 is in the read model unclassified (received before routed events
    # carried the facts); s1 is routed but intake has not recorded it yet: the read model's.
    intake = FakeIntake([facts(5, source="hamlet_party_cell"), facts(4), facts(1)])
    docs = replace(docs, intake=intake)
    rows = await handlers.dialogue_items(docs, COMMUNE.id, DIALOGUE.id)
    assert [r["_id"] for r in rows] == ["s1", "s2", "s3", "s4", "s5"]
    assert rows[0]["topic"] == 3 and rows[4].get("topic") is None and rows[4]["source"] == "hamlet_party_cell"
    body = await handlers.issuing_readiness(docs, COMMUNE.id, DIALOGUE.id, "thong-bao-ket-luan")
    assert next(p for p in body["problems"] if p["code"] == "not_classified")["count"] == 2
    await handlers.preview_document(docs, COMMUNE.id, DIALOGUE.id, "bao-cao-tong-hop", "html")
    assert [i["_id"] for i in docs.renderer.calls[-1]["items"]] == ["s1", "s2", "s3", "s4", "s5"]
    assert "s5" not in docs.items.rows  # listed, not stored: its routed event will bring it
    assert intake.asked == []  # every stored item has its received facts


async def test_an_item_routed_without_the_received_facts_gets_them_from_intake_once(world):
    docs, _ = world
    del docs.items.rows["s2"]["received_at"]  # routed by a routing that did not carry them
    intake = FakeIntake(known=[facts(2, source="fatherland_front")])
    docs = replace(docs, intake=intake)
    rows = await handlers.dialogue_items(docs, COMMUNE.id, DIALOGUE.id)
    s2 = next(r for r in rows if r["_id"] == "s2")
    assert (s2["source"], s2["received_at"], s2["topic"]) == (
        "fatherland_front",
        "2017-03-02T02:00:00.000000Z",
        3,
    )
    assert docs.items.rows["s2"]["source"] == "fatherland_front" and intake.asked == [["s2"]]
    await handlers.dialogue_items(docs, COMMUNE.id, DIALOGUE.id)
    assert intake.asked == [["s2"]]  # stored: not asked again


async def test_without_intakes_list_nothing_is_built_from_part_of_the_dialogue(world):
    docs, _ = world
    down = replace(docs, intake=FakeIntake(down=True))
    for call in (
        handlers.dialogue_items(down, COMMUNE.id, DIALOGUE.id),
        handlers.preview_document(down, COMMUNE.id, DIALOGUE.id, "bao-cao-tong-hop", "html"),
        handlers.issue_document(down, issue()),
        handlers.issuing_readiness(down, COMMUNE.id, DIALOGUE.id, "thong-bao-ket-luan"),
    ):
        with pytest.raises(ItemsIncomplete) as refused:
            await call
        assert "đang phân loại" in refused.value.message_vi
    assert docs.numbers.seq == {} and docs.documents.stored == {}  # nothing numbered, nothing issued
    partial = replace(docs, intake=FakeIntake([facts(5), facts(6)], complete=False))
    with pytest.raises(ItemsIncomplete) as refused:
        await handlers.draft_conclusion_notice(partial, COMMUNE.id, DIALOGUE.id)
    assert refused.value.message_vi.startswith("Còn hơn 2 ý kiến đang chờ phân loại")


async def test_open_data_shows_items_until_the_notice_then_its_tasks(world):
    docs, follow = world
    before = await handlers.open_data(follow, COMMUNE.id, DIALOGUE.id)
    assert [r["status"] for r in before.rows] == ["Đang tổng hợp"] * 2  # routed items' issues only
    await handlers.issue_document(docs, issue(issued_on=date(2017, 4, 5)))
    after = await handlers.open_data(follow, COMMUNE.id, DIALOGUE.id)
    assert [(r["stt"], r["authority"], r["status"]) for r in after.rows] == [
        (1, "Cấp xã", "Đã giao"),
        (2, "Cấp tỉnh", "Chờ cấp trên giải quyết"),
    ]
    with pytest.raises(NotFound):
        await handlers.open_data(follow, COMMUNE.id, "demo-1999")
