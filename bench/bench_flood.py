"""A hamlet meeting's flood through `make run` (issue 17, acceptance 1).

Run ``.venv/bin/python -m bench.bench_flood``: prints one JSON line on stdout, progress on
stderr. It needs RabbitMQ on 127.0.0.1:5672 (or RABBITMQ_URL).

It starts the whole system as `make run` does (``.venv/bin/doithoai run``: the embedded
nx-27017 store with its data in ``./.data``, the mail capture server, the four services as
four processes on RabbitMQ, the demo commune seeded), in a fresh temporary folder as the
working directory (so ``./.data`` is a fresh store), on free ports (``PORT``) and under a
fresh ``DOITHOAI_AMQP_PREFIX`` (an empty set of queues on the shared broker). The per-address
limit on anonymous posts is lifted (``DOITHOAI_API_POST_LIMIT``): every post comes from
127.0.0.1, and the benchmark measures the pipeline, not that limit.

Then it posts N petitions (``DOITHOAI_BENCH_FLOOD_N``, default 1,000) written from four
templates, as a hamlet meeting filing the same complaint many times would (each repeated with
a different number, hamlet of the demo commune and punctuation), to the demo commune's JSON
API (``POST /api/v1/communes/demo/submissions``) from 20 concurrent clients
(``DOITHOAI_BENCH_FLOOD_CLIENTS``). A 429 or 503 is counted and the same petition is sent
again after its ``Retry-After``; nothing refused is dropped.

Routed is counted from routing's ``/metrics`` (``doithoai_routing_submissions_routed_total``
for the commune, every outcome), read every 0.5 s: one small GET per poll whatever N is. The
store is fresh, so every routed item is one of the benchmark's.

It reports the accepted posts per second, the seconds from the last accepted POST until all
were routed, end-to-end items/s (first POST to all routed), the outbox relay's republished
copies (``doithoai_<service>_outbox_republished_total`` of each service) and every queue of
this run's prefix at the end (``rabbitmqctl list_queues``: ready and unacknowledged; a passive
declare, ready only, when rabbitmqctl is not at hand). It exits 1 when not all were routed
within 60 s of the last accepted POST, when a queue is not empty, or when the relay republished
anything. The system is stopped with SIGINT (as Ctrl-C stops `make run`), and this run's
queues and exchanges and the temporary folder are removed, whatever happened.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import aio_pika
import httpx
from prometheus_client.parser import text_string_to_metric_families

from services.demo.seed import DEMO_COMMUNE_ID, demo_commune
from services.deployment import CONSUMERS
from services.local.ports import is_listening
from shared.topology import Topology
from shared.topology import remove as topology_remove

N = int(os.environ.get("DOITHOAI_BENCH_FLOOD_N", "1000"))
CLIENTS = int(os.environ.get("DOITHOAI_BENCH_FLOOD_CLIENTS", "20"))
ROUTED_WITHIN_S = 60.0  # the acceptance: all routed within this long after the last POST
# After the 60 s the benchmark keeps polling this much longer, so a miss still says how long it took.
EXTRA_WAIT_S = float(os.environ.get("DOITHOAI_BENCH_FLOOD_EXTRA_WAIT_S", "120"))
QUEUES_EMPTY_WITHIN_S = 60.0  # notification and reporting finish after routing
RABBITMQ_URL = os.environ.get("RABBITMQ_URL", "amqp://guest:guest@127.0.0.1:5672/")
SERVICES = ("intake", "routing", "notification", "reporting")  # ports PORT, PORT+1, … as the runner
ROOT = Path(__file__).resolve().parent.parent
SEED = 20170325

# What the runner would otherwise take from this shell instead of its fresh defaults.
_INHERITED = (
    "MONGODB_URL",
    "MONGODB_DB",
    "SMTP_URL",
    "DOITHOAI_INTAKE_URL",
    "DOITHOAI_ROUTING_URL",
    "DOITHOAI_REPORTING_URL",
    "DOITHOAI_PUBLIC_REPORTING_URL",
    "DOITHOAI_PUBLIC_URL",
    "DOITHOAI_AUTH_KEYS",
    "DOITHOAI_METRICS_TOKEN",
)

# Four complaints of one hamlet meeting; {hamlet} and {n} vary, and so does the ending.
TEMPLATES = (
    "Đường liên {hamlet} đoạn gần cầu số {n} xuống cấp nghiêm trọng, ổ gà nhiều, mưa xuống "
    "là ngập, xe chở nông sản đi lại rất khó khăn. Đề nghị xã sớm sửa chữa, nâng cấp mặt đường",
    "Kênh thủy lợi nội đồng {hamlet} bị bồi lắng, lục bình mọc dày, {n} hộ không lấy được nước "
    "tưới lúa vụ này. Đề nghị xã cho nạo vét kênh trước mùa khô",
    "Cơ sở nuôi heo ở tổ {n} {hamlet} xả nước thải chưa qua xử lý ra kênh, mùi hôi nồng nặc, "
    "bà con xung quanh bị ảnh hưởng sức khỏe. Đề nghị xã kiểm tra, xử lý dứt điểm",
    "Đèn đường trên tuyến lộ {hamlet} hư hỏng {n} bóng đã lâu chưa được thay, ban đêm tối om, "
    "mất an toàn giao thông và an ninh trật tự. Đề nghị xã sửa chữa, thay bóng đèn",
)
ENDINGS = (".", "!", "..", " ạ.", ".", " nhé.", "!!", "")


def petitions(n: int) -> list[dict[str, str]]:
    rng = random.Random(SEED)
    hamlets = [h.name for h in demo_commune().hamlets]
    out = []
    for i in range(n):
        hamlet = rng.choice(hamlets)
        text = TEMPLATES[i % len(TEMPLATES)].format(hamlet=hamlet, n=rng.randint(1, 60))
        out.append(
            {"source": "citizen", "kind": "petition", "hamlet": hamlet, "text": text + rng.choice(ENDINGS)}
        )
    return out


def log(message: str) -> None:
    print(f"[bench_flood {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _free_port_run(count: int) -> int:
    """A port with the `count - 1` next ones free too (the runner takes PORT, PORT+1, …), below
    the kernel's ephemeral range, where the processes' own connections and `free_port()` (the
    runner's store and mail server) would otherwise take one of them meanwhile."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(max(1024, low - 12000), low - count)
        if all(_bindable(port + i) for i in range(count)):
            return port
    raise RuntimeError("no run of free ports")


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return not is_listening("127.0.0.1", port)


@dataclass
class System:
    """`doithoai run` in its own session, so a Ctrl-C at this terminal does not reach it twice."""

    process: subprocess.Popen[bytes]
    port: int
    workdir: Path

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.port + SERVICES.index(service)}"

    def log_tail(self, lines: int = 40) -> str:
        path = self.workdir / "run.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self) -> int | None:
        """SIGINT, as Ctrl-C: the runner stops the services, the mail server and the store."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                log("the runner did not stop within 60 s: killing its process group")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        return self.process.returncode


def start_system(workdir: Path, prefix: str) -> System:
    env = {k: v for k, v in os.environ.items() if k not in _INHERITED}
    port = _free_port_run(len(SERVICES))
    env.update(
        PORT=str(port),
        DOITHOAI_AMQP_PREFIX=prefix,
        DOITHOAI_BROKER="rabbitmq",
        RABBITMQ_URL=RABBITMQ_URL,
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
        DOITHOAI_API_POST_LIMIT="1000000000",
    )
    out = open(workdir / "run.log", "wb")  # noqa: SIM115 - the runner's, closed when it ends
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "doithoai"), "run"],
        cwd=workdir,  # ./.data is a fresh store
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    out.close()
    return System(process, port, workdir)


def wait_answering(system: System, timeout: float = 180) -> float:
    """Until every service answers /healthz (the runner seeds the demo first). Seconds taken."""
    started = time.monotonic()
    pending = list(SERVICES)
    with httpx.Client(timeout=2) as client:
        while pending:
            if system.process.poll() is not None:
                raise RuntimeError(f"doithoai run ended ({system.process.returncode}):\n{system.log_tail()}")
            if time.monotonic() - started > timeout:
                raise TimeoutError(f"{pending} not answering after {timeout:.0f} s:\n{system.log_tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{system.url(pending[0])}/healthz").status_code == 200:
                    pending.pop(0)
                    continue
            time.sleep(0.3)
    return time.monotonic() - started


@dataclass
class Posting:
    accepted: int = 0
    refused_429: int = 0
    refused_503: int = 0
    connection_errors: int = 0
    other: dict[str, int] = field(default_factory=dict)
    retry_after_s: float = 0.0  # summed over the refusals
    first_post: float = 0.0
    last_accepted: float = 0.0


async def post_all(base: str, bodies: list[dict[str, str]]) -> Posting:
    stats = Posting()
    todo: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    for body in bodies:
        todo.put_nowait(body)
    url = f"/api/v1/communes/{DEMO_COMMUNE_ID}/submissions"

    async def client_loop(client: httpx.AsyncClient) -> None:
        while True:
            try:
                body = todo.get_nowait()
            except asyncio.QueueEmpty:
                return
            while True:  # the same petition until it is accepted or refused for good
                try:
                    response = await client.post(url, json=body)
                except httpx.TransportError:
                    stats.connection_errors += 1
                    await asyncio.sleep(1.0)
                    continue
                if response.status_code == 202:
                    stats.accepted += 1
                    stats.last_accepted = time.monotonic()
                    break
                if response.status_code in (429, 503):
                    if response.status_code == 429:
                        stats.refused_429 += 1
                    else:
                        stats.refused_503 += 1
                    try:
                        wait = float(response.headers.get("retry-after", "1"))
                    except ValueError:
                        wait = 1.0
                    stats.retry_after_s += wait
                    await asyncio.sleep(wait)
                    continue
                key = f"{response.status_code} {response.text[:120]}"
                stats.other[key] = stats.other.get(key, 0) + 1
                break

    limits = httpx.Limits(max_connections=CLIENTS, max_keepalive_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        stats.first_post = time.monotonic()
        await asyncio.gather(*(client_loop(client) for _ in range(CLIENTS)))
    return stats


async def metric_sum(client: httpx.AsyncClient, base: str, name: str, **labels: str) -> float:
    """The sum of a counter's samples on one service's /metrics (those with `labels`)."""
    response = await client.get(f"{base}/metrics")
    response.raise_for_status()
    total = 0.0
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                total += sample.value
    return total


async def routed_count(client: httpx.AsyncClient, system: System) -> int:
    return int(
        await metric_sum(
            client,
            system.url("routing"),
            "doithoai_routing_submissions_routed_total",
            commune_id=DEMO_COMMUNE_ID,
        )
    )


async def queue_depths_passive(prefix: str) -> dict[str, int]:
    """Ready messages of each of this run's queues (a passive declare; -1: missing)."""
    names = Topology(prefix, 100, 20, tuple(CONSUMERS)).all_queue_names()
    depths: dict[str, int] = {}
    connection = await aio_pika.connect(RABBITMQ_URL)
    async with connection:
        for name in names:
            channel = await connection.channel()  # a failed passive declare closes its channel
            try:
                queue = await channel.declare_queue(name, passive=True)
                depths[name] = int(queue.declaration_result.message_count or 0)
            except aio_pika.exceptions.AMQPError:
                depths[name] = -1
    return depths


