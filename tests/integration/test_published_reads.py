"""What public views may say of a dialogue's submissions, read from the store as reporting reads
it (`services/reporting/published.py` over `MeetingRepository`'s targeted reads, the nx-27017
wire server): the same answer as reading the whole dialogue (`published_summaries`), scoped by
commune and dialogue, and counted in store commands: nothing reviewed reads no item, one
submission asked reads one, ten identical concurrent reads through the route share their reads."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from pymongo import AsyncMongoClient
from pymongo.monitoring import CommandFailedEvent, CommandListener, CommandStartedEvent, CommandSucceededEvent

from services.demo.seed import seed_demo
from services.reporting.handlers.open_data import published_summaries
from services.reporting.handlers.ports import MeetingDeps
from services.reporting.meeting_api import build_meeting_router
from services.reporting.meeting_repository import MEETINGS, MeetingRepository
from services.reporting.published import Masked, ReadLimits, published
from services.reporting.repository import ITEMS, ItemRepository
from shared.directory import DirectoryReader
from shared.http import install_error_handlers

COMMUNE, DIALOGUE = "demo", "demo-2017"
URL = f"/api/v1/communes/{COMMUNE}/dialogues/{DIALOGUE}/meeting/published"


class ItemReads(CommandListener):
    """The `find` commands sent to the read model's items."""

    def __init__(self) -> None:
        self.finds: list[dict[str, Any]] = []

    def started(self, event: CommandStartedEvent) -> None:
        if event.command_name == "find" and event.command.get("find") == ITEMS:
            self.finds.append(dict(event.command.get("filter") or {}))

    def succeeded(self, event: CommandSucceededEvent) -> None:
        pass

    def failed(self, event: CommandFailedEvent) -> None:
        pass


class OpenGuard:
    async def run(self, request: Any, path: str, name: str, inner: Any) -> Any:
        return await inner(request)


def routed(n: int, commune: str = COMMUNE, dialogue: str = DIALOGUE, **fields: Any) -> dict[str, Any]:
    return {
        "_id": f"{commune}-{dialogue}-{n:05d}",
        "commune_id": commune,
        "dialogue_id": dialogue,
        "tracking_code": f"DT-{commune[:2].upper()}{n:06d}",
        "text": f"Đường liên ấp {n} xuống cấp, gọi ông Nguyễn Văn Ba 0909123456",
        "hamlet": "ấp Chợ",
        "topic": 1 + n % 6,
        "received_at": f"2017-02-{1 + n % 28:02d}T02:00:{n % 60:02d}Z",
        "routed_at": f"2017-02-{1 + n % 28:02d}T02:01:{n % 60:02d}Z",
        "cluster_id": None,
        "duplicate_of": None,
        **fields,
    }


@pytest.fixture
async def store(mongodb_url: str) -> AsyncIterator[tuple[Any, ItemReads]]:
    reads = ItemReads()
    client: AsyncMongoClient = AsyncMongoClient(mongodb_url, event_listeners=[reads])
    db = client[f"t_pub_{uuid.uuid4().hex[:10]}"]
    await seed_demo(db)
    yield db, reads
    await client.drop_database(db.name)
    await client.close()


async def seed_items(db: Any, n: int) -> list[dict[str, Any]]:
    """`n` items of the demo dialogue: every fourth one of cluster c0001's first few, every
    ninth a duplicate of the one before; and items of another dialogue and another commune
    that name the same clusters (not the demo dialogue's issues)."""
    docs = []
    for k in range(n):
        fields: dict[str, Any] = {}
        if k % 4 == 1:
            fields["cluster_id"] = routed(1 + (k % 5) * 4)["_id"]
        elif k % 9 == 0 and k:
            fields["duplicate_of"] = routed(k - 1)["_id"]
        docs.append(routed(k, **fields))
    others = [routed(k, dialogue="demo-2016", cluster_id=docs[1]["cluster_id"]) for k in range(5)]
    others += [routed(k, commune="khac", cluster_id=docs[1]["cluster_id"]) for k in range(5)]
    for start in range(0, len(docs), 500):
        await db[ITEMS].insert_many(docs[start : start + 500])
    await db[ITEMS].insert_many(others)
    return docs


async def put_record(db: Any, summaries: dict[str, str], public: dict[str, bool], revision: int = 1) -> None:
    record = {"revision": revision, "summaries": summaries, "public": public, "locked": False}
    await db[MEETINGS].update_one(
        {"_id": f"{COMMUNE}:{DIALOGUE}", "commune_id": COMMUNE},
        {"$set": {**record, "dialogue_id": DIALOGUE}},
        upsert=True,
    )


def deps_of(db: Any) -> MeetingDeps:
    return MeetingDeps(DirectoryReader(db), ItemRepository(db), MeetingRepository(db), None, None)  # type: ignore[arg-type]


async def ours(deps: MeetingDeps, asked: list[str] | None = None) -> dict[str, Any]:
    """The answer without `offices`, the dialogue's naming of offices (the same on every answer;
    2017: the titles of that time, checked here)."""
    assert isinstance(deps.meetings, MeetingRepository)
    found = await published(deps.directory, deps.meetings, deps.meetings, COMMUNE, DIALOGUE, asked, Masked())
    assert (
        found.pop("offices")["Phòng Kinh tế"] == "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường"
    )
    return found


