"""`doithoai run` (what `make run` starts) as a user meets it: four service processes on the
real RabbitMQ, the file-backed wire store, the .eml mail capture. A petition is routed within
2 s, each service's /metrics moves, and a kill -9 of everything loses no accepted submission."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import httpx
import pytest

from services.local.ports import is_listening
from tests.auth import staff_headers
from tests.conftest import TEST_AUTH_KEYS, _delete_topology

pytestmark = pytest.mark.e2e
DOITHOAI = str(Path(sys.executable).parent / "doithoai")


def free_port_block(size: int = 4) -> int:
    """A block of `size` free ports; each pytest-xdist worker searches its own range, so two
    workers starting `make run` at the same moment never pick the same block."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    start = 21000 + 1000 * (int(worker) % 9 if worker.isdigit() else 0)
    for base in range(start, start + 1000, 10):
        if not any(is_listening("127.0.0.1", base + i, timeout=0.05) for i in range(size)):
            return base
    raise RuntimeError("no free port block")


def http(method: str, url: str, body: dict | None = None, auth: bool = False) -> tuple[int, dict | str]:
    """`auth`: as the Party office, with a token signed by the deployment's key (DOITHOAI_AUTH_KEYS)."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"content-type": "application/json", **(staff_headers() if auth else {})},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            raw = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        raw, status = error.read().decode(), error.code
    try:
        return status, json.loads(raw)
    except json.JSONDecodeError:
        return status, raw


def start(workdir: Path, env: dict, name: str) -> subprocess.Popen:
    log_path = workdir / f"{name}.log"
    log = open(log_path, "ab")  # noqa: SIM115
    process = subprocess.Popen(
        [DOITHOAI, "run"], cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    deadline = time.monotonic() + 90
    while "doithoai is running" not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(
                "doithoai run did not start:\n" + log_path.read_text(errors="replace")[-3000:]
            )
        time.sleep(0.2)
    return process


def poll(check, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            return None
        time.sleep(0.05)


def staff_sees_the_decision_through_routing(site: str, submission_id: str) -> None:
    """`/` is the residents' home, `/staff/` sends a visitor to `/login`, and after logging in the
    Party office's item page shows the decision intake's staff pages fetched from routing's port."""
    with httpx.Client(base_url=site, follow_redirects=False, timeout=10) as client:
        home = client.get("/")
        assert home.status_code == 200 and 'id="gui-y-kien"' in home.text
        assert client.get("/staff/").headers["location"] == "/login?next=/staff/"
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
        login = client.post(
            "/login",
            data={
                "csrf_token": token,
                "username": "demo.vanphong",
                "password": "demo-vanphong-2017",
                "next": "/staff/",
            },
        )
        assert login.status_code == 303 and login.headers["location"] == "/staff/mat-khau", login.text
        # The demo password is published: it is changed once, at the first login.
        assert client.get(f"/staff/items/{submission_id}").headers["location"] == "/staff/mat-khau"
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/staff/mat-khau").text).group(1)
        changed = client.post(
            "/staff/mat-khau",
            data={
                "csrf_token": token,
                "current": "demo-vanphong-2017",
                "new": "mat-khau-rieng-2017",
                "again": "mat-khau-rieng-2017",
            },
        )
        assert changed.status_code == 303, changed.text
        item = client.get(f"/staff/items/{submission_id}")
        assert item.status_code == 200 and 'data-decision-topic="3"' in item.text


def metric_total(port: int, name: str) -> float:
    _, text = http("GET", f"http://127.0.0.1:{port}/metrics")
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name + "{") or line.startswith(name + " ")
    )


def test_make_run_routes_within_two_seconds_and_survives_kill_9(tmp_path, rabbitmq_url):
    port = free_port_block()
    prefix = f"e2e{uuid.uuid4().hex[:8]}"
    env = {k: v for k, v in os.environ.items() if k not in ("MONGODB_URL", "SMTP_URL")}
    env.update(
        {
            "PORT": str(port),
            "DOITHOAI_AMQP_PREFIX": prefix,
            "RABBITMQ_URL": rabbitmq_url,
            "DOITHOAI_BROKER": "rabbitmq",
            "DOITHOAI_AUTH_KEYS": TEST_AUTH_KEYS,
        }
    )
    base = f"http://127.0.0.1:{port}/api/v1/communes/demo"
    process = start(tmp_path, env, "first")
    try:
        status, accepted = http(
            "POST",
            f"{base}/submissions",
            {
                "source": "citizen",
                "kind": "petition",
                "hamlet": "ấp Căn Cứ",
                "text": "Cống thoát nước trên đường vào chợ bị nghẹt, mỗi lần mưa là ngập sâu.",
            },
        )
        assert status == 202, accepted

        def routed():
            _, view = http("GET", f"{base}/submissions/{accepted['id']}", auth=True)
            return view if view.get("status") in ("routed", "office_notified") else None

        view = poll(routed, timeout=2.0)
        assert view, "not routed within 2 s"
        # Phòng Kinh tế, by its title of 2017, the demo plan's year (as the plan's documents name it)
        assert view["topic"] == 3 and view["office"]["id"] == "phong-kinh-te"
        assert view["office"]["name"] == "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường"
        assert poll(lambda: list((tmp_path / ".data" / "mail").glob("*.eml")), timeout=10)
        staff_sees_the_decision_through_routing(f"http://127.0.0.1:{port}", accepted["id"])
        counters = {
            port: "doithoai_intake_submissions_total",
            port + 1: "doithoai_routing_submissions_routed_total",
            port + 2: "doithoai_notification_deliveries_total",
            port + 3: "doithoai_reporting_read_model_updates_total",
        }
        for service_port, name in counters.items():
            assert poll(lambda p=service_port, n=name: metric_total(p, n) >= 1, timeout=10), (
                f"{name} on :{service_port} did not move"
            )

        os.killpg(process.pid, signal.SIGKILL)  # the whole system dies at once: services and store
        process.wait(10)
        process = start(tmp_path, env, "after-kill")
        assert http("GET", f"{base}/submissions/{accepted['id']}")[0] == 401
        status, again = http("GET", f"{base}/submissions/{accepted['id']}", auth=True)
        assert (
            status == 200
            and again["tracking_code"] == accepted["tracking_code"]
            and again["status"] in ("routed", "office_notified")
        )
        _, items = http(
            "GET", f"http://127.0.0.1:{port + 3}/api/v1/communes/demo/dialogues/demo-2017/items", auth=True
        )
        assert accepted["id"] in [i["id"] for i in items["items"]]
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        asyncio.run(_delete_topology(rabbitmq_url, prefix))
    assert not any(is_listening("127.0.0.1", port + i, timeout=0.1) for i in range(4)), (
        "services still running after SIGTERM"
    )