def queue_depths_rabbitmqctl(prefix: str) -> dict[str, int] | None:
    """Ready plus unacknowledged messages of each queue under `prefix`; None without rabbitmqctl."""
    if not shutil.which("rabbitmqctl"):
        return None
    try:
        done = subprocess.run(
            ["rabbitmqctl", "-q", "list_queues", "name", "messages"],
            capture_output=True,
            text=True,
            timeout=90,
            check=True,
        )
    except (subprocess.SubprocessError, OSError):
        return None
    depths = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0].startswith(f"{prefix}.") and parts[1].isdigit():
            depths[parts[0]] = int(parts[1])
    return depths


async def flood(system: System, prefix: str, result: dict) -> list[str]:
    """The measurement; returns the targets missed."""
    missed: list[str] = []
    async with httpx.AsyncClient(timeout=10) as client:
        baseline = await routed_count(client, system)
        bodies = petitions(N)
        log(f"posting {N} petitions from {len(TEMPLATES)} templates at {CLIENTS} concurrent clients")
        posting = await post_all(system.url("intake"), bodies)
        post_s = posting.last_accepted - posting.first_post
        result["posting"] = {
            "accepted": posting.accepted,
            "seconds": round(post_s, 2),
            "accepted_per_s": round(posting.accepted / post_s, 1) if post_s > 0 else None,
            "refused_429": posting.refused_429,
            "refused_503": posting.refused_503,
            "retry_after_s_total": round(posting.retry_after_s, 1),
            "connection_errors": posting.connection_errors,
            "other_answers": posting.other,
        }
        log(f"posting: {result['posting']}")
        if posting.accepted < N:
            missed.append(f"only {posting.accepted} of {N} petitions accepted: {posting.other}")

        # Routed: routing's counter, polled every 0.5 s.
        target = baseline + posting.accepted
        deadline = posting.last_accepted + ROUTED_WITHIN_S
        routed_at_deadline: int | None = None
        all_routed_at: float | None = None
        routed = baseline
        while time.monotonic() < deadline + EXTRA_WAIT_S:
            with contextlib.suppress(httpx.HTTPError):
                routed = await routed_count(client, system)
            now = time.monotonic()
            if routed_at_deadline is None and now >= deadline:
                routed_at_deadline = routed - baseline
            if routed >= target:
                all_routed_at = now
                break
            await asyncio.sleep(0.5)
        routed_items = routed - baseline
        if routed_at_deadline is None:
            routed_at_deadline = routed_items
        result["routing"] = {
            "routed": routed_items,
            "routed_within_60s_of_last_post": routed_at_deadline,
            "after_last_post_s": (
                round(all_routed_at - posting.last_accepted, 2) if all_routed_at is not None else None
            ),
            "end_to_end_items_per_s": (
                round(posting.accepted / (all_routed_at - posting.first_post), 1)
                if all_routed_at is not None
                else None
            ),
            "counted_from": "routing /metrics doithoai_routing_submissions_routed_total{commune_id=demo}",
        }
        log(f"routing: {result['routing']}")
        if all_routed_at is None or all_routed_at > deadline:
            missed.append(
                f"{posting.accepted - routed_at_deadline} not routed "
                f"{ROUTED_WITHIN_S:.0f} s after the last POST"
            )

        # The queues, once notification and reporting have caught up: ready and unacknowledged
        # (rabbitmqctl's counts lag a few seconds behind), polled for up to 60 s.
        drained_from = time.monotonic()
        while True:
            final = await asyncio.to_thread(queue_depths_rabbitmqctl, prefix)
            method = "rabbitmqctl list_queues (ready + unacknowledged)"
            if final is None:
                final, method = await queue_depths_passive(prefix), "passive declare (ready only)"
            if (final and not any(final.values())) or time.monotonic() - drained_from > QUEUES_EMPTY_WITHIN_S:
                break
            await asyncio.sleep(1.0)
        nonempty = {name: depth for name, depth in final.items() if depth != 0}
        result["queues"] = {
            "checked": len(final),
            "non_empty": nonempty,
            "method": method,
            "waited_s": round(time.monotonic() - drained_from, 1),
        }
        log(f"queues: {result['queues']}")
        if nonempty or not final:
            missed.append(f"queues not empty at the end: {nonempty or 'none found'}")

        republished = {}
        for service in SERVICES:
            name = f"doithoai_{service}_outbox_republished_total"
            try:
                republished[service] = int(await metric_sum(client, system.url(service), name))
            except httpx.HTTPError as error:
                republished[service] = -1
                missed.append(f"{service} /metrics unreadable: {error!r}")
        result["outbox_republished"] = republished
        if sum(v for v in republished.values() if v > 0):
            missed.append(f"the outbox relay republished copies: {republished}")
    return missed