async def test_the_same_answer_as_reading_the_whole_dialogue_scoped_by_commune_and_dialogue(store):
    db, _ = store
    docs = await seed_items(db, 300)
    cluster = docs[1]["cluster_id"]
    summaries = {
        cluster: "Đường liên ấp xuống cấp, ĐT 0909123456",
        docs[8]["_id"]: "Cống nghẹt",
        docs[3]["_id"]: "",
    }
    await put_record(
        db, summaries, {docs[5]["cluster_id"]: False, docs[10]["_id"]: False, docs[12]["_id"]: True}
    )
    deps = deps_of(db)
    reference = await published_summaries(deps, COMMUNE, DIALOGUE)
    reference.pop("offices")
    answer = await ours(deps)
    assert answer == reference
    assert len(answer["summaries"]) > 10 and len(answer["withheld"]) > 10
    assert all(s.startswith(f"{COMMUNE}-{DIALOGUE}-") for s in [*answer["summaries"], *answer["withheld"]])
    assert "0909123456" not in str(answer)
    assert docs[3]["_id"] not in answer["summaries"]  # an empty summary is not reviewed
    asked = [
        docs[1]["_id"],
        docs[8]["_id"],
        docs[9]["_id"],
        docs[10]["_id"],
        docs[3]["_id"],
        "khac-demo-2017-00001",
    ]
    assert await ours(deps, asked) == {
        "dialogue_id": DIALOGUE,
        "summaries": {k: v for k, v in reference["summaries"].items() if k in asked},
        "withheld": [s for s in reference["withheld"] if s in asked],
    }


async def test_reads_only_what_the_answer_needs(store):
    db, reads = store
    docs = await seed_items(db, 2000)
    deps = deps_of(db)
    reads.finds.clear()
    assert await ours(deps) == {"dialogue_id": DIALOGUE, "summaries": {}, "withheld": []}
    assert await ours(deps, [docs[7]["_id"]]) == {"dialogue_id": DIALOGUE, "summaries": {}, "withheld": []}
    assert reads.finds == []  # nothing reviewed or withheld: no item read at all

    await put_record(db, {docs[7]["_id"]: "Cống trước chợ bị nghẹt"}, {})
    assert await ours(deps, [docs[7]["_id"]]) == {
        "dialogue_id": DIALOGUE,
        "summaries": {docs[7]["_id"]: "Cống trước chợ bị nghẹt"},
        "withheld": [],
    }
    assert reads.finds == [{"commune_id": COMMUNE, "dialogue_id": DIALOGUE, "_id": {"$in": [docs[7]["_id"]]}}]
    reads.finds.clear()
    assert (await ours(deps))["summaries"] == {docs[7]["_id"]: "Cống trước chợ bị nghẹt"}
    assert all(f["commune_id"] == COMMUNE and f["dialogue_id"] == DIALOGUE for f in reads.finds)
    # by cluster, by duplicated submission, by id: not the dialogue
    assert [sorted(f) for f in reads.finds] == [
        ["cluster_id", "commune_id", "dialogue_id"],
        ["commune_id", "dialogue_id", "duplicate_of"],
        ["_id", "commune_id", "dialogue_id"],
    ]


async def test_the_route_keeps_the_members_until_an_item_is_routed(store):
    db, reads = store
    docs = await seed_items(db, 500)
    cluster = docs[1]["cluster_id"]
    await put_record(db, {cluster: "Đường liên ấp xuống cấp"}, {})
    app = FastAPI()
    app.state.guard = OpenGuard()
    install_error_handlers(app)
    app.include_router(build_meeting_router(deps_of(db), ReadLimits()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        first = (await client.get(URL)).json()["summaries"]
        reads.finds.clear()
        assert (await client.get(URL)).json()["summaries"] == first
        assert len(reads.finds) == 1  # the mark only
        late = routed(9999, cluster_id=cluster, routed_at="2017-03-01T00:00:00Z")
        await db[ITEMS].insert_one(late)
        assert (await client.get(URL)).json()["summaries"] == {
            **first,
            late["_id"]: "Đường liên ấp xuống cấp",
        }
        await put_record(db, {cluster: "Đường liên ấp xuống cấp"}, {cluster: False}, revision=2)
        withheld = (await client.get(URL)).json()
        assert withheld["summaries"] == {} and late["_id"] in withheld["withheld"]
        assert len(withheld["withheld"]) == len(first) + 1


async def test_ten_identical_concurrent_reads_through_the_route_share_their_reads(store):
    db, reads = store
    docs = await seed_items(db, 1000)
    await put_record(db, {docs[1]["cluster_id"]: "Đường liên ấp xuống cấp"}, {docs[2]["_id"]: False})
    app = FastAPI()
    app.state.guard = OpenGuard()
    install_error_handlers(app)
    app.include_router(build_meeting_router(deps_of(db), ReadLimits()))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        reads.finds.clear()
        answers = await asyncio.gather(*[client.get(URL) for _ in range(10)])
    assert {a.status_code for a in answers} == {200}
    assert len({a.text for a in answers}) == 1
    assert answers[0].json()["withheld"] == [docs[2]["_id"]]
    # at most two reads (one on its way, one queued): the second keeps the members the first read
    assert len(reads.finds) <= (1 + 3) + 1
