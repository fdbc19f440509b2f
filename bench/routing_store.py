"""Routing against a store that already holds a commune's history: the look-up of earlier items
and routing's rate with 0, 10,000 and 100,000 items stored in one commune, and a flood of
near-identical petitions (a hamlet meeting filing the same complaint many times).

The history is seeded in bulk straight into routing's collections (`routing_decisions` and the
repeat index `routing_repeats`, written by the same `repeat_index` rules routing applies), on a
wire-protocol store of its own (nx-27017, as `make run` and the tests use). Texts are the
synthetic petitions of `bench.bench_routing`, a fifth of them near-duplicates of an earlier one
(same issue, other words around it, typed without diacritics). Each seeded item is linked to
earlier ones by routing's own rules over the index built so far (`linked`), so the history holds
the clusters routing would have made: the same complaint of a hamlet is one issue raised many
times, as in a commune's real store. Then new petitions go through
routing's own use case (`handlers.route`: classify, look up, store) over the MongoDB repository:
sequentially for the look-up's cost, and 32 at a time (the consumer's prefetch) for the rate.
Every size is seeded first; then the sizes route their petitions in turns (`route_alternately`),
so a change in the machine's speed during the run does not fall on one size alone.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient, monitoring

from services.demo.seed import demo_commune, demo_dialogue
from services.local.wire_store import start_wire_store
from services.routing import repeat_index
from services.routing.classifier import RuleSet
from services.routing.handlers import RoutingDeps, link, route
from services.routing.logic import decide
from services.routing.memory import FixedRules, InMemoryDirectory, RecordedEvents
from services.routing.recurrence import Fingerprint, best_match, fingerprint
from services.routing.repository import DECISIONS, REPEATS, DecisionRepository
from shared.contracts import Envelope, Kind, Source, SubmissionReceivedV1

COMMUNE = "demo"
CONCURRENCY = 32
# The curve's routing is done in this many parts per size, the sizes taking turns.
ROUNDS = 5
SEED_CHUNK = 5_000
NEAR_DUPLICATE_SHARE = 0.2
FLOOD_TEMPLATE = (
    "Bà con ấp Rạch Tràm phản ánh lộ đal đoạn từ nhà {who} tới cầu {place} bể nát, xe chở lúa "
    "không qua được, mưa xuống là sình lầy. {ask}"
)
FLOOD_WHO = ("ông Năm", "bà Sáu", "anh Tư", "chú Bảy", "cô Út", "ông Hai Lộc", "bà Ba Thảo")
FLOOD_PLACE = ("Sắt", "Khỉ", "Bần", "Miễu", "Trâm", "Dừa")
FLOOD_ASK = (
    "Đề nghị xã sớm sửa.",
    "Xin xã cho biết bao giờ làm?",
    "Bà con đã góp tiền mà chưa thấy làm.",
    "Đề nghị xã kiểm tra, xử lý dứt điểm.",
)
TARGET_RATIO = 0.8


class Commands(monitoring.CommandListener):
    """Counts the commands the client sends (one round trip each)."""

    def __init__(self) -> None:
        self.count = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        self.count += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def near_duplicate(text: str, rng: random.Random, strip: Callable[[str], str]) -> str:
    """The same petition raised again in other words around the issue."""
    from bench.bench_routing import ASKS, OPENERS

    sentences = [s for s in text.split(".") if s.strip()]
    body = ".".join(sentences[:-1] or sentences)
    again = " ".join(p for p in (rng.choice(OPENERS), body + ".", rng.choice(ASKS)) if p)
    return strip(again) if rng.random() < 0.3 else again


def mixed_texts(
    count: int, rng: random.Random, earlier: list[tuple[str, str, int]]
) -> list[tuple[str, str, int]]:
    """`count` petitions: new ones, and near-duplicates of earlier ones (or of those before)."""
    from bench.bench_routing import strip_diacritics, synthetic_text

    out: list[tuple[str, str, int]] = []
    for _ in range(count):
        pool = earlier or out
        if pool and rng.random() < NEAR_DUPLICATE_SHARE:
            text, hamlet, topic = rng.choice(pool)
            out.append((near_duplicate(text, rng, strip_diacritics), hamlet, topic))
        else:
            out.append(synthetic_text(rng))
    return out


def flood_texts(count: int, rng: random.Random) -> list[tuple[str, str, int]]:
    return [
        (
            FLOOD_TEMPLATE.format(
                who=rng.choice(FLOOD_WHO), place=rng.choice(FLOOD_PLACE), ask=rng.choice(FLOOD_ASK)
            ),
            "ấp Rạch Tràm",
            3,
        )
        for _ in range(count)
    ]


def linked(
    index: dict[str, dict[str, Any]],
    submission_id: str,
    fp: Fingerprint,
    hamlet: str,
    topic: int,
    limits: repeat_index.Limits,
) -> tuple[str, str | None, list[str]]:
    """The cluster routing's rules put a seeded item in over the index built so far, the item it
    repeats, and the band keys found over their bound: the history is what routing itself would
    have stored, one cluster per issue, not the same complaint of the same hamlet spread over
    hundreds of clusters."""

    def read(ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        return {i: index[i] for i in ids if i in index}

    clusters, over = repeat_index.look_up(read, COMMUNE, fp.keys, hamlet, limits)
    compared = repeat_index.candidates(clusters, submission_id)
    match = best_match(fp, hamlet=hamlet, topic=topic, candidates=compared)
    if match is None:
        return submission_id, None, over
    [cluster] = [c for c in clusters if c.cluster_id == match.candidate.cluster_id]
    members = index.get(repeat_index.members_doc_id(COMMUNE, cluster.cluster_id))
    cluster = repeat_index.with_members(cluster, members, limits)
    return cluster.cluster_id, repeat_index.recurrence(submission_id, 0, match, cluster).duplicate_of, over


async def seed(
    db: Any, count: int, rng: random.Random, limits: repeat_index.Limits
) -> list[tuple[str, str, int]]:
    """`count` stored decisions of one commune and their repeat index, written in bulk; the
    texts, for near-duplicates of them later."""
    from bench.bench_routing import strip_diacritics, synthetic_text

    dialogue = demo_dialogue()
    texts: list[tuple[str, str, int]] = []
    index: dict[str, dict[str, Any]] = {}
    batch: list[dict[str, Any]] = []
    for n in range(count):
        submission_id = f"seed{n:06d}"
        if texts and rng.random() < NEAR_DUPLICATE_SHARE:
            base = rng.randrange(len(texts))
            text = near_duplicate(texts[base][0], rng, strip_diacritics)
            hamlet, topic = texts[base][1], texts[base][2]
        else:
            text, hamlet, topic = synthetic_text(rng)
        fp = fingerprint(text)
        cluster, duplicate_of, over = linked(index, submission_id, fp, hamlet, topic, limits)
        texts.append((text, hamlet, topic))
        doc = {
            "_id": submission_id,
            "commune_id": COMMUNE,
            "submission_id": submission_id,
            "dialogue_id": dialogue.id,
            "tracking_code": f"DT-S{n:07d}",
            "kind": "petition",
            "text": text,
            "hamlet": hamlet,
            "topic": topic,
            "office_id": "van-phong",
            "cluster_id": cluster,
            "duplicate_of": duplicate_of,
            "match_keys": list(fp.keys),
            "tokens": sorted(fp.tokens),
            "match_places": sorted(fp.places),
            "year": 2015 + n % 3,
            "revision": 1,
            "decided_at": datetime.now(UTC),
            "outbox_pending": False,
        }
        for write in repeat_index.index_writes(COMMUNE, repeat_index.Item.of(doc), limits, over):
            repeat_index.apply(index, write)
        batch.append(doc)
        if len(batch) == SEED_CHUNK:
            await db[DECISIONS].insert_many(batch, ordered=False)
            batch = []
    if batch:
        await db[DECISIONS].insert_many(batch, ordered=False)
    docs = list(index.values())
    for start in range(0, len(docs), SEED_CHUNK):
        await db[REPEATS].insert_many(docs[start : start + SEED_CHUNK], ordered=False)
    return texts


def received(submission_id: str, text: str, hamlet: str) -> tuple[Envelope, SubmissionReceivedV1]:
    payload = SubmissionReceivedV1(
        submission_id=submission_id,
        dialogue_id=demo_dialogue().id,
        tracking_code=f"DT-{submission_id[-8:].upper()}",
        source=Source.CITIZEN,
        kind=Kind.PETITION,
        text=text,
        hamlet=hamlet,
        received_at=datetime.now(UTC),
    )
    return Envelope.wrap(payload, commune_id=COMMUNE, correlation_id=submission_id), payload


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 3)


async def route_many(deps: RoutingDeps, prefix: str, texts: list[tuple[str, str, int]]) -> tuple[float, int]:
    """Route `texts`, CONCURRENCY at a time; (items per second, how many joined a cluster)."""
    queue = list(enumerate(texts))
    joined = 0

    async def worker() -> None:
        nonlocal joined
        while queue:
            n, (text, hamlet, _) = queue.pop(0)
            decision = (await route(deps, *received(f"{prefix}{n:06d}", text, hamlet))).decision
            joined += decision.duplicate_of is not None

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))
    return round(len(texts) / (time.perf_counter() - start), 1), joined


def deps_over(repo: DecisionRepository) -> RoutingDeps:
    return RoutingDeps(
        decisions=repo,
        events=RecordedEvents(),
        directory=InMemoryDirectory([demo_commune()], [demo_dialogue()]),
        rules=FixedRules(RuleSet.load_default()),
        review_threshold=0.5,
    )


@dataclass
class Size:
    """One commune history of the curve, seeded and ready to route into."""

    row: dict[str, Any]  # the figures reported for it
    deps: RoutingDeps
    texts: list[tuple[str, str, int]]  # the petitions to route
    seconds: float = 0.0  # spent routing them so far
    commands: int = 0


async def prepare(
    client: AsyncMongoClient[dict[str, Any]],
    commands: Commands,
    stored: int,
    lookups: int,
    routed: int,
    seed_value: int,
) -> Size:
    """Seed `stored` items into a database of their own and time `lookups` look-ups one by one
    (nothing stored by them); the `routed` petitions to route later."""
    rng = random.Random(seed_value)
    db = client[f"bench_routing_{stored}"]
    limits = repeat_index.Limits()
    started = time.perf_counter()
    history = await seed(db, stored, rng, limits)
    seeded_s = time.perf_counter() - started
    repo = DecisionRepository(db, limits)
    await repo.ensure_indexes()
    commune, dialogue, rules = demo_commune(), demo_dialogue(), RuleSet.load_default()
    timings, matched, before = [], 0, commands.count
    for n, (text, hamlet, _) in enumerate(mixed_texts(lookups, rng, history)):
        _, payload = received(f"look{n:06d}", text, hamlet)
        start = time.perf_counter()
        decision = decide(payload, commune, dialogue, rules, review_threshold=0.5)
        linked = (await link(repo, decision, COMMUNE, dialogue.year)).decision
        timings.append(time.perf_counter() - start)
        matched += linked.duplicate_of is not None
    row = {
        "stored": stored,
        "seed_s": round(seeded_s, 1),
        "lookups": lookups,
        "lookup_median_ms": _ms(statistics.median(timings)),
        "lookup_p99_ms": _ms(statistics.quantiles(timings, n=100)[98]) if len(timings) > 1 else None,
        "lookup_commands": round((commands.count - before) / max(lookups, 1), 2),
        "matched": matched,
        "routed": routed,
    }
    return Size(row, deps_over(repo), mixed_texts(routed, rng, history))


async def route_alternately(sizes: list[Size], commands: Commands, rounds: int) -> None:
    """Route each size's petitions in `rounds` parts, the sizes taking turns (the order reversed
    every other round), so that the machine's drift over the run (other work on it, its clock)
    weighs on every size alike and the ratio of two rates compares like with like. Each size's
    rate is its items over the time spent routing them; each item is routed once, into its own
    history, as when the sizes run one after the other."""
    joined = {id(size): 0 for size in sizes}
    for part in range(rounds):
        for size in sizes if part % 2 == 0 else sizes[::-1]:
            count = len(size.texts)
            chunk = size.texts[part * count // rounds : (part + 1) * count // rounds]
            before = commands.count
            started = time.perf_counter()
            _, joins = await route_many(size.deps, f"new{part}-", chunk)
            size.seconds += time.perf_counter() - started
            size.commands += commands.count - before
            joined[id(size)] += joins
    for size in sizes:
        size.row |= {
            "route_items_per_s": round(len(size.texts) / size.seconds, 1) if size.seconds else None,
            "route_commands_per_item": round(size.commands / max(len(size.texts), 1), 2),
            "route_joined": joined[id(size)],
        }


async def curve(
    url: str, sizes: list[int], lookups: int, routed: int, seed_value: int
) -> list[dict[str, Any]]:
    commands = Commands()
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        url, event_listeners=[commands], tz_aware=True
    )
    try:
        prepared = [await prepare(client, commands, stored, lookups, routed, seed_value) for stored in sizes]
        await route_alternately(prepared, commands, ROUNDS)
        return [size.row for size in prepared]
    finally:
        for stored in sizes:
            await client.drop_database(f"bench_routing_{stored}")
        await client.close()


async def flood(url: str, count: int, seed_value: int) -> dict[str, Any]:
    """`count` near-identical petitions and as many mixed ones, each into an empty commune."""
    rng = random.Random(seed_value)
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(url, tz_aware=True)
    try:
        rates = {}
        for name, texts in (("mixed", mixed_texts(count, rng, [])), ("flood", flood_texts(count, rng))):
            db = client[f"bench_flood_{name}"]
            repo = DecisionRepository(db)
            await repo.ensure_indexes()
            rates[name] = await route_many(deps_over(repo), name, texts)
            await client.drop_database(db.name)
        (mixed, _), (flooded, joined) = rates["mixed"], rates["flood"]
        return {
            "items": count,
            "mixed_items_per_s": mixed,
            "flood_items_per_s": flooded,
            "flood_joined": joined,
            "ratio": round(flooded / mixed, 3) if mixed else None,
        }
    finally:
        await client.close()


def run(sizes: list[int], lookups: int, routed: int, flood_count: int, seed_value: int) -> dict[str, Any]:
    """The curves, on a store started for them and stopped after."""
    with tempfile.TemporaryDirectory(prefix="bench-routing-") as workdir:
        store = start_wire_store(Path(workdir))
        try:
            rows = asyncio.run(curve(store.url, sizes, lookups, routed, seed_value))
            flooded = asyncio.run(flood(store.url, flood_count, seed_value)) if flood_count else None
        finally:
            store.stop()
    by_size = {row["stored"]: row for row in rows}
    base, largest = by_size.get(0), by_size.get(max(sizes)) if sizes else None
    rate_ratio = (
        round(largest["route_items_per_s"] / base["route_items_per_s"], 3)
        if base and largest and largest is not base
        else None
    )
    return {
        "curve": rows,
        "flood": flooded,
        "targets": {
            "largest_vs_empty_ratio": rate_ratio,
            "largest_met": rate_ratio is None or rate_ratio >= TARGET_RATIO,
            "flood_met": flooded is None or (flooded["ratio"] or 0) >= TARGET_RATIO,
        },
    }
