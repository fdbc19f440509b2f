"""The four services in one process on the real broker and store: a submission goes from the
HTTP POST to routed, the office's e-mail and the draft conclusion notice; bad input changes
nothing. (Separate processes are covered by tests/e2e.)"""

from __future__ import annotations

import httpx
import pytest
from prometheus_client import CollectorRegistry

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.intake.repository import SUBMISSIONS
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
# Phòng Kinh tế's title in 2017, the demo plan's year: what the plan's documents and the API name
KINH_TE_2017 = "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường"
PETITION = {
    "source": "citizen",
    "kind": "petition",
    "hamlet": "ap Cho",
    "text": "Rác thải sinh hoạt đổ bừa bãi ven kênh, bốc mùi hôi thối, đề nghị xã xử lý.",
}


@pytest.fixture
async def system(make_settings, mail_capture):
    settings = make_settings(SMTP_URL=mail_capture.url)
    registry = CollectorRegistry()
    app = build_app(settings, [intake, routing, notification, reporting], title="t", registry=registry)
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers()
        ) as client:
            yield client, app.state.runtime.db, registry


def metric(registry: CollectorRegistry, name: str, **labels) -> float:
    return registry.get_sample_value(name, labels) or 0.0


async def test_a_petition_is_stored_routed_notified_and_in_the_draft_notice(system, mail_capture):
    client, db, registry = system
    response = await client.post(f"{BASE}/submissions", json=PETITION, headers={"x-correlation-id": "corr-1"})
    assert response.status_code == 202, response.text
    assert response.headers["x-correlation-id"] == "corr-1"
    accepted = response.json()
    assert accepted["tracking_code"].startswith("DT-")

    view = await eventually(lambda: _status_is(client, accepted["id"], "office_notified"))
    assert (
        view["topic"],
        view["office"]["id"],
        view["office"]["name"],
        view["authority_level"],
        view["hamlet"],
    ) == (
        4,
        "phong-kinh-te",
        KINH_TE_2017,
        "commune",
        "ấp Chợ",
    )
    assert [h["status"] for h in view["history"]] == ["received", "routed", "office_notified"]
    tracked = (await client.get(f"{BASE}/tracking/{accepted['tracking_code'].lower()}")).json()
    assert tracked["id"] == accepted["id"]

    [mail] = await eventually(mail_capture.messages)
    assert mail["To"] == "kinhte@tanphuoc.example" and accepted["tracking_code"] in mail["Subject"]
    assert PETITION["text"] in mail.get_content()

    notice = await eventually(lambda: _notice_with(client, PETITION["text"]))
    # the 2017 demo's notice names the office by its 2017 title (Phòng Kinh tế since the 2025 reform)
    assert "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường" in notice
    assert "Vệ sinh môi trường" in notice

    assert metric(registry, "doithoai_intake_submissions_total", commune_id="demo", outcome="accepted") == 1
    assert (
        metric(
            registry,
            "doithoai_routing_submissions_routed_total",
            commune_id="demo",
            topic="4",
            authority_level="commune",
            outcome="auto",
        )
        == 1
    )
    assert (
        metric(
            registry,
            "doithoai_notification_deliveries_total",
            commune_id="demo",
            channel="email",
            outcome="sent",
        )
        == 1
    )
    assert (
        metric(
            registry,
            "doithoai_reporting_read_model_updates_total",
            commune_id="demo",
            event_type="submission.routed.v1",
        )
        == 1
    )
    stored = await db[SUBMISSIONS].find_one({"_id": accepted["id"]})
    assert stored["correlation_id"] == "corr-1" and not stored["outbox_pending"]


async def _notice_with(client: httpx.AsyncClient, text: str) -> str | None:
    response = await client.get(f"{BASE}/dialogues/demo-2017/conclusion-notice/draft")
    return response.text if text in response.text else None


