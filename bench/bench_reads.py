"""Reads and routing with a commune's history stored (issue 17, acceptance 2).

Run ``.venv/bin/python -m bench.bench_reads``: prints one JSON line on stdout, progress on
stderr. It needs RabbitMQ on 127.0.0.1:5672 (or RABBITMQ_URL); it starts its own nx-27017
store (file-backed, as `make run`), the mail capture server and the four services as separate
processes (`python -m services.cli serve <service>`, as bench/bench_pipeline.py does), under a
fresh database and a fresh ``DOITHOAI_AMQP_PREFIX``, whose queues and exchanges it removes at
the end whatever happened.

Before the services start, the demo commune holds ``DOITHOAI_BENCH_READS_STORED`` (10,000)
items, written in bulk as the services would have stored them once each was routed and its
office notified:
- routing's decisions and repeat index, by `bench.routing_store.seed` (synthetic petitions, a
  fifth of them near-duplicates of an earlier one);
- intake's submissions for the same items (`intake_submissions`: status office_notified, the
  routing's facts, the outbox cleared, the ids of their history entries listed) and two history
  entries each (`intake_submission_history`: routed, office notified, built by intake's own
  `change_for` from the events routing and notification publish; "received" is the submission
  itself), the store marked as needing no migration of its history, as intake leaves it.

Then, the four services running:
1. 100 reads of random stored items by id, `GET /api/v1/communes/demo/submissions/{id}` with a
   staff token (party office), one at a time: p50/p99 ms; and 100 by tracking code, through the
   residents' API (`GET .../tracking/{code}`) and their page (`GET /xa/demo/theo-doi?ma=`);
   then the two store reads behind a read by id, timed alone with intake's repository (the
   submission by `_id`, its history entries by the `_id`s it lists), to say where the time goes;
2. 20 new petitions posted one at a time (near-duplicates of stored ones among them, so
   routing's look-up meets the history), each timed from its POST until its routed event is
   seen on the bus (a queue of the benchmark's own), the next posted once it is: p50/max s.

3. (issue 17, acceptance 3) the end-to-end curve: for each size in
   ``DOITHOAI_BENCH_CURVE_SIZES`` (default "0,10000,100000"), on a fresh database and queue
   prefix, that many items seeded as above and the four services started; every size's system
   is kept running, each gets 40 warm-up items, then the sizes take turns at bench_pipeline's
   closed loop (its load generator, posting the same mix: new petitions and a fifth
   near-duplicates of stored ones), 16 concurrent POSTs for 15 s a turn, two turns each in the
   order 0, 10,000, 100,000, 100,000, 10,000, 0, so that the machine's drift during the run
   weighs on every size alike; an item is done when its routed event is seen, and a turn ends
   when its last item is. Per size: end-to-end items/s (items accepted / seconds from each
   turn's first POST until its last item was routed, over both turns) and POST -> routed
   p50/p99. Steps 1-2 run in the 10,000 system (or one of their own, first, when 10,000 is not
   among the sizes).

Targets: a read by id p99 < 100 ms; every new petition routed in < 1 s; end-to-end items/s at
the largest size >= 0.8x at the smallest (0). Exits 1 when one is missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import httpx
from pymongo import AsyncMongoClient

from bench.bench_pipeline import (
    HttpPool,
    Load,
    Proc,
    Tracker,
    _python_module,
    latency_ms,
    pct,
    port_from,
    start_service,
    wait_healthy,
)
from bench.routing_store import mixed_texts
from bench.routing_store import seed as seed_routing
from services.demo.seed import demo_commune, demo_dialogue, seed_demo
from services.deployment import CONSUMERS
from services.intake.repository import HISTORY, HISTORY_IDS, SUBMISSIONS, SubmissionRepository, history_ids
from services.intake.status import change_for
from services.local.wire_store import start_wire_store
from services.routing import repeat_index
from services.routing.repository import DECISIONS
from shared.auth.principal import Principal, PrincipalKind, Role
from shared.auth.tokens import Tokens, new_keys_setting, parse_keys
from shared.contracts import (
    Envelope,
    Kind,
    NotificationSentV1,
    SubmissionRoutedV1,
    SubmissionStatus,
)
from shared.topology import remove as topology_remove

SEED = 20170325
RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
COMMUNE = "demo"  # bench.routing_store seeds this commune
STORED = int(os.environ.get("DOITHOAI_BENCH_READS_STORED", "10000"))
READS = 100
PETITIONS = 20
WARMUP_READS = 10
WARMUP_PETITIONS = 2
ROUTED_TIMEOUT_S = 30.0
CHUNK = 5_000
ROUTED, SENT = "submission.routed.v1", "notification.sent.v1"
SERVICES = ("intake", "routing", "notification", "reporting")

TARGET_READ_P99_MS = 100.0
TARGET_ROUTED_S = 1.0
TARGET_CURVE_RATIO = 0.8

# The end-to-end curve: one fresh database per size, seeded in bulk, then the closed loop.
CURVE_SIZES = [
    int(s) for s in os.environ.get("DOITHOAI_BENCH_CURVE_SIZES", "0,10000,100000").split(",") if s.strip()
]
CURVE_CONCURRENCY = 16
CURVE_S = 15.0
CURVE_ROUNDS = 2  # turns per size: the sizes in order, then in reverse
CURVE_WARMUP = 40
CURVE_DRAIN_S = 120.0


def log(message: str) -> None:
    print(f"[bench_reads {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- the history


def intake_documents(
    n: int, decision: dict[str, Any], received_at: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Intake's submission and history entries for a stored routing decision, as intake holds
    them once the item was routed and its office notified."""
    commune, dialogue = demo_commune(), demo_dialogue()
    topic = int(decision["topic"])
    office_id = commune.topic_offices[str(topic)]
    office_name = next(o.name for o in commune.offices if o.id == office_id)
    routed = SubmissionRoutedV1(
        submission_id=decision["submission_id"],
        dialogue_id=dialogue.id,
        tracking_code=decision["tracking_code"],
        kind=Kind.PETITION,
        text=decision["text"],
        hamlet=decision["hamlet"],
        topic=topic,
        topic_name=dialogue.topic_name(topic),
        office_id=office_id,
        office_name=office_name,
        confidence=0.8,
        cluster_id=decision["cluster_id"],
        duplicate_of=decision["duplicate_of"],
    )
    sent = NotificationSentV1(
        notification_id=f"n{n:06d}",
        submission_id=decision["submission_id"],
        office_id=office_id,
        sent_at=received_at + timedelta(seconds=2),
    )
    status = SubmissionStatus.OFFICE_NOTIFIED
    doc: dict[str, Any] = {
        "_id": decision["submission_id"],
        "commune_id": COMMUNE,
        "dialogue_id": dialogue.id,
        "tracking_code": decision["tracking_code"],
        "source": "citizen",
        "organisation": None,
        "kind": "petition",
        "text": decision["text"],
        "hamlet": decision["hamlet"],
        "submitter": {"name": None, "contact": None},
        "status": status.value,
        "status_rank": status.rank,
        "routing_revision": -1,
        "received_at": received_at,
        "correlation_id": f"c{n:06d}",
        "outbox_pending": False,
    }
    history = []
    for payload, offset in ((routed, 1), (sent, 2)):
        change = change_for(payload)
        envelope = Envelope.wrap(payload, commune_id=COMMUNE, correlation_id=doc["correlation_id"])
        doc.update(change.facts)
        history.append(
            {
                "_id": envelope.event_id,
                "commune_id": COMMUNE,
                "submission_id": doc["_id"],
                "at": received_at + timedelta(seconds=offset),
                "status": change.status,
                "note_vi": change.note_vi,
                "event_type": envelope.routing_key,
                "by": change.by,
            }
        )
    doc[HISTORY_IDS] = history_ids([entry["_id"] for entry in history])
    return doc, history


