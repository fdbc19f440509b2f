"""What public views may say of a dialogue's submissions (`services/reporting/published.py`):
the same answer as reading the whole dialogue (`handlers.open_data.published_summaries`, the
reference), computed from the items it needs only, with the review gate kept (nothing
unreviewed published, withheld issues withheld, personal data masked), and public reads bounded
(`PublicReads`, `ReadLimits`). In-memory fakes of test_reporting_handlers and test_meeting_record
(the demo commune, 2017 plan)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Collection
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from services.reporting import meeting_api
from services.reporting.handlers.errors import NotFound
from services.reporting.handlers.open_data import EraNames, published_summaries
from services.reporting.handlers.ports import MeetingDeps
from services.reporting.meeting_api import build_meeting_router
from services.reporting.published import (
    Busy,
    Masked,
    Materialised,
    PublicReads,
    ReadLimits,
    ScannedMembers,
    published,
)
from shared.http import install_error_handlers
from tests.unit.test_conclusion_deadline import OpenGuard
from tests.unit.test_meeting_record import FakeMeetings, FakeSubmissions
from tests.unit.test_reporting_handlers import (
    COMMUNE,
    DIALOGUE,
    NOW,
    FakeDirectory,
    FakeItems,
    FakeOutbox,
    item,
)

RECORD_ID = f"{COMMUNE.id}:{DIALOGUE.id}"


class CountingMembers:
    """Targeted reads over the fake store, as the Mongo repository queries them, counted."""

    def __init__(self, items: FakeItems) -> None:
        self.items = items
        self.by_issue: list[frozenset[str]] = []
        self.by_id: list[frozenset[str]] = []
        self.stamp: str | None = "2017-03-01T00:00:00+00:00"

    async def items_stamp(self, commune_id: str, dialogue_id: str) -> str | None:
        return self.stamp

    async def items_of_issues(self, commune_id: str, dialogue_id: str, keys: Collection[str]) -> list[dict]:
        self.by_issue.append(frozenset(keys))
        return [
            i
            for i in await self.items.for_dialogue(commune_id, dialogue_id)
            if i["commune_id"] == commune_id
            and any(i.get(f) in keys for f in ("cluster_id", "duplicate_of", "_id"))
        ]

    async def items_by_id(
        self, commune_id: str, dialogue_id: str, submission_ids: Collection[str]
    ) -> list[dict]:
        self.by_id.append(frozenset(submission_ids))
        return [
            i
            for i in await self.items.for_dialogue(commune_id, dialogue_id)
            if i["commune_id"] == commune_id and i["_id"] in submission_ids
        ]


def world(items: list[dict], record: dict | None = None) -> tuple[MeetingDeps, CountingMembers]:
    meetings = FakeMeetings()
    if record is not None:
        meetings.records[RECORD_ID] = {"_id": RECORD_ID, "commune_id": COMMUNE.id, **record}
    store = FakeItems(items)
    deps = MeetingDeps(FakeDirectory(), store, meetings, FakeSubmissions(), FakeOutbox(), lambda: NOW)
    return deps, CountingMembers(store)


async def ours(deps: MeetingDeps, members: Any, asked: Collection[str] | None = None) -> dict:
    """The answer without `offices`, the dialogue's naming of offices (the same on every answer:
    checked here once per call)."""
    found = await published(deps.directory, deps.meetings, members, COMMUNE.id, DIALOGUE.id, asked, Masked())
    assert found.pop("offices") == EraNames.of(COMMUNE, DIALOGUE).by_name()
    return found


def random_dialogue(rng: random.Random, n: int) -> tuple[list[dict], dict]:
    items: list[dict] = []
    for k in range(1, n + 1):
        fields: dict[str, Any] = {}
        roll = rng.random()
        if items and roll < 0.4:
            fields["cluster_id"] = rng.choice(items)["cluster_id"] or rng.choice(items)["_id"]
        elif roll < 0.55:
            fields["cluster_id"] = f"s{k}"  # the first of its cluster
        elif items and roll < 0.65:
            fields["duplicate_of"] = rng.choice(items)["_id"]
        items.append(item(k, cluster_id=fields.get("cluster_id"), duplicate_of=fields.get("duplicate_of")))
    keys = sorted({i["cluster_id"] or i["duplicate_of"] or i["_id"] for i in items} | {"s999", "gone"})
    summaries = {
        k: rng.choice(["", f"Vấn đề {k} đã rà soát", f"Ông Nguyễn Văn Ba {k}, 0909123456, đề nghị"])
        for k in rng.sample(keys, len(keys) // 2)
    }
    public = {k: rng.random() < 0.7 for k in rng.sample(keys, len(keys) // 3)}
    return items, {"revision": 3, "summaries": summaries, "public": public}


@pytest.mark.parametrize("seed", range(12))
async def test_the_same_answer_as_reading_the_whole_dialogue(seed):
    items, record = random_dialogue(random.Random(seed), 60)
    deps, members = world(items, record)
    reference = await published_summaries(deps, COMMUNE.id, DIALOGUE.id)
    reference.pop("offices")
    assert await ours(deps, members) == reference
    assert await ours(deps, ScannedMembers(deps.items)) == reference
    # asked for some submissions: the reference restricted to them
    asked = {i["_id"] for i in items[::7]} | {"s-unknown"}
    expected = {
        "dialogue_id": DIALOGUE.id,
        "summaries": {k: v for k, v in reference["summaries"].items() if k in asked},
        "withheld": [s for s in reference["withheld"] if s in asked],
    }
    assert await ours(deps, members, asked) == expected
    assert await ours(deps, ScannedMembers(deps.items), asked) == expected


async def test_nothing_reviewed_nor_withheld_reads_no_item():
    items = [item(k, cluster_id="s1" if k % 2 else None) for k in range(1, 50)]
    for record in (
        None,
        {"revision": 0},
        {"revision": 4, "summaries": {"s1": "", "s2": None}, "public": {"s1": True}},
    ):
        deps, members = world(items, record)
        assert await ours(deps, members) == {"dialogue_id": DIALOGUE.id, "summaries": {}, "withheld": []}
        assert await ours(deps, members, {"s1", "s3"}) == {
            "dialogue_id": DIALOGUE.id,
            "summaries": {},
            "withheld": [],
        }
        assert members.by_issue == [] and members.by_id == []


async def test_only_the_reviewed_or_withheld_issues_or_the_asked_submissions_are_read():
    items = [item(1, cluster_id="s1"), item(2, cluster_id="s1"), item(3), item(4, duplicate_of="s3"), item(5)]
    record = {
        "revision": 2,
        "summaries": {"s1": "Cống trước chợ bị nghẹt", "s5": ""},
        "public": {"s3": False},
    }
    deps, members = world(items, record)
    assert await ours(deps, members) == {
        "dialogue_id": DIALOGUE.id,
        "summaries": {"s1": "Cống trước chợ bị nghẹt", "s2": "Cống trước chợ bị nghẹt"},
        "withheld": ["s3", "s4"],
    }
    assert members.by_issue == [frozenset({"s1", "s3"})]  # s5's summary is empty: not reviewed
    assert await ours(deps, members, ["s2", "s4", "s5"]) == {
        "dialogue_id": DIALOGUE.id,
        "summaries": {"s2": "Cống trước chợ bị nghẹt"},
        "withheld": ["s4"],
    }
    assert members.by_id == [frozenset({"s2", "s4", "s5"})]


async def test_the_review_gate_holds_on_every_read_without_a_stale_copy():
    items = [
        item(1, cluster_id="s1", text="Nhà ông Lê Văn Tám số 12, gọi 0909123456"),
        item(2, cluster_id="s1"),
    ]
    deps, members = world(items, {"revision": 1, "summaries": {}, "public": {}})
    assert (await ours(deps, members))["summaries"] == {}  # the text as typed is never published
    record = deps.meetings.records[RECORD_ID]
    record.update(revision=2, summaries={"s1": "Ông Lê Văn Tám, ĐT 0909123456, đề nghị sửa cống"})
    first = await ours(deps, members)
    assert first["summaries"]["s1"] == first["summaries"]["s2"]
    assert "0909123456" not in str(first) and "[số điện thoại]" in first["summaries"]["s1"]
    record.update(revision=3, public={"s1": False})  # withheld: at once, on the next read
    assert await ours(deps, members) == {
        "dialogue_id": DIALOGUE.id,
        "summaries": {},
        "withheld": ["s1", "s2"],
    }
    record.update(revision=4, public={"s1": True}, summaries={"s1": ""})  # review withdrawn
    assert await ours(deps, members) == {"dialogue_id": DIALOGUE.id, "summaries": {}, "withheld": []}


async def test_an_unknown_commune_or_dialogue_is_not_found():
    deps, members = world([item(1)])
    with pytest.raises(NotFound):
        await published(deps.directory, deps.meetings, members, COMMUNE.id, "demo-1999")
    with pytest.raises(NotFound):
        await published(deps.directory, deps.meetings, members, "khac", DIALOGUE.id)


async def test_kept_members_serve_while_the_routing_mark_and_keys_hold(monkeypatch):
    items = [item(1, cluster_id="s1"), item(2, cluster_id="s1"), item(3)]
    record = {"revision": 2, "summaries": {"s1": "Cống trước chợ bị nghẹt"}, "public": {}}
    deps, members = world(items, record)
    kept = Materialised(members, max_age_s=60)
    assert (await ours(deps, kept))["summaries"] == {
        "s1": "Cống trước chợ bị nghẹt",
        "s2": "Cống trước chợ bị nghẹt",
    }
    assert (await ours(deps, kept))["summaries"] == {
        "s1": "Cống trước chợ bị nghẹt",
        "s2": "Cống trước chợ bị nghẹt",
    }
    assert len(members.by_issue) == 1  # kept: the same mark, the same keys

    # what is published follows the record at once: withheld, then the review withdrawn
    deps.meetings.records[RECORD_ID].update(revision=3, public={"s1": False})
    assert await ours(deps, kept) == {"dialogue_id": DIALOGUE.id, "summaries": {}, "withheld": ["s1", "s2"]}
    deps.meetings.records[RECORD_ID].update(revision=4, public={}, summaries={})
    assert await ours(deps, kept) == {"dialogue_id": DIALOGUE.id, "summaries": {}, "withheld": []}
    assert len(members.by_issue) == 1

    # a new item routed into the issue changes the mark: read again
    deps.meetings.records[RECORD_ID].update(
        revision=5, summaries={"s1": "Cống trước chợ bị nghẹt"}, public={}
    )
    await deps.items.merge(COMMUNE.id, "s4", item(4, cluster_id="s1", commune_id=COMMUNE.id))
    members.stamp = "2017-03-02T00:00:00+00:00"
    assert set((await ours(deps, kept))["summaries"]) == {"s1", "s2", "s4"}
    assert len(members.by_issue) == 2

    # one more issue reviewed: read for the new keys
    deps.meetings.records[RECORD_ID].update(revision=6, summaries={"s1": "Cống", "s3": "Đèn đường hư"})
    assert (await ours(deps, kept))["summaries"]["s3"] == "Đèn đường hư"
    assert members.by_issue[-1] == frozenset({"s1", "s3"}) and len(members.by_issue) == 3

    # kept no longer than max_age_s, whatever the mark says
    now = [1000.0]
    monkeypatch.setattr("services.reporting.published.clock.monotonic", lambda: now[0])
    kept = Materialised(members, max_age_s=10)
    await ours(deps, kept)
    now[0] += 9
    await ours(deps, kept)
    assert len(members.by_issue) == 4
    now[0] += 2
    await ours(deps, kept)
    assert len(members.by_issue) == 5

    # no mark (a store that cannot say): nothing kept
    members.stamp = None
    await ours(deps, kept)
    await ours(deps, kept)
    assert len(members.by_issue) == 7


def test_masking_is_kept_per_text_and_bounded():
    mask = Masked(size=2)
    assert mask("Gọi 0909123456") == "Gọi [số điện thoại]"
    assert mask("") == ""
    mask("b")
    assert len(mask._texts) == 2


# --- bounded reads ------------------------------------------------------------------------------


async def test_identical_concurrent_reads_share_one_read():
    calls = 0
    gate = asyncio.Event()

    async def read(key: tuple[str, str]) -> str:
        nonlocal calls
        calls += 1
        await gate.wait()
        return f"answer {key[1]}"

    reads = PublicReads(read, ReadLimits())
    waiting = [asyncio.create_task(reads.get(("demo", "demo-2017"))) for _ in range(10)]
    await asyncio.sleep(0.01)
    gate.set()
    assert await asyncio.gather(*waiting) == ["answer demo-2017"] * 10
    assert calls <= 2  # one on its way, and one sent after the callers that came meanwhile


async def test_one_commune_flood_does_not_hold_back_another_commune():
    release = asyncio.Event()
    started: list[str] = []

    async def read(key: tuple[str, int]) -> str:
        started.append(key[0])
        if key[0] == "flooded":
            await release.wait()
        return key[0]

    reads = PublicReads(read, ReadLimits(total=3, per_commune=2, wait_s=5))
    flood = [asyncio.create_task(reads.get(("flooded", n))) for n in range(10)]
    await asyncio.sleep(0.01)
    assert started.count("flooded") == 2  # the rest wait behind their own commune
    assert await asyncio.wait_for(reads.get(("other", 0)), 1) == "other"
    release.set()
    assert await asyncio.gather(*flood) == ["flooded"] * 10


async def test_a_read_that_cannot_start_in_time_is_busy():
    release = asyncio.Event()

    async def read(key: tuple[str, int]) -> int:
        await release.wait()
        return key[1]

    reads = PublicReads(read, ReadLimits(total=4, per_commune=1, wait_s=0.05, retry_after_s=7))
    first = asyncio.create_task(reads.get(("demo", 1)))
    await asyncio.sleep(0.01)
    with pytest.raises(Busy) as busy:
        await reads.get(("demo", 2))
    assert busy.value.retry_after_s == 7
    release.set()
    assert await first == 1
    assert await reads.get(("demo", 3)) == 3  # the slot is free again


# --- the route ------------------------------------------------------------------------------------


@pytest.fixture
def client():
    items = [item(1, cluster_id="s1"), item(2, cluster_id="s1"), item(3)]
    record = {"revision": 2, "summaries": {"s1": "Cống trước chợ, ĐT 0909123456"}, "public": {"s3": False}}
    deps, _ = world(items, record)
    app = FastAPI()
    app.state.guard = OpenGuard()
    install_error_handlers(app)
    app.include_router(build_meeting_router(deps, ReadLimits()))
    with TestClient(app) as test_client:
        yield test_client


URL = f"/api/v1/communes/{COMMUNE.id}/dialogues/{DIALOGUE.id}/meeting/published"


def test_the_route_answers_the_dialogue_or_the_submissions_asked(client):
    whole = client.get(URL)
    assert whole.status_code == 200
    assert whole.json() == {
        "dialogue_id": DIALOGUE.id,
        "summaries": {"s1": "Cống trước chợ, ĐT [số điện thoại]", "s2": "Cống trước chợ, ĐT [số điện thoại]"},
        "withheld": ["s3"],
        "offices": EraNames.of(COMMUNE, DIALOGUE).by_name(),
    }
    asked = client.get(URL, params={"submission_id": "s2, s3,s9"})
    assert asked.json() == {
        "dialogue_id": DIALOGUE.id,
        "summaries": {"s2": "Cống trước chợ, ĐT [số điện thoại]"},
        "withheld": ["s3"],
        "offices": EraNames.of(COMMUNE, DIALOGUE).by_name(),
    }
    assert client.get(URL, params={"submission_id": ""}).json()["summaries"] == {}
    assert client.get(URL.replace(DIALOGUE.id, "demo-1999")).status_code == 404


def test_the_route_refuses_more_than_200_submissions(client):
    response = client.get(URL, params={"submission_id": ",".join(f"s{n}" for n in range(201))})
    assert response.status_code == 422
    [detail] = response.json()["detail"]
    assert detail["field"] == "query.submission_id"


def test_a_busy_read_is_a_503_with_retry_after(monkeypatch):
    async def busy(*args: Any) -> Any:
        raise Busy(5)

    monkeypatch.setattr(meeting_api, "published", busy)
    deps, _ = world([item(1)])
    app = FastAPI()
    app.state.guard = OpenGuard()
    install_error_handlers(app)
    app.include_router(build_meeting_router(deps, ReadLimits()))
    with TestClient(app) as test_client:
        response = test_client.get(URL)
    assert response.status_code == 503 and response.headers["retry-after"] == "5"
    assert response.json()["error"] == "busy"