@pytest.mark.parametrize(
    ("content", "status", "field"),
    [
        (b'{"source": "citizen", "kind": "petition", "text": ', 422, "body"),
        ({"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": "x" * 100_000}, 413, None),
        ({"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": "đ" * 20_000}, 422, "text"),
        ({**PETITION, "source": "tourist"}, 422, "source"),
        (
            '{"source": "citizen", "kind": "petition", "text": "Đường ngập"}'.encode("utf-8").replace(
                b"\xc4\x90", b"\xc4\xff"
            ),
            422,
            "body",
        ),
        ({**PETITION, "hamlet": "ấp Không Có"}, 422, "hamlet"),
    ],
    ids=["malformed-json", "100kB-body", "text-too-long", "wrong-source", "invalid-utf8", "unknown-hamlet"],
)
async def test_bad_input_gets_a_clear_4xx_and_stores_nothing(system, content, status, field):
    client, db, _ = system
    before = await db[SUBMISSIONS].count_documents({})
    if isinstance(content, bytes):
        response = await client.post(
            f"{BASE}/submissions", content=content, headers={"content-type": "application/json"}
        )
    else:
        response = await client.post(f"{BASE}/submissions", json=content)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["message_vi"] and body["message_en"]
    if field:
        assert field in [d["field"] for d in body["detail"]]
    if field == "hamlet":
        assert "ấp Chợ" in body["message_vi"] and "Known hamlets" in body["message_en"]
    assert await db[SUBMISSIONS].count_documents({}) == before


async def test_unknown_commune_and_unknown_submission_are_404(system):
    client, _, _ = system
    anonymous = {"authorization": ""}  # the client's default is demo's staff token
    response = await client.post("/api/v1/communes/nowhere/submissions", json=PETITION, headers=anonymous)
    assert response.status_code == 404 and response.json()["error"] == "unknown_commune"
    # demo's credential acts for nobody elsewhere: refused before the commune is looked up
    assert (await client.post("/api/v1/communes/nowhere/submissions", json=PETITION)).status_code == 403
    assert (await client.get(f"{BASE}/submissions/doesnotexist")).status_code == 404
    # the same on a protected route: demo's staff token is refused for another commune (403)
    assert (await client.get("/api/v1/communes/nowhere/dialogues/demo-2017/items")).status_code == 403


async def test_health_and_openapi(system):
    client, _, _ = system
    health = (await client.get("/healthz")).json()
    assert health == {"status": "ok", "checks": {"store": True, "broker": True}}
    paths = (await client.get("/openapi.json")).json()["paths"]
    assert f"{BASE.replace('demo', '{commune_id}')}/submissions" in paths


async def test_embedded_in_memory_broker_runs_the_same_flow(make_settings, mail_capture):
    """`make run` without RabbitMQ: FastStream's in-memory broker, all four services in one process."""
    settings = make_settings(SMTP_URL=mail_capture.url)
    app = build_app(settings, [intake, routing, notification, reporting], title="t", in_memory=True)
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers()
        ) as client:
            accepted = (await client.post(f"{BASE}/submissions", json=PETITION)).json()
            view = await eventually(lambda: _status_is(client, accepted["id"], "office_notified"))
            assert view["office"]["name"] == KINH_TE_2017
            assert await eventually(lambda: _notice_with(client, PETITION["text"]))
    assert len(mail_capture.messages()) == 1


async def _status_is(client: httpx.AsyncClient, submission_id: str, status: str) -> dict | None:
    view = (await client.get(f"{BASE}/submissions/{submission_id}")).json()
    return view if view["status"] == status else None


async def test_radio_announcement_of_the_plan(system):
    client, _, _ = system
    response = await client.get(f"{BASE}/dialogues/demo-2017/radio-announcement")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/plain")
    text = response.text
    assert (
        text.index("Kính thưa")
        < text.index("Thứ nhất")
        < text.index("Thứ sáu")
        < text.index("25 tháng 3 năm 2017")
    )
    assert "15 tháng 3 năm 2017" in text  # opinions are due before the hamlet cells' report date
