"""Reporting's read model holds an item from its routed event on; until then the item is intake's,
and reporting lists it from intake's internal API (real broker and store, intake and reporting in
one app, no routing: an item stays unrouted until the test publishes its routing).

1. Intake lists a dialogue's unrouted submissions with their received facts, for reporting's
   token only; reporting's items and summary report count them; once the routed event is
   recorded the item comes from the read model with the facts the event carried.
2. Intake unreachable: the items, the preview and issuing answer 503 with the reason in
   Vietnamese, nothing is numbered; once intake answers, the same calls succeed.
3. An upgraded deployment: reporting's queue loses the received binding and drops a copy queued
   before; an item the earlier version stored unclassified keeps its facts, counted once, and a
   routing from a routing version that did not carry the facts keeps them too.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import httpx
import pytest
from faststream.rabbit import RabbitBroker

from services.demo.seed import seed_demo
from services.deployment import CONSUMERS, build_app, consumer
from services.intake.app import build_service as intake
from services.intake.repository import SUBMISSIONS
from services.reporting.app import build_service as reporting
from shared.auth.principal import Role, service_principal
from shared.auth.tokens import Tokens, parse_keys
from shared.clock import iso
from shared.contracts import Envelope, Kind, Source, SubmissionReceivedV1, SubmissionRoutedV1
from shared.topology import Topology
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import dead_letters, reserved_port, running, serving

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
DIALOGUE = f"{BASE}/dialogues/demo-2017"
UNROUTED = "/internal/v1/communes/demo/dialogues/demo-2017/unrouted"
RECEIVED = "/internal/v1/communes/demo/dialogues/demo-2017/received"
DRAIN = "Cống thoát nước trước chợ bị nghẹt, mưa là ngập cả đoạn đường."
LIGHTS = "Đề nghị lắp đèn chiếu sáng tuyến đường liên ấp."


def service_headers(settings, service: str, commune_id: str = "demo") -> dict[str, str]:
    tokens = Tokens(parse_keys(settings.auth_keys), settings.token_ttl_s)
    return {"authorization": f"Bearer {tokens.issue(service_principal(service, commune_id))}"}


async def submit(client: httpx.AsyncClient, text: str, headers: dict | None = None, **fields) -> dict:
    body = {"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": text, **fields}
    response = await client.post(f"{BASE}/submissions", json=body, headers=headers)
    assert response.status_code == 202, response.text
    return response.json()


def routed_event(stored: dict, revision: int = 0, with_facts: bool = True) -> SubmissionRoutedV1:
    facts = (
        {
            "source": stored["source"],
            "organisation": stored["organisation"],
            "received_at": stored["received_at"],
        }
        if with_facts
        else {}
    )
    return SubmissionRoutedV1(
        submission_id=stored["_id"],
        dialogue_id=stored["dialogue_id"],
        tracking_code=stored["tracking_code"],
        kind=stored["kind"],
        text=stored["text"],
        hamlet=stored["hamlet"],
        topic=4,
        topic_name="Vệ sinh môi trường",
        office_id="phong-kinh-te",
        office_name="Phòng Kinh tế",
        confidence=0.9,
        revision=revision,
        **facts,
    )


async def publish(settings, payload) -> None:
    topology = Topology(settings.amqp_prefix, settings.retry_delay_ms, settings.delivery_limit, CONSUMERS)
    envelope = Envelope.wrap(payload, commune_id="demo", correlation_id="c")
    async with RabbitBroker(settings.rabbitmq_url) as broker:
        await broker.publish(
            envelope.model_dump_json().encode(),
            exchange=topology.events,
            routing_key=payload.routing_key(),
            persist=True,
        )


async def unrouted_ids(client: httpx.AsyncClient, settings) -> set[str]:
    body = (await client.get(UNROUTED, headers=service_headers(settings, "reporting"))).json()
    return {s["id"] for s in body["submissions"]}


async def test_unrouted_items_come_from_intake_and_routed_ones_from_the_event(make_settings):
    settings = make_settings()
    app = build_app(settings, [intake, reporting], title="intake+reporting")
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            first = await submit(client, DRAIN, contact="dan.cho@example.org")
            women = staff_headers(Role.FRONT_ORG, organisation="womens_union")  # sends with its own account
            second = await submit(
                client, LIGHTS, women, source="mass_organisation", organisation="womens_union"
            )

            own = service_headers(settings, "reporting")
            body = (await client.get(UNROUTED, headers=own)).json()
            assert body["complete"] is True
            listed = {s["id"]: s for s in body["submissions"]}
            assert set(listed) == {first["id"], second["id"]}
            assert listed[second["id"]]["organisation"] == "womens_union"
            assert listed[first["id"]]["tracking_code"] == first["tracking_code"]
            stored = await db[SUBMISSIONS].find_one({"_id": first["id"]})
            assert listed[first["id"]]["received_at"] == iso(stored["received_at"])
            assert not any("submitter" in s or "contact" in s for s in listed.values())  # no personal data
            assert (await client.get(UNROUTED)).status_code == 401
            assert (
                await client.get(UNROUTED, headers=service_headers(settings, "notification"))
            ).status_code == 403
            other = service_headers(settings, "reporting", "other-commune")
            assert (await client.get(UNROUTED, headers=other)).status_code == 403
            assert (await client.get(UNROUTED, headers=staff_headers(Role.PARTY_OFFICE))).status_code == 403
            named = f"{RECEIVED}?submission_id={first['id']}&submission_id=unknown"
            facts = (await client.get(named, headers=own)).json()["submissions"]
            assert facts == [listed[first["id"]]]  # the same facts, named ones only
            assert (
                await client.get(named, headers=service_headers(settings, "notification"))
            ).status_code == 403

            staff = staff_headers()
            items = (await client.get(f"{DIALOGUE}/items", headers=staff)).json()["items"]
            assert {i["id"]: (i["topic"], i["source"]) for i in items} == {
                first["id"]: (None, "citizen"),
                second["id"]: (None, "mass_organisation"),
            }
            report = await client.get(f"{DIALOGUE}/documents/bao-cao-tong-hop/preview.html", headers=staff)
            assert report.status_code == 200 and "Còn 02 ý kiến đang phân loại" in report.text
            assert await db["reporting_items"].count_documents({}) == 0  # listed, not stored

            await publish(settings, routed_event(stored))
            await eventually(lambda: _ids_equal(client, settings, {second["id"]}))
            item = await eventually(lambda: db["reporting_items"].find_one({"_id": first["id"]}))
            assert (item["topic"], item["source"], item["received_at"]) == (
                4,
                "citizen",
                iso(stored["received_at"]),
            )
            items = (await client.get(f"{DIALOGUE}/items", headers=staff)).json()["items"]
            assert [(i["id"], i["topic"]) for i in items] == [(first["id"], 4), (second["id"], None)]
            report = await client.get(f"{DIALOGUE}/documents/bao-cao-tong-hop/preview.html", headers=staff)
            assert "Còn 01 ý kiến đang phân loại" in report.text

        registry = app.state.runtime.registry
        labels = {"event_type": SubmissionReceivedV1.routing_key(), "outcome": "processed"}
        assert registry.get_sample_value("doithoai_reporting_events_consumed_total", labels) is None


async def _ids_equal(client: httpx.AsyncClient, settings, expected: set[str]) -> bool:
    return await unrouted_ids(client, settings) == expected


async def test_without_intake_nothing_is_built_from_part_of_the_dialogue(make_settings):
    sock = reserved_port()  # refused until the app is served on it
    settings = make_settings(DOITHOAI_INTAKE_URL=f"http://127.0.0.1:{sock.getsockname()[1]}")
    app = build_app(settings, [intake, reporting], title="intake+reporting")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers()
        ) as client:
            await submit(client, DRAIN)
            calls = {
                "items": client.get(f"{DIALOGUE}/items"),
                "preview": client.get(f"{DIALOGUE}/documents/bao-cao-tong-hop/preview.html"),
                "readiness": client.get(f"{DIALOGUE}/documents/thong-bao-ket-luan/readiness"),
                "draft": client.get(f"{DIALOGUE}/conclusion-notice/draft"),
                "issue": client.post(f"{DIALOGUE}/documents/thong-bao-ket-luan", json={}),
            }
            for name, call in calls.items():
                response = await call
                assert response.status_code == 503, (name, response.text)
                assert (
                    response.json()["error"] == "items_incomplete" and response.headers["retry-after"] == "5"
                )
                assert "đang phân loại" in response.json()["message_vi"], name
            assert (await client.get(f"{DIALOGUE}/documents")).json()["documents"] == []  # nothing issued

            async with serving(app, sock):
                items = (await client.get(f"{DIALOGUE}/items")).json()["items"]
                assert [i["topic"] for i in items] == [None]
                issued = await client.post(f"{DIALOGUE}/documents/thong-bao-ket-luan", json={})
                assert issued.status_code == 201, issued.text
                assert issued.json()["code"] == "01-TB/ĐU"  # the refused tries took no number


async def test_an_upgraded_deployment_keeps_what_the_earlier_version_stored(make_settings):
    settings = make_settings()
    topology = Topology(settings.amqp_prefix, settings.retry_delay_ms, settings.delivery_limit, CONSUMERS)
    read_model = consumer("reporting")
    received = SubmissionReceivedV1(
        submission_id="early",
        dialogue_id="demo-2017",
        tracking_code="DT-EARLY001",
        source=Source.HAMLET_PARTY_CELL,
        kind=Kind.PETITION,
        text=DRAIN,
        hamlet="ấp Chợ",
        received_at=datetime(2017, 3, 2, 1, 0, tzinfo=UTC),
    )
    async with RabbitBroker(settings.rabbitmq_url) as broker:  # the queue as the earlier version bound it
        queue = await broker.declare_queue(topology.queue(read_model))
        await queue.bind(await broker.declare_exchange(topology.events), routing_key=received.routing_key())
    await publish(settings, received)  # queued before the upgrade

    app = build_app(settings, [intake, reporting], title="intake+reporting")
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        # what the earlier version stored: intake's submission, and reporting's item from the
        # received event (the read model's shape then, no routing yet)
        await db[SUBMISSIONS].insert_one(
            {
                "_id": "early",
                "commune_id": "demo",
                "dialogue_id": "demo-2017",
                "tracking_code": "DT-EARLY001",
                "source": "hamlet_party_cell",
                "organisation": None,
                "kind": "petition",
                "text": DRAIN,
                "hamlet": "ấp Chợ",
                "status": "received",
                "status_rank": 1,
                "routing_revision": -1,
                "received_at": received.received_at,
            }
        )
        await db["reporting_items"].insert_one(
            {
                "_id": "early",
                "commune_id": "demo",
                "dialogue_id": "demo-2017",
                "tracking_code": "DT-EARLY001",
                "source": "hamlet_party_cell",
                "organisation": None,
                "kind": "petition",
                "text": DRAIN,
                "hamlet": "ấp Chợ",
                "received_at": iso(received.received_at),
            }
        )
        registry = app.state.runtime.registry

        def retired() -> float | None:
            labels = {"event_type": received.routing_key(), "outcome": "retired"}
            return registry.get_sample_value("doithoai_reporting_events_consumed_total", labels)

        await eventually(lambda: retired() == 1)
        await publish(settings, received)  # after start-up: no longer bound
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers()
        ) as client:
            items = (await client.get(f"{DIALOGUE}/items")).json()["items"]
            assert [(i["id"], i["source"], i["topic"]) for i in items] == [
                ("early", "hamlet_party_cell", None)
            ]

            stored = await db[SUBMISSIONS].find_one({"_id": "early"})
            await publish(settings, routed_event(stored, with_facts=False))  # from an earlier routing
            await eventually(lambda: db["reporting_items"].find_one({"_id": "early", "topic": 4}))
            item = await db["reporting_items"].find_one({"_id": "early"})
            assert (item["source"], item["received_at"]) == ("hamlet_party_cell", iso(received.received_at))
            report = await client.get(f"{DIALOGUE}/documents/bao-cao-tong-hop/preview.html")
            assert report.status_code == 200 and "ý kiến đang phân loại" not in report.text
        await asyncio.sleep(0.3)
        assert retired() == 1
    queue_name = topology.queue_name(read_model)
    assert await dead_letters(settings.rabbitmq_url, f"{queue_name}.dlq", expected=1, timeout=0.5) == []