def main() -> int:
    prefix = f"flood{uuid.uuid4().hex[:8]}"
    workdir = Path(tempfile.mkdtemp(prefix="doithoai-flood-"))
    result: dict = {
        "benchmark": "flood",
        "n": N,
        "clients": CLIENTS,
        "templates": len(TEMPLATES),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    missed: list[str] = []
    system: System | None = None
    try:
        log(f"starting `doithoai run` in {workdir} (prefix {prefix})")
        system = start_system(workdir, prefix)
        result["startup_s"] = round(wait_answering(system), 1)
        log(f"answering after {result['startup_s']} s (intake on {system.url('intake')})")
        missed = asyncio.run(flood(system, prefix, result))
    except Exception as error:  # reported in the line, and the run fails
        missed.append(f"{type(error).__name__}: {error}")
    finally:
        result["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
        if system is not None:
            if missed:
                log(f"runner log, last lines:\n{system.log_tail()}")
            result["runner_exit_status"] = system.stop()
        try:
            asyncio.run(topology_remove(RABBITMQ_URL, prefix, CONSUMERS))
        except Exception as error:  # noqa: BLE001 - reported, the cleanup goes on
            log(f"could not remove the topology {prefix}: {error!r}")
        shutil.rmtree(workdir, ignore_errors=True)
    result["missed"] = missed
    print(json.dumps(result, ensure_ascii=False), flush=True)
    for line in missed:
        log(f"MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
