"""Nothing lost under faults: a stream of submissions runs while each service is killed with
SIGKILL and restarted, RabbitMQ's application is stopped and started, and the MongoDB wire
server is restarted on its data folder. Afterwards every accepted submission is stored, routed
and its office e-mailed exactly once in effect (counted at the SMTP capture server by
notification id and Message-ID), and the read model holds each one."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest

from services.local.mail_capture import MailCapture
from services.local.ports import free_port, wait_listening
from services.local.wire_store import start_wire_store
from tests.auth import staff_headers
from tests.conftest import TEST_AUTH_KEYS, _delete_topology

# exclusive: it stops the RabbitMQ every other test uses (make test runs it alone, after them)
pytestmark = [pytest.mark.e2e, pytest.mark.exclusive]
DOITHOAI = str(Path(sys.executable).parent / "doithoai")
SERVICES = ("intake", "routing", "notification", "reporting")
RABBITMQCTL = "/usr/sbin/rabbitmqctl"


class System:
    def __init__(self, workdir: Path, rabbitmq_url: str) -> None:
        self.workdir = workdir
        self.store = start_wire_store(workdir / "run", data_dir=workdir / "data")
        self.mail = MailCapture(workdir / "mail").start()
        self.prefix = f"fault{uuid.uuid4().hex[:8]}"
        self.ports = {name: free_port() for name in SERVICES}
        self.env = {
            **os.environ,
            "RABBITMQ_URL": rabbitmq_url,
            "MONGODB_URL": self.store.url,
            "SMTP_URL": self.mail.url,
            "DOITHOAI_AMQP_PREFIX": self.prefix,
            "DOITHOAI_RETRY_DELAY_MS": "300",
            "DOITHOAI_OUTBOX_INTERVAL_S": "0.5",
            "DOITHOAI_OUTBOX_GRACE_S": "2",
            "DOITHOAI_SCHEDULER_INTERVAL_S": "3600",
            "LOG_LEVEL": "WARNING",
            "DOITHOAI_API_POST_LIMIT": "1000000",
            "DOITHOAI_AUTH_KEYS": TEST_AUTH_KEYS,
            # reporting lists the items not routed yet from intake's internal API
            "DOITHOAI_INTAKE_URL": f"http://127.0.0.1:{self.ports['intake']}",
        }  # the feeder posts hundreds from one address
        self.processes: dict[str, subprocess.Popen] = {}

    def start(self, *names: str) -> None:
        """Start the services named, all at once, and wait until each answers /healthz."""
        for name in names:
            log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115
            self.processes[name] = subprocess.Popen(
                [DOITHOAI, "serve", name, "--port", str(self.ports[name])],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        for name in names:
            self._wait_healthy(name)

    def _wait_healthy(self, name: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.ports[name]}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(
            f"{name} did not become healthy:\n"
            + (self.workdir / f"{name}.log").read_text(errors="replace")[-2000:]
        )

    def kill(self, name: str) -> None:
        self.processes[name].send_signal(signal.SIGKILL)
        self.processes[name].wait(10)

    def restart_store(self) -> None:
        port = self.store.port
        self.store.process.send_signal(signal.SIGKILL)
        self.store.process.wait(10)
        self.store = start_wire_store(self.workdir / "run", data_dir=self.workdir / "data", port=port)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        self.mail.stop()
        self.store.stop()


def seed(system: System) -> None:
    subprocess.run([DOITHOAI, "seed-demo"], env=system.env, check=True, capture_output=True, timeout=60)


def feed(system: System, accepted: list[str], stop: threading.Event) -> None:
    """Residents keep posting; what intake accepted (202) must all come through."""
    n = 0
    with httpx.Client(timeout=10) as client:
        while not stop.is_set():
            n += 1
            body = {
                "source": "citizen",
                "kind": "petition",
                "hamlet": "ấp Chợ",
                "text": f"Cống thoát nước trước chợ bị nghẹt, mưa là ngập (lần {n}).",
            }
            try:
                response = client.post(
                    f"http://127.0.0.1:{system.ports['intake']}/api/v1/communes/demo/submissions", json=body
                )
                if response.status_code == 202:
                    accepted.append(response.json()["id"])
            except httpx.HTTPError:
                pass  # intake is down or the store is: nothing was accepted
            time.sleep(0.1)


def rabbitmq(action: str) -> None:
    subprocess.run([RABBITMQCTL, "-q", action], check=True, timeout=120)


def test_nothing_is_lost_when_services_broker_and_store_fail(tmp_path, rabbitmq_url, counts):
    if not Path(RABBITMQCTL).exists():
        pytest.fail("rabbitmqctl is needed to restart the broker: run `make deps` (Debian's rabbitmq-server)")
    system = System(tmp_path, rabbitmq_url)
    accepted: list[str] = []
    stop = threading.Event()
    try:
        seed(system)
        # intake declares the topology first; the other three then find it there (quorum
        # queues declared by several processes at once raced their leaders' start-up)
        system.start("intake")
        system.start(*(name for name in SERVICES if name != "intake"))
        feeder = threading.Thread(target=feed, args=(system, accepted, stop), daemon=True)
        feeder.start()
        time.sleep(2)
        for name in SERVICES:  # each service in turn dies mid-stream and comes back
            system.kill(name)
            time.sleep(1.5)
            system.start(name)
            time.sleep(1.5)
        rabbitmq("stop_app")
        time.sleep(2)
        rabbitmq("start_app")
        wait_listening("127.0.0.1", 5672, timeout=60)
        time.sleep(3)
        system.restart_store()
        time.sleep(3)
        stop.set()
        feeder.join(15)
        assert len(accepted) >= 30, f"too few submissions accepted to prove anything: {len(accepted)}"

        base = f"http://127.0.0.1:{system.ports['intake']}/api/v1/communes/demo/submissions"
        deadline = time.monotonic() + 120
        with httpx.Client(timeout=10) as client:
            # A resident whose request was cut by a kill may not have seen the 202 of a stored
            # submission: what counts is everything stored, which must include every 202.
            stored = set()
            missing = set(accepted)
            while time.monotonic() < deadline:
                items = client.get(
                    f"http://127.0.0.1:{system.ports['reporting']}/api/v1/communes/demo/dialogues/demo-2017/items",
                    headers=staff_headers(),
                ).json()["items"]
                stored = {i["id"] for i in items} | set(accepted)
                missing = {
                    i
                    for i in stored
                    if client.get(f"{base}/{i}", headers=staff_headers()).json().get("status")
                    != "office_notified"
                }
                if not missing:
                    break
                time.sleep(1)
        assert not missing, f"{len(missing)} of {len(stored)} stored submissions never reached their office"
        assert set(accepted) <= stored
        messages = system.mail.messages()
        notifications = [m["X-Doithoai-Notification"] for m in messages]
        copies = len(notifications) - len(set(notifications))
        counts(
            f"accepted {len(accepted)}; stored {len(stored)}; e-mails {len(notifications)}; "
            f"distinct notifications {len(set(notifications))}; resent copies {copies}"
        )
        assert len(set(notifications)) == len(stored)  # every stored submission's office told once
        # SMTP has no exactly-once: a process killed after the server accepted a message and
        # before the outcome was stored sends it again on recovery. The copy carries the same
        # Message-ID, so mailboxes show it once. Only the one kill of the notification service
        # can cause copies, at most one per send in flight then (prefetch, 32 by default);
        # runs here saw 0 to 2.
        assert copies <= 32
        assert all(
            len({m["Message-ID"] for m in messages if m["X-Doithoai-Notification"] == n}) == 1
            for n in set(notifications)
        )
    finally:
        stop.set()
        if subprocess.run([RABBITMQCTL, "-q", "status"], capture_output=True, timeout=60).returncode != 0:
            rabbitmq("start_app")
        system.stop()
        asyncio.run(_delete_topology(rabbitmq_url, system.prefix))
