"""The four services in one app on the real broker and store: a 100 MB chunked body is refused
with 413 while the process's memory stays flat (through a real uvicorn on a loopback port, and
straight through the ASGI app), odd correlation ids are replaced rather than answered 500, and
every HTML page answers with the security headers."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import re
import socket

import httpx
import pytest
import uvicorn
from fastapi.routing import APIRoute

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.intake.repository import SUBMISSIONS
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from shared.auth.principal import Principal, PrincipalKind, Role
from tests.integration.helpers import running

pytestmark = pytest.mark.integration

SUBMIT = "/api/v1/communes/demo/submissions"
PETITION = {
    "source": "citizen",
    "kind": "petition",
    "hamlet": "ấp Chợ",
    "text": "Cống thoát nước trước chợ bị nghẹt, mưa là ngập.",
}
WEB_FORM = {
    "hamlet": "ấp Chợ",
    "topic": "",
    "kind": "petition",
    "text": "Đèn đường hư, ban đêm trộm cắp nhiều, đề nghị xã sửa.",
    "name": "",
    "phone": "",
}
TOKEN = re.compile(r'name="csrf_token" value="([A-Za-z0-9_-]+)"')
CORRELATION_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")
HUNDRED_MB, CHUNK = 100 * 1024 * 1024, 64 * 1024
MB = 1024 * 1024


def rss() -> int:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmRSS:"))


@contextlib.asynccontextmanager
async def peak_rss():
    """Samples VmRSS every few milliseconds while the block runs; yields {"before", "peak"}."""
    gc.collect()
    seen = {"before": rss(), "peak": rss()}

    async def sample():
        while True:
            seen["peak"] = max(seen["peak"], rss())
            await asyncio.sleep(0.005)

    sampler = asyncio.create_task(sample())
    try:
        yield seen
    finally:
        sampler.cancel()
        seen["peak"] = max(seen["peak"], rss())


@pytest.fixture
async def stack(make_settings, mail_capture):
    settings = make_settings(SMTP_URL=mail_capture.url, DOITHOAI_REPORTING_URL="inprocess")
    app = build_app(settings, [intake, routing, notification, reporting], title="t")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            yield app, client


@contextlib.asynccontextmanager
async def served(app):
    """The app (its lifespan already running) behind uvicorn on a free loopback port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="off", log_level="warning", http="h11"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            assert not task.done(), "uvicorn did not start"
            await asyncio.sleep(0.02)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, 20)
        sock.close()


async def hundred_mb():
    chunk = b" " * CHUNK  # one buffer sent again and again: the client holds no more than this
    for _ in range(HUNDRED_MB // CHUNK):
        yield chunk


async def test_a_100_mb_chunked_body_through_uvicorn_is_413_and_memory_stays_flat(stack):
    app, _ = stack
    async with served(app) as url, httpx.AsyncClient(base_url=url, timeout=120) as http:
        async with peak_rss() as memory:
            refused = await http.post(
                SUBMIT, content=hundred_mb(), headers={"content-type": "application/json"}
            )
        assert refused.status_code == 413, refused.text
        assert (
            refused.json()["error"] == "body_too_large"
            and "quá lớn" in refused.json()["message_vi"]
            and refused.json()["message_en"]
        )
        assert memory["peak"] - memory["before"] < 20 * MB, (
            f"RSS grew by {(memory['peak'] - memory['before']) / MB:.1f} MB"
        )
        accepted = await http.post(SUBMIT, json=PETITION)  # a normal body still goes through
        assert accepted.status_code == 202, accepted.text


async def test_a_100_mb_body_straight_through_the_app_stops_being_read(stack):
    app, _ = stack
    read = 0
    sent: list[dict] = []

    async def receive():
        nonlocal read
        read += CHUNK
        return {"type": "http.request", "body": b" " * CHUNK, "more_body": read < HUNDRED_MB}

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0", "spec_version": "2.4"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": SUBMIT,
        "raw_path": SUBMIT.encode(),
        "query_string": b"",
        "root_path": "",
        "client": ("127.0.0.1", 50000),
        "server": ("t", 80),
        "headers": [
            (b"host", b"t"),
            (b"content-type", b"application/json"),
            (b"transfer-encoding", b"chunked"),
        ],
    }
    async with peak_rss() as memory:
        await app(scope, receive, send)
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] == [413]
    assert read <= 4 * CHUNK, f"read {read} bytes"  # stopped reading just past the 64 kB limit
    assert memory["peak"] - memory["before"] < 20 * MB


async def test_a_declared_length_over_the_limit_is_still_413(stack):
    _, client = stack
    too_long = await client.post(
        SUBMIT, content=b" " * (64 * 1024 + 1), headers={"content-type": "application/json"}
    )
    assert too_long.status_code == 413 and too_long.json()["error"] == "body_too_large"
    assert (await client.post(SUBMIT, json=PETITION)).status_code == 202


@pytest.mark.parametrize("supplied", ["x" * 100, "ý kiến; <b>đỏ</b> \t"])
async def test_odd_correlation_ids_on_the_api_are_replaced_not_a_500(stack, supplied):
    app, client = stack
    response = await client.post(SUBMIT, json=PETITION, headers={"x-correlation-id": supplied.encode()})
    assert response.status_code == 202, response.text
    used = response.headers["x-correlation-id"]
    assert used != supplied and CORRELATION_ID.fullmatch(used)
    stored = await app.state.runtime.db[SUBMISSIONS].find_one({"_id": response.json()["id"]})
    assert stored["correlation_id"] == used


