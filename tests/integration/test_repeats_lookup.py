"""Routing's look-up of earlier items in the store, through the repeat index: every read is an
`_id` read (on the wire store, which uses no index for arrays, as on real MongoDB), a look-up
reads the same few documents however many items the commune stored, the store decides what the
in-memory twin (`doithoai classify`) decides, and a redelivered event counts nothing twice."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from pymongo import monitoring

from services.demo.seed import demo_commune, demo_dialogue
from services.routing import repeat_index
from services.routing.changes import ChangeIn
from services.routing.classifier import RuleSet
from services.routing.handlers import RoutingDeps, apply_routing_change, record_answer, route
from services.routing.memory import FixedRules, InMemoryDecisions, InMemoryDirectory, RecordedEvents
from services.routing.repository import DECISIONS, REPEATS, DecisionRepository
from shared.contracts import Envelope, Kind, Source, SubmissionReceivedV1
from shared.mongo import StoreOperations, create_client, database

pytestmark = pytest.mark.integration
RULES = RuleSet.load_default()
ROAD = "Lộ đal ấp Rạch Tràm bể nát, bà con đồng ý góp tiền làm lại, đề nghị xã sớm triển khai."
THEFT = "Trộm cắp xe máy ban đêm ở đầu ấp Chợ, đề nghị công an xã tăng cường tuần tra."
TRASH = "Xe gom rác một tuần mới tới một lần, rác để lâu bốc mùi ở ấp Kênh Xáng."
VARIANTS = (
    "lo dal ap Rach Tram be nat lam r, ba con dong y gop tien ma xa chua trien khai",
    "Lộ đal Rạch Tràm bể nát vẫn chưa làm, bà con đã góp tiền.",
    "Lộ đal ấp Rạch Tràm bể nát nhiều đoạn, bà con góp tiền rồi mà chưa thấy làm.",
)
UNRELATED = (
    "Đất nhà tôi bị hàng xóm lấn ranh, đã lên xã {n} lần mà chưa giải quyết.",
    "Hồ sơ khai sinh nộp {n} tuần chưa trả kết quả, đề nghị một cửa trả lời.",
    "Trạm y tế thiếu thuốc, người cao tuổi đi khám {n} lần không có thuốc.",
    "Cống thoát nước số {n} bị nghẹt, mưa là ngập cả xóm.",
)


class Commands(StoreOperations):
    """Every `find` the client sends: its collection and filter."""

    def __init__(self) -> None:
        super().__init__()
        self.finds: list[tuple[str, dict]] = []

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find":
            self.finds.append((event.command["find"], dict(event.command.get("filter") or {})))


def deps_over(decisions) -> RoutingDeps:
    return RoutingDeps(
        decisions=decisions,
        events=RecordedEvents(),
        directory=InMemoryDirectory([demo_commune()], [demo_dialogue()]),
        rules=FixedRules(RULES),
        review_threshold=0.5,
    )


def received(
    submission_id: str, text: str, hamlet: str | None = None
) -> tuple[Envelope, SubmissionReceivedV1]:
    payload = SubmissionReceivedV1(
        submission_id=submission_id,
        dialogue_id=demo_dialogue().id,
        tracking_code=f"DT-{submission_id}",
        source=Source.CITIZEN,
        kind=Kind.PETITION,
        text=text,
        hamlet=hamlet,
        received_at=datetime(2017, 3, 1, tzinfo=timezone.utc),
    )
    return Envelope.wrap(payload, commune_id="demo", correlation_id=f"c-{submission_id}"), payload


def items(count: int) -> list[tuple[str, str, str | None]]:
    """A mix: unrelated petitions and, every fifth, a repeat of the road petition."""
    mixed = []
    for n in range(count):
        if n % 5 == 0:
            mixed.append((f"R{n}", VARIANTS[n % 3] if n else ROAD, "ấp Rạch Tràm"))
        else:
            mixed.append((f"U{n}", UNRELATED[n % 4].format(n=n), "ấp Chợ"))
    return mixed


@pytest.fixture
async def store(make_settings):
    settings = make_settings()
    commands = Commands()
    client = create_client(settings, commands)
    repo = DecisionRepository(database(client, settings), repeat_index.Limits(clusters_per_key=8, earlier=5))
    yield repo, commands
    await client.drop_database(settings.mongodb_db)
    await client.close()


async def route_each(deps: RoutingDeps, mixed) -> list:
    out = []
    for submission_id, text, hamlet in mixed:
        envelope, payload = received(submission_id, text, hamlet)
        out.append((await route(deps, envelope, payload)).decision)
    return out


def summary(decisions) -> list[tuple]:
    return [
        (
            d.submission_id,
            d.cluster_id,
            d.duplicate_of,
            d.times_raised,
            d.years_raised,
            [e.submission_id for e in d.earlier],
        )
        for d in decisions
    ]


async def test_the_store_decides_what_the_in_memory_twin_decides_with_id_reads_only(store):
    repo, commands = store
    mixed = items(40)
    in_store = await route_each(deps_over(repo), mixed)
    in_memory = await route_each(deps_over(InMemoryDecisions(repo._repeats.limits)), mixed)
    assert summary(in_store) == summary(in_memory)
    road = [d for d in in_store if d.submission_id.startswith("R")]
    assert {d.cluster_id for d in road} == {"R0"} and road[-1].times_raised == 8
    assert len(road[-1].earlier) in (5, 6)  # the first 5 listed, and the matched one if not among them
    # Not one read of the decisions to link an item, every read of the index by `_id`.
    assert all(collection == REPEATS for collection, _ in commands.finds), commands.finds
    assert all(set(where) == {"_id"} for _, where in commands.finds)
    # The index stays within its bounds.
    docs = await repo.repeats.find({}).to_list()
    keys = [d for d in docs if d["_id"].startswith("k|")]
    clusters = {d["_id"]: d for d in docs if d["_id"].startswith("c|")}
    assert max(len(d["c"]) for d in keys) <= repo._repeats.limits.trim_above
    road_cluster = clusters[repeat_index.cluster_doc_id("demo", "R0")]
    road_members = {d["_id"]: d for d in docs}[repeat_index.members_doc_id("demo", "R0")]
    assert (road_cluster["n"], road_members["m"], len(road_members["members"])) == (8, 5, 5)
    assert len(road_cluster["reps"]) == 3 and road_cluster["latest"]["s"] == "R35"


async def test_a_look_up_reads_the_same_few_documents_however_many_items_are_stored(store):
    repo, commands = store
    deps = deps_over(repo)
    costs = []
    for stored in (10, 150):
        await route_each(
            deps, [(f"S{stored}-{n}", text, hamlet) for n, (_, text, hamlet) in enumerate(items(stored))]
        )
        commands.finds.clear()
        [decision] = await route_each(deps, [(f"new-{stored}", VARIANTS[1], "ấp Rạch Tràm")])
        assert decision.duplicate_of is not None
        returned = 0
        for collection, where in commands.finds:
            returned += len(where["_id"]["$in"])
        costs.append((len(commands.finds), returned))
    assert costs[0][0] == costs[1][0] == 3  # band keys, the best clusters, the matched one's members
    limits = repo._repeats.limits
    assert all(ids <= 32 + limits.clusters_per_lookup + 1 for _, ids in costs)


async def test_a_redelivered_event_counts_nothing_twice_and_concurrent_look_ups_share_reads(store):
    repo, commands = store
    deps = deps_over(repo)
    await route_each(deps, [("R1", ROAD, "ấp Rạch Tràm"), ("R2", VARIANTS[0], "ấp Rạch Tràm")])
    envelope, payload = received("R2", VARIANTS[0], "ấp Rạch Tràm")
    again = await route(deps, envelope, payload)
    assert again.stored is None
    cluster = await repo.cluster("demo", "R1")
    assert (
        cluster is not None
        and cluster.count == 2
        and [m.submission_id for m in cluster.members] == ["R1", "R2"]
    )

    commands.finds.clear()
    texts = [(f"C{n}", VARIANTS[n % 3], "ấp Rạch Tràm") for n in range(6)]
    decided = await asyncio.gather(*(route(deps, *received(i, t, h)) for i, t, h in texts))
    assert all(d.decision.cluster_id == "R1" for d in decided)
    assert len(commands.finds) < 2 * len(texts)  # reads made at the same moment went together
    assert (await repo.cluster("demo", "R1")).count == 8


async def test_merge_answer_and_split_keep_the_index_in_step(store):
    repo, _ = store
    deps = deps_over(repo)
    await route_each(
        deps, [("A1", ROAD, "ấp Rạch Tràm"), ("T1", THEFT, "ấp Chợ"), ("G1", TRASH, "ấp Kênh Xáng")]
    )
    await record_answer(deps, "demo", "A1", "Xã đã đưa vào kế hoạch quý 3.", "Hoa")
    merged = await apply_routing_change(
        deps, "demo", "T1", ChangeIn(action="merge", into="A1", reason="cùng vụ việc"), "Hoa"
    )
    assert (merged.cluster_id, merged.times_raised) == ("A1", 2)
    assert [(e.submission_id, e.answer) for e in merged.earlier] == [("A1", "Xã đã đưa vào kế hoạch quý 3.")]
    cluster = await repo.cluster("demo", "A1")
    assert cluster.count == 2 and [m.submission_id for m in cluster.members] == ["A1", "T1"]
    assert (await repo.cluster("demo", "T1")).count == 0  # it left the cluster it started

    split = await apply_routing_change(
        deps, "demo", "T1", ChangeIn(action="split", reason="khác vụ việc"), "Hoa"
    )
    assert (await repo.cluster("demo", "A1")).count == 1
    assert (await repo.cluster("demo", split.cluster_id)).count == 1
    assert await repo.decisions.count_documents({}) == 3 and DECISIONS == repo.decisions.name


async def test_a_store_from_before_the_index_gets_it_built_at_start_up(store):
    repo, _ = store
    await route_each(deps_over(repo), items(25))
    before = {c: await repo.cluster("demo", c) for c in ("R0", "U1", "U2")}
    assert await repo.build_index() == 0  # there is one: nothing to do
    await repo.repeats.drop()
    await repo.ensure_indexes()
    after = {c: await repo.cluster("demo", c) for c in ("R0", "U1", "U2")}
    assert after == before and after["R0"].count == 5
    [decision] = await route_each(deps_over(repo), [("again", VARIANTS[2], "ấp Rạch Tràm")])
    assert (decision.cluster_id, decision.times_raised) == ("R0", 6)


async def test_a_band_key_found_over_its_bound_is_trimmed_by_the_next_stored_item(store):
    repo, _ = store  # clusters_per_key=8: trimmed once over 12
    key = repeat_index.key_id("demo", "b00:common")
    await repo.repeats.insert_one({"_id": key, "c": [f"old{n}" for n in range(20)]})
    clusters = await repo.clusters_sharing("demo", ("b00:common",))
    assert clusters == []  # no cluster document for those ids: nothing to compare with
    await route_each(deps_over(repo), [("T1", THEFT, "ấp Chợ")])  # stores an item of that commune
    held = (await repo.repeats.find_one({"_id": key}))["c"]
    assert held == [f"old{n}" for n in range(12, 20)]  # the latest 8 kept


async def test_identical_petitions_routed_at_the_same_moment_join_one_issue(store):
    """A burst into an empty commune: every look-up reads the index before any item is stored,
    yet all of them join the first one's issue, each counted once."""
    repo, _ = store
    deps = deps_over(repo)
    texts = [(f"B{n:02d}", ROAD, "ấp Rạch Tràm") for n in range(12)]
    decided = await asyncio.gather(*(route(deps, *received(i, t, h)) for i, t, h in texts))
    assert {d.decision.cluster_id for d in decided} == {"B00"}
    assert sorted(d.decision.times_raised for d in decided) == list(range(1, 13))
    cluster = await repo.cluster("demo", "B00")
    assert cluster is not None and cluster.count == 12
    listed = [m.submission_id for m in cluster.members]
    assert len(listed) == 5 and listed[0] == "B00"  # the first listed (earlier=5)
    assert await repo.repeats.count_documents({"_id": {"$regex": "^c\\|"}}) == 1
    [after] = await route_each(deps, [("later", VARIANTS[2], "ấp Rạch Tràm")])
    assert (after.cluster_id, after.times_raised) == ("B00", 13)


async def test_a_long_burst_into_one_issue_counts_each_item_once(store):
    """24 at a time, 120 near-identical petitions, far beyond the 5 members listed: items whose
    index writes land while other look-ups are between reading the band keys and reading the
    cluster are in the count those look-ups read, and are not counted a second time, so the
    times raised run 1 to 120, each once."""
    repo, _ = store
    deps = deps_over(repo)
    endings = (".", "!", " ạ.", "..", " nhé.", "")
    queue = [(f"W{n:03d}", ROAD.rstrip(".") + endings[n % 6], "ấp Rạch Tràm") for n in range(120)]
    decided: list = []

    async def worker() -> None:
        while queue:
            submission_id, text, hamlet = queue.pop(0)
            decided.append((await route(deps, *received(submission_id, text, hamlet))).decision)

    await asyncio.gather(*(worker() for _ in range(24)))
    assert {d.cluster_id for d in decided} == {"W000"}
    assert sorted(d.times_raised for d in decided) == list(range(1, 121))
    cluster = await repo.cluster("demo", "W000")
    assert cluster is not None and cluster.count == 120