async def seed_intake(db: Any) -> list[tuple[str, str]]:
    """Intake's side of the items routing_store seeded: (submission id, tracking code) of each."""
    start = datetime.now(UTC) - timedelta(days=30)
    decisions = db[DECISIONS].find({"commune_id": COMMUNE}).sort("_id", 1)
    docs: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    stored: list[tuple[str, str]] = []
    n = 0
    async for decision in decisions:
        doc, history = intake_documents(n, decision, start + timedelta(minutes=n))
        docs.append(doc)
        entries += history
        stored.append((doc["_id"], doc["tracking_code"]))
        n += 1
        if len(docs) == CHUNK:
            await db[SUBMISSIONS].insert_many(docs, ordered=False)
            await db[HISTORY].insert_many(entries, ordered=False)
            docs, entries = [], []
    if docs:
        await db[SUBMISSIONS].insert_many(docs, ordered=False)
        await db[HISTORY].insert_many(entries, ordered=False)
    await SubmissionRepository(db).mark_history_listed(len(stored) * 2)
    return stored


# --------------------------------------------------------------------------- measuring


def ms(values: list[float]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for name, q in (("p50_ms", 50), ("p99_ms", 99)):
        v = pct(values, q)
        out[name] = round(v * 1000, 1) if v is not None else None
    out["max_ms"] = round(max(values) * 1000, 1) if values else None
    return out


async def timed_reads(client: httpx.AsyncClient, paths: list[str], check: Any) -> tuple[list[float], int]:
    """Each path read once, one at a time: the seconds each took, and how many answers failed `check`."""
    timings, bad = [], 0
    for path in paths:
        started = time.perf_counter()
        response = await client.get(path)
        timings.append(time.perf_counter() - started)
        bad += not check(response)
    return timings, bad


def full_view(response: httpx.Response) -> bool:
    """The stored item as intake shows it: routed and notified, three history entries."""
    if response.status_code != 200:
        return False
    body = response.json()
    return body["status"] == "office_notified" and len(body["history"]) == 3


class Watch:
    """When each submission's first routed event (and office notified) was seen on the bus."""

    def __init__(self) -> None:
        self.routed: dict[str, float] = {}
        self.sent: dict[str, float] = {}
        self.arrived = asyncio.Event()

    async def on_event(self, message: aio_pika.abc.AbstractIncomingMessage) -> None:
        now = time.perf_counter()
        payload = json.loads(message.body)["payload"]
        if message.routing_key == ROUTED and payload.get("revision", 0) == 0:
            self.routed.setdefault(payload["submission_id"], now)
            self.arrived.set()
        elif message.routing_key == SENT:
            self.sent.setdefault(payload["submission_id"], now)


async def post_until_routed(
    client: httpx.AsyncClient, watch: Watch, texts: list[tuple[str, str, int]]
) -> list[dict[str, Any]]:
    """Each petition posted once the one before is routed: POST answered and POST -> routed."""
    out = []
    for n, (text, hamlet, _) in enumerate(texts):
        body = {"source": "citizen", "kind": "petition", "hamlet": hamlet, "text": f"{text} (phiếu {n + 1})"}
        started = time.perf_counter()
        response = await client.post(f"/api/v1/communes/{COMMUNE}/submissions", json=body)
        answered = time.perf_counter()
        if response.status_code != 202:
            raise RuntimeError(f"POST answered {response.status_code}: {response.text[:300]}")
        submission_id = response.json()["id"]
        deadline = started + ROUTED_TIMEOUT_S
        while submission_id not in watch.routed and time.perf_counter() < deadline:
            watch.arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(watch.arrived.wait(), timeout=0.5)
        routed_at = watch.routed.get(submission_id)
        out.append(
            {
                "id": submission_id,
                "post_s": answered - started,
                "routed_s": routed_at - started if routed_at is not None else None,
            }
        )
        await asyncio.sleep(0.2)  # notification and reporting finish with it before the next
    return out


async def store_reads(db: Any, ids: list[str]) -> dict[str, Any]:
    """What a read by id asks the store, timed alone from this process with intake's own
    repository: the submission by `_id`, then its history entries by the `_id`s it lists."""
    repo = SubmissionRepository(db)
    got, entries = [], []
    for submission_id in ids:
        started = time.perf_counter()
        doc = await repo.get(COMMUNE, submission_id)
        middle = time.perf_counter()
        await repo.history(doc or {})
        got.append(middle - started)
        entries.append(time.perf_counter() - middle)
    return {"submission_by_id": ms(got), "history_by_submission": ms(entries)}


def staff_token(keys: str) -> str:
    principal = Principal(
        kind=PrincipalKind.USER,
        subject="bench-reads",
        name="bench.reads",
        commune_id=COMMUNE,
        role=Role.PARTY_OFFICE,
    )
    return Tokens(parse_keys(keys), 3600).issue(principal, ttl_s=3600)


# --------------------------------------------------------------------------- the run


class MixedLoad(Load):
    """bench_pipeline's load generator posting the realistic mix: new petitions and, a fifth of
    them, near-duplicates of stored ones (of those posted so far when nothing is stored)."""

    def __init__(
        self, pool: HttpPool, tracker: Tracker, seed: int, stored: list[tuple[str, str, int]]
    ) -> None:
        super().__init__(pool, tracker, seed)
        self._stored = stored
        self._posted: list[tuple[str, str, int]] = []

    def _body(self) -> bytes:
        text, hamlet, topic = mixed_texts(1, self._rng, self._stored or self._posted)[0]
        self._posted.append((text, hamlet, topic))
        self._n += 1
        return json.dumps(
            {"source": "citizen", "kind": "petition", "hamlet": hamlet, "text": f"{text} (phiếu {self._n})"},
            ensure_ascii=False,
        ).encode()


async def until_routed(tracker: Tracker, ids: list[str], timeout: float) -> float | None:
    """When the last of `ids` was seen routed on the bus, or None when one is not by the timeout."""
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if all(i in tracker.routed for i in ids):
            return max((tracker.routed[i] for i in ids), default=time.perf_counter())
        await asyncio.sleep(0.1)
    return None


async def warm_up(system: System) -> None:
    """40 items posted and routed before anything is timed (caches, connections, the first
    call of every path)."""
    warm = await system.load.fixed_count(CURVE_WARMUP, 8)
    if await until_routed(system.tracker, warm, CURVE_DRAIN_S) is None:
        raise RuntimeError("warm-up items were not all routed")
    system.tracker.failed_posts = system.tracker.shed_posts = 0


async def closed_loop_turn(system: System) -> dict[str, Any]:
    """One turn of bench_pipeline's closed loop: 16 concurrent POSTs for 15 s, each client
    posting again once answered; an item is done when its routed event is seen. The turn ends
    when the last item posted in it is routed, so the next turn (of this system or another)
    starts with no item waiting for routing."""
    t0 = time.perf_counter()
    ids = await system.load.closed_loop(CURVE_S, CURVE_CONCURRENCY)
    posted_s = time.perf_counter() - t0
    done_at = await until_routed(system.tracker, ids, CURVE_DRAIN_S)
    return {"ids": ids, "post_s": posted_s, "total_s": None if done_at is None else done_at - t0}


def curve_figures(system: System, turns: list[dict[str, Any]]) -> dict[str, Any]:
    """A size's end-to-end figures over its turns: items/s = items accepted / the seconds from
    each turn's first POST until its last item was routed, summed over the turns."""
    ids = [i for turn in turns for i in turn["ids"]]
    post_s = sum(turn["post_s"] for turn in turns)
    drained = all(turn["total_s"] is not None for turn in turns)
    total_s = sum(turn["total_s"] for turn in turns) if drained else None
    return {
        "items": len(ids),
        "post_s": round(post_s, 2),
        "accepted_per_s": round(len(ids) / post_s, 1),
        "total_s": round(total_s, 2) if total_s else None,
        "items_per_s": round(len(ids) / total_s, 1) if total_s and ids else None,
        "items_per_s_by_turn": [
            round(len(t["ids"]) / t["total_s"], 1) if t["total_s"] and t["ids"] else None for t in turns
        ],
        "post_to_routed": latency_ms(system.tracker, ids, system.tracker.routed),
        "failed_posts": system.tracker.failed_posts,
        "shed_503": system.tracker.shed_posts,
    }


async def read_checks(
    db: Any,
    http: httpx.AsyncClient,
    watch: Watch,
    stored: list[tuple[str, str]],
    history: list[tuple[str, str, int]],
) -> dict[str, Any]:
    """Acceptance 2: reads of stored items and new petitions posted one at a time."""
    result: dict[str, Any] = {}
    pick = random.Random(SEED + 1)
    sample = pick.sample(stored, WARMUP_READS + READS)
    warm, measured = sample[:WARMUP_READS], sample[WARMUP_READS:]
    base = f"/api/v1/communes/{COMMUNE}"
    await timed_reads(http, [f"{base}/submissions/{i}" for i, _ in warm], full_view)
    log(f"{READS} reads by id")
    by_id, by_id_bad = await timed_reads(http, [f"{base}/submissions/{i}" for i, _ in measured], full_view)
    pick.shuffle(measured)
    log(f"{READS} reads by tracking code (API, then page)")
    tracking, tracking_bad = await timed_reads(
        http, [f"{base}/tracking/{code}" for _, code in measured], full_view
    )
    page, page_bad = await timed_reads(
        http,
        [f"/xa/{COMMUNE}/theo-doi?ma={code}" for _, code in measured],
        lambda r: r.status_code == 200 and code_in(r),
    )
    result["read_by_id"] = {"reads": READS, "failed": by_id_bad, **ms(by_id)}
    result["read_by_tracking_code_api"] = {"reads": READS, "failed": tracking_bad, **ms(tracking)}
    result["tracking_page"] = {"reads": READS, "failed": page_bad, **ms(page)}
    result["store_reads"] = await store_reads(db, [i for i, _ in measured])
    log(f"store alone: {result['store_reads']}")
    log(
        f"by id p50 {result['read_by_id']['p50_ms']} ms, p99 {result['read_by_id']['p99_ms']} ms; "
        f"tracking API p99 {result['read_by_tracking_code_api']['p99_ms']} ms, "
        f"page p99 {result['tracking_page']['p99_ms']} ms"
    )

    texts = mixed_texts(WARMUP_PETITIONS + PETITIONS, random.Random(SEED + 2), history)
    await post_until_routed(http, watch, texts[:WARMUP_PETITIONS])
    log(f"{PETITIONS} new petitions, one at a time, each until routed")
    posted = await post_until_routed(http, watch, texts[WARMUP_PETITIONS:])
    routed_s = [p["routed_s"] for p in posted if p["routed_s"] is not None]
    post_s = [p["post_s"] for p in posted]
    result["new_petitions"] = {
        "petitions": PETITIONS,
        "routed": len(routed_s),
        "post_answer_p50_ms": round(statistics.median(post_s) * 1000, 1),
        "post_to_routed_p50_s": round(statistics.median(routed_s), 3) if routed_s else None,
        "post_to_routed_max_s": round(max(routed_s), 3) if len(routed_s) == PETITIONS else None,
        "joined_a_cluster": await db[DECISIONS].count_documents(
            {"_id": {"$in": [p["id"] for p in posted]}, "duplicate_of": {"$ne": None}}
        ),
    }
    log(
        f"new petitions: routed p50 {result['new_petitions']['post_to_routed_p50_s']} s, "
        f"max {result['new_petitions']['post_to_routed_max_s']} s"
    )
    return result


@dataclass
class System:
    """One fresh database and queue prefix, `stored_n` items seeded, the four services running
    and a queue of the benchmark's own watching their routed and sent events."""

    stored_n: int
    db: Any
    keys: str
    services: dict[str, Proc]
    watch: Watch
    tracker: Tracker
    history: list[tuple[str, str, int]]  # the seeded texts (near-duplicates are drawn from them)
    stored: list[tuple[str, str]]  # (submission id, tracking code) of each seeded item
    out: dict[str, Any]  # the step's figures
    pool: HttpPool
    load: MixedLoad


@contextlib.asynccontextmanager
async def running_system(
    workdir: Path, store_url: str, base_env: dict[str, str], stored_n: int
) -> AsyncIterator[System]:
    """`stored_n` items seeded in a database of their own, the four services started under a
    queue prefix of their own; services, queues and database removed on the way out."""
    run_id = uuid.uuid4().hex[:8]
    keys = new_keys_setting()
    env = {
        **base_env,
        "MONGODB_URL": store_url,
        "MONGODB_DB": f"bench_reads_{run_id}",
        "DOITHOAI_AMQP_PREFIX": f"benchreads{run_id}",
        "DOITHOAI_AUTH_KEYS": keys,
    }
    out: dict[str, Any] = {"stored": stored_n, "loadavg_before": [round(v, 2) for v in os.getloadavg()]}
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(store_url, tz_aware=True)
    db = client[env["MONGODB_DB"]]
    services: dict[str, Proc] = {}
    connection = None
    pool = None
    try:
        await seed_demo(db)
        log(f"seeding {stored_n} items of commune {COMMUNE}: routing's decisions and repeat index")
        t0 = time.perf_counter()
        history = await seed_routing(db, stored_n, random.Random(SEED), repeat_index.Limits())
        log("intake's submissions and their history entries")
        stored = await seed_intake(db)
        out["seed_s"] = round(time.perf_counter() - t0, 1)
        out["stored_counts"] = {
            name: await db[name].estimated_document_count() for name in (SUBMISSIONS, HISTORY, DECISIONS)
        }
        log(f"seeded in {out['seed_s']} s: {out['stored_counts']}")

        services["intake"] = start_service("intake", env, workdir, suffix=run_id)
        await asyncio.to_thread(wait_healthy, services["intake"])
        env["DOITHOAI_INTAKE_URL"] = services["intake"].base  # the others call intake's API
        for name in SERVICES[1:]:
            services[name] = start_service(name, env, workdir, suffix=run_id)
        for proc in services.values():
            await asyncio.to_thread(wait_healthy, proc)
        log("four services healthy: " + ", ".join(f"{n}:{p.port}" for n, p in services.items()))

        watch, tracker = Watch(), Tracker()

        async def on_event(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            await watch.on_event(message)
            await tracker.on_event(message)

        connection = await aio_pika.connect(RABBITMQ_URL)
        channel = await connection.channel()
        observer = await channel.declare_queue(exclusive=True, auto_delete=True)
        for key in (ROUTED, SENT):
            await observer.bind(f"{env['DOITHOAI_AMQP_PREFIX']}.events", routing_key=key)
        await observer.consume(on_event, no_ack=True)

        port = services["intake"].port
        assert port is not None  # start_service picks one
        pool = HttpPool(port)
        load = MixedLoad(pool, tracker, SEED + 3, history)
        yield System(stored_n, db, keys, services, watch, tracker, history, stored, out, pool, load)
    finally:
        if pool is not None:
            pool.close()
        for proc in services.values():
            proc.stop()
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.close()
        with contextlib.suppress(Exception):
            await topology_remove(RABBITMQ_URL, env["DOITHOAI_AMQP_PREFIX"], CONSUMERS)
        with contextlib.suppress(Exception):
            await client.drop_database(env["MONGODB_DB"])
        await client.close()


async def reads_step(system: System) -> dict[str, Any]:
    """Acceptance 2 on this system: the seeding's figures and the read checks."""
    figures = {"seed_s": system.out["seed_s"], "stored_counts": system.out["stored_counts"]}
    headers = {"authorization": f"Bearer {staff_token(system.keys)}"}
    async with httpx.AsyncClient(
        base_url=system.services["intake"].base, headers=headers, timeout=30
    ) as http:
        return figures | await read_checks(system.db, http, system.watch, system.stored, system.history)


async def alternated_curve(systems: list[System]) -> None:
    """The closed loop on every size, `CURVE_ROUNDS` turns each, the sizes taking turns in an
    order reversed every round (0, 10,000, 100,000, then 100,000, 10,000, 0): the machine's
    drift over the run (other work on it, its clock) weighs on every size alike, as in
    bench_routing's curve. Every system is running throughout, so each turn shares the machine
    with the others' idle services alike."""
    for system in systems:
        await warm_up(system)
    turns: dict[int, list[dict[str, Any]]] = {id(system): [] for system in systems}
    for round_ in range(CURVE_ROUNDS):
        for system in systems if round_ % 2 == 0 else systems[::-1]:
            log(
                f"end-to-end with {system.stored_n} stored, turn {round_ + 1} of {CURVE_ROUNDS}: "
                f"{CURVE_CONCURRENCY} concurrent POSTs for {CURVE_S:.0f} s"
            )
            turn = await closed_loop_turn(system)
            turns[id(system)].append(turn)
            rate = len(turn["ids"]) / turn["total_s"] if turn["total_s"] else None
            log(f"{system.stored_n} stored: {len(turn['ids'])} items, {rate and round(rate, 1)} items/s")
    for system in systems:
        system.out["end_to_end"] = curve_figures(system, turns[id(system)])
        e2e = system.out["end_to_end"]
        log(
            f"{system.stored_n} stored: {e2e['items']} items, {e2e['items_per_s']} items/s end to end, "
            f"POST -> routed p50 {e2e['post_to_routed']['p50_ms']} ms, "
            f"p99 {e2e['post_to_routed']['p99_ms']} ms"
        )
        system.out["loadavg_after"] = [round(v, 2) for v in os.getloadavg()]


async def run(workdir: Path) -> dict[str, Any]:
    started = time.perf_counter()
    result: dict[str, Any] = {
        "bench": "reads",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "stored": STORED,
        "curve_sizes": CURVE_SIZES,
        "loadavg_before": [round(v, 2) for v in os.getloadavg()],
    }
    store = start_wire_store(workdir / "nx", data_dir=workdir / "mongo")
    mail = _python_module(
        ["bench.bench_pipeline", "mail", str(workdir / "mail")], dict(os.environ), workdir / "mail.log"
    )
    base_env = {
        **os.environ,
        "RABBITMQ_URL": RABBITMQ_URL,
        "LOG_LEVEL": "WARNING",
        "DOITHOAI_API_POST_LIMIT": "1000000000",
    }
    steps: list[dict[str, Any]] = []
    try:
        base_env["SMTP_URL"] = f"smtp://127.0.0.1:{await port_from(workdir / 'mail' / 'port', timeout=60)}"
        if STORED not in CURVE_SIZES:  # the reads in a system of their own, first
            async with running_system(workdir, store.url, base_env, STORED) as system:
                result.update(await reads_step(system))
        async with contextlib.AsyncExitStack() as running:  # every size's system kept running
            curve: list[System] = []
            for size in CURVE_SIZES:
                system = await running.enter_async_context(running_system(workdir, store.url, base_env, size))
                if size == STORED:
                    result.update(await reads_step(system))
                curve.append(system)
                steps.append(system.out)
            await alternated_curve(curve)
    finally:
        mail.terminate()
        mail.wait(10)
        store.stop()

    rates = {s["stored"]: s["end_to_end"]["items_per_s"] for s in steps}
    smallest, largest = min(CURVE_SIZES), max(CURVE_SIZES)
    ratio = (
        round(rates[largest] / rates[smallest], 2)
        if rates.get(largest) is not None and rates.get(smallest)
        else None
    )
    result["end_to_end_curve"] = {
        "concurrency": CURVE_CONCURRENCY,
        "duration_s": CURVE_S,  # of a turn
        "turns_per_size": CURVE_ROUNDS,
        "steps": steps,
        "items_per_s": {str(k): v for k, v in rates.items()},
        "ratio_largest_vs_smallest": ratio,
    }
    log(f"end-to-end items/s by items stored: {rates}; {largest} vs {smallest}: {ratio}")
    p99 = result["read_by_id"]["p99_ms"]
    slowest = result["new_petitions"]["post_to_routed_max_s"]
    result["targets"] = {
        "read_by_id_p99_ms": TARGET_READ_P99_MS,
        "routed_s": TARGET_ROUTED_S,
        "end_to_end_ratio": TARGET_CURVE_RATIO,
        "read_by_id_p99_lt_100_ms": p99 is not None
        and p99 < TARGET_READ_P99_MS
        and not result["read_by_id"]["failed"],
        "every_new_petition_routed_lt_1_s": slowest is not None and slowest < TARGET_ROUTED_S,
        "end_to_end_at_largest_ge_0_8x_at_smallest": ratio is not None and ratio >= TARGET_CURVE_RATIO,
    }
    result["machine"] = {
        "cpu_count": os.cpu_count(),
        "cores_usable": len(os.sched_getaffinity(0)),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "store": "nx-27017 (file-backed)",
        "broker": "RabbitMQ on 127.0.0.1:5672",
    }
    result["loadavg_after"] = [round(v, 2) for v in os.getloadavg()]
    result["total_s"] = round(time.perf_counter() - started, 1)
    return result


def code_in(response: httpx.Response) -> bool:
    """The tracking page shows the item (its code) and not the "not found" message."""
    code = response.request.url.params.get("ma", "")
    return bool(code) and code in response.text and "Không tìm thấy" not in response.text


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="doithoai-bench-reads-"))
    try:
        result = asyncio.run(run(workdir))
    except BaseException:
        log(f"failed; logs are in {workdir}")
        raise
    shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(result, ensure_ascii=False))
    missed = [name for name, met in result["targets"].items() if met is False]
    if missed:
        log("targets missed: " + ", ".join(missed))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