async def test_a_good_correlation_id_is_carried_to_the_stored_submission(stack):
    app, client = stack
    response = await client.post(
        SUBMIT, json=PETITION, headers={"x-correlation-id": "zalo-mini-app:2017.03.25_001"}
    )
    assert (
        response.status_code == 202 and response.headers["x-correlation-id"] == "zalo-mini-app:2017.03.25_001"
    )
    stored = await app.state.runtime.db[SUBMISSIONS].find_one({"_id": response.json()["id"]})
    assert stored["correlation_id"] == "zalo-mini-app:2017.03.25_001"


@pytest.mark.parametrize("supplied", ["x" * 100, "ý kiến; <b>đỏ</b>"])
async def test_odd_correlation_ids_on_the_web_form_are_replaced_not_a_500(stack, supplied):
    app, client = stack
    token = TOKEN.search((await client.get("/xa/demo")).text).group(1)
    header = {"x-correlation-id": supplied.encode()}
    response = await client.post(
        "/xa/demo/gui-y-kien", data={**WEB_FORM, "csrf_token": token}, headers=header
    )
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/xa/demo/da-gui?ma=DT-")
    used = response.headers["x-correlation-id"]
    assert CORRELATION_ID.fullmatch(used) and used != supplied
    stored = await app.state.runtime.db[SUBMISSIONS].find_one({"correlation_id": used})
    assert stored is not None and stored["text"] == WEB_FORM["text"]


async def test_a_web_form_with_too_many_fields_gets_a_vietnamese_413(stack):
    _, client = stack
    token = TOKEN.search((await client.get("/xa/demo")).text).group(1)
    stuffed = {**WEB_FORM, "csrf_token": token, **{f"x{i}": "a" for i in range(200)}}
    response = await client.post("/xa/demo/gui-y-kien", data=stuffed, headers={"accept": "text/html"})
    assert response.status_code == 413 and "quá nhiều trường" in response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


# Path parameters for requesting every GET route of the app.
_PARAMS = {"commune_id": "demo", "dialogue_id": "demo-2017", "kind": "thong-bao-ket-luan", "fmt": "html"}
# The HTML routes there are at least (others may be added; each is checked the same way).
_KNOWN_HTML = {
    "/",
    "/xa/{commune_id}",
    "/xa/{commune_id}/theo-doi",
    "/xa/{commune_id}/dang-ky",
    "/xa/{commune_id}/ket-luan",
    "/login",
    "/public/{commune_id}/dialogues/{dialogue_id}",
    "/api/v1/communes/{commune_id}/dialogues/{dialogue_id}/documents/{kind}/preview.{fmt}",
    "/api/v1/communes/{commune_id}/dialogues/{dialogue_id}/conclusion-notice/draft",
}


def get_paths(routes, prefix: str = ""):
    """Every GET path of the app, through included routers (FastAPI keeps them nested)."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from get_paths(included.routes, prefix + route.include_context.prefix)
        elif isinstance(route, APIRoute) and "GET" in route.methods:
            yield prefix + route.path


def _assert_secure_html(path: str, response: httpx.Response) -> None:
    headers = response.headers
    assert headers.get("x-content-type-options") == "nosniff", path
    assert "frame-ancestors 'none'" in headers.get("content-security-policy", ""), path
    assert (
        "default-src" in headers["content-security-policy"]
        and "base-uri 'none'" in headers["content-security-policy"]
    ), path
    assert headers.get("x-frame-options") == "DENY" and headers.get("referrer-policy"), path


async def test_every_html_page_of_every_service_has_the_security_headers(stack):
    app, client = stack
    staff = Principal(
        kind=PrincipalKind.USER, subject="t-vp", name="t.vp", commune_id="demo", role=Role.PARTY_OFFICE
    )
    auth = {"authorization": f"Bearer {app.state.runtime.tokens.issue(staff)}", "accept": "text/html"}
    html_routes: set[str] = set()
    for template in get_paths(app.routes):
        path = re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: _PARAMS.get(m.group(1), "x"), template)
        response = await client.get(path, headers=auth)
        assert response.status_code < 500, (template, response.status_code, response.text[:300])
        assert response.headers.get("x-content-type-options") == "nosniff", template
        if response.headers.get("content-type", "").startswith("text/html"):
            html_routes.add(template)
            _assert_secure_html(template, response)
    assert _KNOWN_HTML <= html_routes, _KNOWN_HTML - html_routes
    for path in (
        "/xa/khong-co-xa-nay",
        "/xa/demo/theo-doi?ma=sai",
        "/static/site.css",
    ):  # error pages too; CSS gets nosniff
        response = await client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        if response.headers["content-type"].startswith("text/html"):
            _assert_secure_html(path, response)
    for path in ("/docs", "/redoc"):
        docs = await client.get(path)
        if docs.status_code == 200:  # unless DOITHOAI_DOCS turned them off
            _assert_secure_html(path, docs)
            assert "https://cdn.jsdelivr.net" in docs.headers["content-security-policy"]
