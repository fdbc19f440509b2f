"""Attendance at the meeting through the real broker and store: residents registered through the
API are checked in at the door (once each), walk-ins counted per hamlet, the count of each
hamlet against the plan's minimum, `meeting.attendance_changed.v1` published from intake's
outbox; who may call; an item raised on the floor (source at_meeting) sent with the meeting
record's service token is accepted and routed, while nobody else may claim that source; and a
meeting recorded as ended moves the plan to held."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import aio_pika
import httpx
import pytest
from prometheus_client import CollectorRegistry

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.routing.app import build_service as routing
from shared.auth.principal import Role, Scope, service_principal
from shared.auth.tokens import Tokens, parse_keys
from shared.contracts import AttendanceChangedV1, Envelope, MeetingRecordedV1
from tests.auth import key_headers, staff_headers
from tests.conftest import TEST_AUTH_KEYS, eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
C = "/api/v1/communes/demo"
D = f"{C}/dialogues/demo-2017"
FLOOR_ITEM = {
    "source": "at_meeting",
    "kind": "petition",
    "hamlet": "ap Cho",
    "text": "Cống thoát nước trước chợ bị nghẹt, mưa là ngập, đề nghị xã nạo vét.",
}


def service_headers(service: str, commune_id: str = "demo") -> dict[str, str]:
    tokens = Tokens(parse_keys(TEST_AUTH_KEYS), 900)
    return {"authorization": f"Bearer {tokens.issue(service_principal(service, commune_id), ttl_s=900)}"}


class Probe:
    """A queue of its own bound to the deployment's events exchange: what was published."""

    def __init__(self, url: str, exchange: str, routing_key: str) -> None:
        self.url, self.exchange, self.routing_key = url, exchange, routing_key
        self.received: list[Envelope] = []

    async def __aenter__(self) -> Probe:
        self.connection = await aio_pika.connect(self.url)
        channel = await self.connection.channel()
        self.channel = channel
        queue = await channel.declare_queue(exclusive=True, auto_delete=True)
        await queue.bind(await channel.get_exchange(self.exchange), routing_key=self.routing_key)

        async def take(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                self.received.append(Envelope.model_validate(json.loads(message.body)))

        await queue.consume(take)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.connection.close()

    async def publish(self, envelope: Envelope) -> None:
        exchange = await self.channel.get_exchange(self.exchange)
        await exchange.publish(
            aio_pika.Message(envelope.model_dump_json().encode(), content_type="application/json"),
            routing_key=envelope.routing_key,
        )


@pytest.fixture
async def stack(make_settings):
    settings = make_settings()
    registry = CollectorRegistry()
    app = build_app(settings, [intake, routing], title="intake+routing", registry=registry)
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            yield settings, client, registry


async def register(client: httpx.AsyncClient, name: str, phone: str, hamlet: str) -> str:
    response = await client.post(f"{D}/registrations", json={"name": name, "phone": phone, "hamlet": hamlet})
    assert response.status_code == 201, response.text
    return response.json()["id"]


def counts(body: dict) -> dict[str, tuple[int, int, int, int, bool]]:
    return {
        r["hamlet_id"]: (r["registered"], r["checked_in"], r["walk_ins"], r["minimum"], r["reached"])
        for r in body["by_hamlet"]
    }


async def test_check_ins_and_walk_ins_are_counted_per_hamlet_and_published(stack):
    settings, client, _ = stack
    staff = staff_headers()
    an = await register(client, "Nguyễn Văn An", "0912 345 678", "ấp Chợ")
    await register(client, "Trần Thị Bình", "0987 654 321", "ap cho")
    cuong = await register(client, "Lê Văn Cường", "0903 111 222", "Căn Cứ")
    async with Probe(
        settings.rabbitmq_url, f"{settings.amqp_prefix}.events", AttendanceChangedV1.routing_key()
    ) as probe:
        before = await client.get(f"{D}/attendance", headers=staff)
        assert before.status_code == 200, before.text
        assert (before.json()["revision"], before.json()["total"]) == (0, 0)
        assert counts(before.json()) == {"ap-cho": (2, 0, 0, 70, False), "ap-can-cu": (1, 0, 0, 70, False)}

        first = await client.post(f"{D}/check-ins", json={"registration_id": an}, headers=staff)
        assert first.status_code == 201, first.text
        again = await client.post(f"{D}/check-ins", json={"registration_id": an}, headers=staff)
        assert again.status_code == 200 and again.json() == first.json()  # idempotent
        hamlet_cell = staff_headers(Role.HAMLET_CELL, hamlet_id="ap-can-cu")  # Cường's own hamlet's
        assert (
            await client.post(f"{D}/check-ins", json={"registration_id": cuong}, headers=hamlet_cell)
        ).status_code == 201
        walk_ins = await client.post(
            f"{D}/check-ins", json={"walk_in": {"hamlet": "ap can cu", "count": 69}}, headers=staff
        )
        assert walk_ins.status_code == 201, walk_ins.text
        body = walk_ins.json()
        assert (body["revision"], body["walk_ins"], body["total"]) == (3, 69, 71)
        assert counts(body) == {"ap-cho": (2, 1, 0, 70, False), "ap-can-cu": (1, 70, 69, 70, True)}
        assert (await client.get(f"{D}/attendance", headers=key_headers("demo", Scope.PLAN))).json() == body

        last = await eventually(lambda: [e for e in probe.received if e.payload["revision"] == 3])
        event = AttendanceChangedV1.model_validate(last[0].payload)
        assert (last[0].commune_id, event.dialogue_id, event.by_hamlet, event.walk_ins, event.total) == (
            "demo",
            "demo-2017",
            {"ấp Chợ": 1, "ấp Căn Cứ": 70},
            69,
            71,
        )
        assert all(e.routing_key == "meeting.attendance_changed.v1" for e in probe.received)

    found = await client.get(f"{D}/registrations", params={"q": "nguyen"}, headers=staff)
    assert found.status_code == 200 and found.json() == [
        {"id": an, "name": "Nguyễn Văn An", "hamlet": "ấp Chợ", "checked_in": True}
    ]
    by_phone = await client.get(f"{D}/registrations", params={"q": "0987 654"}, headers=staff)
    assert [(r["name"], r["checked_in"]) for r in by_phone.json()] == [("Trần Thị Bình", False)]

    unknown = await client.post(f"{D}/check-ins", json={"registration_id": "nope"}, headers=staff)
    assert unknown.status_code == 404 and unknown.json()["message_en"]
    bad = await client.post(
        f"{D}/check-ins", json={"walk_in": {"hamlet": "ấp Không Có", "count": 1}}, headers=staff
    )
    assert bad.status_code == 422 and "ấp Chợ" in bad.json()["message_vi"]
    both = await client.post(
        f"{D}/check-ins",
        json={"registration_id": an, "walk_in": {"hamlet": "ấp Chợ", "count": 1}},
        headers=staff,
    )
    assert both.status_code == 422 and both.json()["message_en"]


async def test_refused_callers_change_nothing(stack):
    _, client, _ = stack
    an = await register(client, "Nguyễn Văn An", "0912 345 678", "ấp Chợ")
    check_in = {"registration_id": an}
    assert (await client.post(f"{D}/check-ins", json=check_in)).status_code == 401
    assert (await client.get(f"{D}/attendance")).status_code == 401
    assert (await client.get(f"{D}/registrations", params={"q": "an"})).status_code == 401
    office = staff_headers(Role.OFFICE_STAFF)
    assert (await client.post(f"{D}/check-ins", json=check_in, headers=office)).status_code == 403
    assert (await client.get(f"{D}/attendance", headers=office)).status_code == 403
    assert (await client.get(f"{D}/registrations", params={"q": "an"}, headers=office)).status_code == 403
    reader = key_headers("demo", Scope.READ)
    assert (await client.get(f"{D}/attendance", headers=reader)).status_code == 403
    plan_key = key_headers("demo", Scope.PLAN)
    assert (await client.get(f"{D}/registrations", params={"q": "an"}, headers=plan_key)).status_code == 403
    other = staff_headers(Role.PARTY_OFFICE, "other-commune")
    assert (await client.post(f"{D}/check-ins", json=check_in, headers=other)).status_code == 403
    assert (await client.get(f"{D}/attendance", headers=other)).status_code == 403
    view = (await client.get(f"{D}/attendance", headers=staff_headers())).json()
    assert (view["revision"], view["total"]) == (0, 0)


async def test_an_item_raised_on_the_floor_is_sent_by_the_meeting_record_and_routed(stack):
    _, client, _ = stack
    sent = await client.post(f"{C}/submissions", json=FLOOR_ITEM, headers=service_headers("reporting"))
    assert sent.status_code == 202, sent.text
    accepted = sent.json()

    async def routed() -> dict | None:
        view = (await client.get(f"{C}/submissions/{accepted['id']}", headers=staff_headers())).json()
        return view if view["status"] != "received" else None

    view = await eventually(routed)
    assert (view["source"], view["hamlet"], view["kind"]) == ("at_meeting", "ấp Chợ", "petition")
    assert view["office"] is not None and view["history"][1]["status"] == "routed"
    assert view["history"][0]["by"] == "service:reporting"
    tracked = (await client.get(f"{C}/tracking/{accepted['tracking_code']}")).json()
    assert tracked["source"] == "at_meeting" and tracked["history"][0]["by"] is None

    for headers in (
        {},
        staff_headers(),
        key_headers("demo", Scope.SUBMIT),
        service_headers("notification"),
    ):
        refused = await client.post(f"{C}/submissions", json=FLOOR_ITEM, headers=headers)
        assert refused.status_code == 422, (headers, refused.text)
        assert refused.json()["detail"][0]["field"] == "source" and refused.json()["message_vi"]
    # Reporting of another commune acts for nobody here: refused before the body is read.
    foreign = await client.post(
        f"{C}/submissions", json=FLOOR_ITEM, headers=service_headers("reporting", "other-commune")
    )
    assert foreign.status_code == 403, foreign.text


async def test_a_meeting_recorded_as_ended_moves_the_plan_to_held(stack):
    settings, client, registry = stack
    staff = staff_headers()
    assert (await client.get(D)).json()["status"] == "collecting"

    def recorded(revision: int, ended: bool) -> Envelope:
        started = datetime(2017, 3, 25, 7, 30, tzinfo=UTC)
        payload = MeetingRecordedV1(
            dialogue_id="demo-2017",
            revision=revision,
            started_at=started,
            ended_at=started.replace(hour=11) if ended else None,
        )
        return Envelope.wrap(payload, commune_id="demo", correlation_id=f"meeting-{revision}")

    def consumed() -> float:
        labels = {"event_type": MeetingRecordedV1.routing_key(), "outcome": "processed"}
        return registry.get_sample_value("doithoai_intake_events_consumed_total", labels) or 0

    async with Probe(settings.rabbitmq_url, f"{settings.amqp_prefix}.events", "dialogue.#") as probe:
        await probe.publish(recorded(1, ended=False))
        await eventually(lambda: consumed() == 1)
        assert (await client.get(D)).json()["status"] == "collecting"  # started, not ended

        await probe.publish(recorded(2, ended=True))
        await eventually(lambda: consumed() == 2)
        await probe.publish(recorded(3, ended=True))  # a later record changes nothing
        await eventually(lambda: consumed() == 3)
        changes = await eventually(lambda: len(probe.received) >= 3 and probe.received)
    assert [
        (e.payload["previous_status"], e.payload["status"], e.payload["changed_by"]) for e in changes
    ] == [
        ("collecting", "classified", "system"),
        ("classified", "invited", "system"),
        ("invited", "held", "system"),
    ]
    assert (await client.get(D, headers=staff)).json()["status"] == "held"
