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
  routing's facts, the outbox cleared) and two history entries each
  (`intake_submission_history`: routed, office notified, built by intake's own `change_for`
  from the events routing and notification publish; "received" is the submission itself).

Then, the four services running:
1. 100 reads of random stored items by id, `GET /api/v1/communes/demo/submissions/{id}` with a
   staff token (party office), one at a time: p50/p99 ms; and 100 by tracking code, through the
   residents' API (`GET .../tracking/{code}`) and their page (`GET /xa/demo/theo-doi?ma=`);
   then the two store reads behind a read by id, timed alone with intake's repository (the
   submission by `_id`, its history by commune and submission), to say where the time goes;
2. 20 new petitions posted one at a time (near-duplicates of stored ones among them, so
   routing's look-up meets the history), each timed from its POST until its routed event is
   seen on the bus (a queue of the benchmark's own), the next posted once it is: p50/max s.

Targets: a read by id p99 < 100 ms; every new petition routed in < 1 s. Exits 1 when missed.
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
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aio_pika
import httpx
from pymongo import AsyncMongoClient

from bench.bench_pipeline import Proc, _python_module, pct, port_from, start_service, wait_healthy
from bench.routing_store import mixed_texts
from bench.routing_store import seed as seed_routing
from services.demo.seed import demo_commune, demo_dialogue, seed_demo
from services.deployment import CONSUMERS
from services.intake.repository import HISTORY, SUBMISSIONS, SubmissionRepository
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
    repository: the submission by `_id`, then its history by commune and submission."""
    repo = SubmissionRepository(db)
    got, entries = [], []
    for submission_id in ids:
        started = time.perf_counter()
        await repo.get(COMMUNE, submission_id)
        middle = time.perf_counter()
        await repo.history(COMMUNE, submission_id)
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


async def run(workdir: Path) -> dict[str, Any]:
    started = time.perf_counter()
    result: dict[str, Any] = {
        "bench": "reads",
        "date": datetime.now(UTC).strftime("%Y-%m-%d"),
        "stored": STORED,
        "loadavg_before": [round(v, 2) for v in os.getloadavg()],
    }
    store = start_wire_store(workdir / "nx", data_dir=workdir / "mongo")
    mail = _python_module(
        ["bench.bench_pipeline", "mail", str(workdir / "mail")], dict(os.environ), workdir / "mail.log"
    )
    run_id = uuid.uuid4().hex[:8]
    keys = new_keys_setting()
    env = {
        **os.environ,
        "MONGODB_URL": store.url,
        "MONGODB_DB": f"bench_reads_{run_id}",
        "RABBITMQ_URL": RABBITMQ_URL,
        "DOITHOAI_AMQP_PREFIX": f"benchreads{run_id}",
        "DOITHOAI_AUTH_KEYS": keys,
        "LOG_LEVEL": "WARNING",
        "DOITHOAI_API_POST_LIMIT": "1000000000",
    }
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(store.url, tz_aware=True)
    db = client[env["MONGODB_DB"]]
    services: dict[str, Proc] = {}
    connection = None
    try:
        await seed_demo(db)
        log(f"seeding {STORED} items of commune {COMMUNE}: routing's decisions and repeat index")
        t0 = time.perf_counter()
        rng = random.Random(SEED)
        history = await seed_routing(db, STORED, rng, repeat_index.Limits())
        log("intake's submissions and their history entries")
        stored = await seed_intake(db)
        result["seed_s"] = round(time.perf_counter() - t0, 1)
        result["stored_counts"] = {
            name: await db[name].estimated_document_count() for name in (SUBMISSIONS, HISTORY, DECISIONS)
        }
        log(f"seeded in {result['seed_s']} s: {result['stored_counts']}")

        env["SMTP_URL"] = f"smtp://127.0.0.1:{await port_from(workdir / 'mail' / 'port', timeout=60)}"
        services["intake"] = start_service("intake", env, workdir)
        await asyncio.to_thread(wait_healthy, services["intake"])
        env["DOITHOAI_INTAKE_URL"] = services["intake"].base  # the others call intake's API
        for name in SERVICES[1:]:
            services[name] = start_service(name, env, workdir)
        for proc in services.values():
            await asyncio.to_thread(wait_healthy, proc)
        log("four services healthy: " + ", ".join(f"{n}:{p.port}" for n, p in services.items()))

        watch = Watch()
        connection = await aio_pika.connect(RABBITMQ_URL)
        channel = await connection.channel()
        observer = await channel.declare_queue(exclusive=True, auto_delete=True)
        for key in (ROUTED, SENT):
            await observer.bind(f"{env['DOITHOAI_AMQP_PREFIX']}.events", routing_key=key)
        await observer.consume(watch.on_event, no_ack=True)

        headers = {"authorization": f"Bearer {staff_token(keys)}"}
        pick = random.Random(SEED + 1)
        async with httpx.AsyncClient(base_url=services["intake"].base, headers=headers, timeout=30) as http:
            sample = pick.sample(stored, WARMUP_READS + READS)
            warm, measured = sample[:WARMUP_READS], sample[WARMUP_READS:]
            base = f"/api/v1/communes/{COMMUNE}"
            await timed_reads(http, [f"{base}/submissions/{i}" for i, _ in warm], full_view)
            log(f"{READS} reads by id")
            by_id, by_id_bad = await timed_reads(
                http, [f"{base}/submissions/{i}" for i, _ in measured], full_view
            )
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
    finally:
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
        mail.terminate()
        mail.wait(10)
        store.stop()

    p99 = result["read_by_id"]["p99_ms"]
    slowest = result["new_petitions"]["post_to_routed_max_s"]
    result["targets"] = {
        "read_by_id_p99_ms": TARGET_READ_P99_MS,
        "routed_s": TARGET_ROUTED_S,
        "read_by_id_p99_lt_100_ms": p99 is not None
        and p99 < TARGET_READ_P99_MS
        and not result["read_by_id"]["failed"],
        "every_new_petition_routed_lt_1_s": slowest is not None and slowest < TARGET_ROUTED_S,
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
