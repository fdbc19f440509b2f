"""The dialogue plan as a living object, through the real broker and store: deadlines with
their bodies and states, overdue duties reminded, registrations against hamlet quotas, and
invitations (with iCalendar) sent exactly once by two notification replicas."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import threading
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import icalendar
import pytest

from services.demo.seed import SEED_AGENDA, demo_commune, demo_dialogue, seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.intake.registrations import REGISTRATIONS, RegistrationIn, registration_document
from services.notification.app import build_service as notification
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import running, serving

pytestmark = pytest.mark.integration
VN = ZoneInfo("Asia/Ho_Chi_Minh")
BASE = "/api/v1/communes/demo/dialogues"


def seed_plan_body(meeting: date, plan_id: str, delegates: int = 0) -> dict:
    seed = demo_dialogue()
    return {
        "id": plan_id,
        "year": meeting.year,
        "title": seed.title,
        "theme": seed.theme,
        "meeting_date": meeting.isoformat(),
        "venue": seed.venue,
        "legal_bases": list(seed.legal_bases),
        "hamlets": [
            {"hamlet": "ấp Chợ", "min_attendance": 70},
            {"hamlet": "ap can cu", "min_attendance": 70},
        ],
        "agenda": list(SEED_AGENDA),
        "participants": list(seed.participants),
        "delegates": [
            {"name": f"Đại biểu số {i}", "role": "Đại biểu xã", "email": f"daibieu{i}@tanphuoc.example"}
            for i in range(1, delegates + 1)
        ],
    }


@pytest.fixture
async def stack(make_settings, mail_capture):
    settings = make_settings(SMTP_URL=mail_capture.url, DOITHOAI_SCHEDULER_INTERVAL_S=3600)
    intake_app = build_app(settings, [intake], title="intake")
    async with running(intake_app), serving(intake_app) as intake_url:
        await seed_demo(intake_app.state.runtime.db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=intake_app), base_url="http://t", headers=staff_headers()
        ) as client:
            # Notification, built in its own apps below, reads registrants' phones over HTTP.
            yield settings.model_copy(update={"intake_url": intake_url}), client, intake_app.state.runtime.db


async def test_seed_plan_shows_every_deadline_with_its_body_and_state(stack):
    _, client, _ = stack
    response = await client.post(BASE, json=seed_plan_body(date(2017, 3, 25), "tp-2017"))
    assert response.status_code == 201, response.text
    plan = response.json()
    assert (plan["status"], plan["version"], plan["min_attendance"]) == (
        "draft",
        1,
        {"ap-cho": 70, "ap-can-cu": 70},
    )
    deadlines = {d["key"]: d for d in plan["deadlines"]}
    assert {
        k: deadlines[k]["due"]
        for k in (
            "reports",
            "classification",
            "delegate_invitations",
            "resident_invitations:ap-cho",
            "conclusion",
        )
    } == {
        "reports": "2017-03-14",
        "classification": "2017-03-17",
        "delegate_invitations": "2017-03-21",
        "resident_invitations:ap-cho": "2017-03-21",
        "conclusion": "2017-04-10",
    }
    assert (
        deadlines["reports"]["printed"] == "trước ngày 15/03/2017"
        and deadlines["reports"]["responsible_name"] == "UBND xã"
    )
    assert {d["responsible"] for d in plan["deadlines"]} == {
        "peoples_committee",
        "fatherland_front",
        "womens_union",
        "farmers_union",
        "veterans_association",
        "youth_union",
        "ap-cho",
        "ap-can-cu",
        "party_office",
    }  # each mass organisation and each hamlet party cell in scope has its own duty
    assert deadlines["hamlet_reports:ap-cho"]["responsible_name"] == "Chi ủy chi bộ ấp Chợ"
    assert deadlines["organisation_reports:youth_union"]["printed"] == "trước ngày 15/03/2017"
    assert all(d["state"] == "overdue" for d in plan["deadlines"])  # 2017 is long past

    done = (
        await client.post(f"{BASE}/tp-2017/deadlines/reports/done", json={"by": "Văn phòng Đảng ủy"})
    ).json()
    assert {d["key"]: d["state"] for d in done["deadlines"]}["reports"] == "done"

    assert (await client.post(BASE, json=seed_plan_body(date(2017, 3, 25), "tp-2017"))).status_code == 409
    bad = await client.post(
        BASE, json={**seed_plan_body(date(2017, 3, 25), "x"), "meeting_date": "2017-02-30"}
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "meeting_date"
    unknown = await client.post(
        BASE, json={**seed_plan_body(date(2017, 3, 25), "y"), "hamlets": [{"hamlet": "ấp Không Có"}]}
    )
    assert unknown.status_code == 422 and "ấp Chợ" in unknown.json()["message_vi"]
    skip = await client.post(f"{BASE}/tp-2017/transitions", json={"to": "held"})
    assert skip.status_code == 409 and skip.json()["error"] == "bad_transition"
    assert (
        await client.post(f"{BASE}/tp-2017/deadlines/no-such-duty/done", json={"by": "x"})
    ).status_code == 404


async def test_a_report_not_received_by_its_date_turns_overdue_and_a_reminder_is_recorded(
    stack, mail_capture
):
    settings, client, db = stack
    await client.post(BASE, json=seed_plan_body(date(2017, 3, 25), "tp-2017"))
    await client.post(f"{BASE}/tp-2017/transitions", json={"to": "collecting"})
    await client.post(f"{BASE}/tp-2017/deadlines/reports/done", json={"by": "Văn phòng Đảng ủy"})
    notification_app = build_app(settings, [notification], title="notification")
    async with running(notification_app):
        parts = notification_app.state.parts["notification"]
        scheduler, deliveries = parts.components["scheduler"], parts.components["deliveries"]
        morning_after = datetime.combine(date(2017, 3, 15), time(8, 0), VN)
        await scheduler.scan_dialogue("demo", "tp-2017", now=morning_after)
        await scheduler.scan_dialogue(
            "demo", "tp-2017", now=morning_after + timedelta(hours=2)
        )  # nothing twice
        records = await deliveries.for_dialogue("demo", "tp-2017")
    overdue = sorted(r["recipient_id"] for r in records if r["kind"] == "overdue")
    # The People's Committee report came in; the Front, each organisation and each hamlet cell are late.
    assert overdue == sorted(
        [
            "fatherland_front",
            "womens_union",
            "farmers_union",
            "veterans_association",
            "youth_union",
            "ap-cho",
            "ap-can-cu",
        ]
    )
    assert all(r["status"] == "sent" for r in records)
    reminders = [r for r in records if r["kind"] == "reminder"]
    assert {r["_id"].split(":")[3] for r in reminders} == {
        "classification"
    }  # due 17/03, within the 3-day reminder
    subjects = [str(m["Subject"]) for m in mail_capture.messages()]
    assert (
        sum(s.startswith("[Quá hạn]") for s in subjects) == 7
        and sum(s.startswith("[Nhắc việc]") for s in subjects) == 1
    )
    plan = (await client.get(f"{BASE}/tp-2017")).json()
    states = {d["key"]: d["state"] for d in plan["deadlines"]}
    assert (
        states["reports"] == "done"
        and states["front_reports"] == states["hamlet_reports:ap-cho"] == "overdue"
    )


async def test_registrations_count_against_the_minimum_and_give_the_speaking_order(stack):
    _, client, _ = stack
    await client.post(BASE, json=seed_plan_body(date(2017, 3, 25), "tp-2017"))
    people = [
        ("Nguyễn Văn An", "0909 111 111", "ấp Chợ", 4),
        ("Trần Thị Bình", "0909222222", "ap cho", 1),
        ("Lê Văn Cường", "0909333333", "ấp Căn Cứ", None),
        ("Phạm Thị Dung", "0909444444", "ấp Căn Cứ", 1),
    ]
    for name, phone, hamlet, topic in people:
        response = await client.post(
            f"{BASE}/tp-2017/registrations",
            json={
                "name": name,
                "phone": phone,
                "hamlet": hamlet,
                "topic": topic,
                "wants_to_speak": topic is not None,
            },
        )
        assert response.status_code == 201, response.text
    again = await client.post(
        f"{BASE}/tp-2017/registrations",
        json={"name": "nguyen van an", "phone": "+84909111111", "hamlet": "ấp Chợ"},
    )
    assert again.status_code == 409 and "đã đăng ký" in again.json()["message_vi"]
    summary = (await client.get(f"{BASE}/tp-2017/registrations/summary")).json()
    assert summary["total"] == 4
    assert [(h["hamlet"], h["registered"], h["minimum"], h["reached"]) for h in summary["hamlets"]] == [
        ("ấp Chợ", 2, 70, False),
        ("ấp Căn Cứ", 2, 70, False),
    ]
    order = (await client.get(f"{BASE}/tp-2017/speaking-order")).json()["speakers"]
    assert [(s["order"], s["name"], s["topic"]) for s in order] == [
        (1, "Trần Thị Bình", 1),
        (2, "Phạm Thị Dung", 1),
        (3, "Nguyễn Văn An", 4),
    ]


async def test_the_public_speaking_order_prints_no_phone_or_link_typed_as_a_name(stack):
    """Seen from outside: anonymous registrations named 'Lan https://lua-dao.example/nhan-qua'
    and 'Hoa 0909123456' showed in the public order as the link and the number."""
    _, client, db = stack
    await client.post(BASE, json=seed_plan_body(date(2017, 3, 25), "tp-2017"))
    tricks = ["Lan https://lua-dao.example/nhan-qua", "Hoa 0909123456", "Hoa Zalo:0909.123.457"]
    staff = client.headers.pop("authorization")
    try:  # anonymous
        for n, name in enumerate(tricks):
            refused = await client.post(
                f"{BASE}/tp-2017/registrations",
                json={"name": name, "phone": f"090912345{n}", "hamlet": "ấp Chợ", "wants_to_speak": True},
            )
            assert refused.status_code == 422 and [d["field"] for d in refused.json()["detail"]] == ["name"]
        # as stored before names were checked
        await db[REGISTRATIONS].insert_many(
            [
                registration_document(
                    demo_commune(),
                    "tp-2017",
                    RegistrationIn.model_construct(
                        name=name, phone=f"090912345{n}", hamlet="ấp Chợ", topic=None, wants_to_speak=True
                    ),
                    "ấp Chợ",
                )
                for n, name in enumerate(tricks)
            ]
        )
        ok = await client.post(
            f"{BASE}/tp-2017/registrations",
            json={"name": "Trần Thị Lan", "phone": "0909000009", "hamlet": "ấp Chợ", "wants_to_speak": True},
        )
        assert ok.status_code == 201, ok.text
        public = (await client.get(f"{BASE}/tp-2017/speaking-order")).json()["speakers"]
    finally:
        client.headers["authorization"] = staff
    assert [s["name"] for s in public] == [
        "Người đăng ký số 1",
        "Người đăng ký số 2",
        "Người đăng ký số 3",
        "Lan",
    ]
    ordered = (await client.get(f"{BASE}/tp-2017/speaking-order")).json()["speakers"]
    assert [s["name"] for s in ordered] == [*tricks, "Trần Thị Lan"]  # staff: as registered


async def test_who_entered_a_registration_is_the_signed_in_principal_never_the_body(stack):
    """Seen from outside: an anonymous POST with "registered_by": "admin-forged" showed on
    /staff/dang-ky as 'do admin-forged nhập'."""
    _, client, db = stack
    await client.post(BASE, json=seed_plan_body(date(2017, 3, 25), "tp-2017"))
    url = f"{BASE}/tp-2017/registrations"
    staff = client.headers.pop("authorization")
    try:  # anonymous
        forged = await client.post(url, json={**ANNE, "registered_by": "admin-forged"})
        assert forged.status_code == 422
        assert [d["field"] for d in forged.json()["detail"]] == ["registered_by"]
        assert (await client.post(url, json=ANNE)).status_code == 201
    finally:
        client.headers["authorization"] = staff
    entered = await client.post(url, json={**ANNE, "name": "Lê Văn Tư", "registered_by": "someone"})
    assert entered.status_code == 422  # staff do not name the author either
    assert (await client.post(url, json={**ANNE, "name": "Lê Văn Tư"})).status_code == 201
    stored = {d["name"]: d["registered_by"] async for d in db[REGISTRATIONS].find({})}
    assert stored == {"Trần Thị Lan": "self", "Lê Văn Tư": "test.party_office"}


ANNE = {"name": "Trần Thị Lan", "phone": "0909000009", "hamlet": "ấp Chợ"}


class _Gateway(BaseHTTPRequestHandler):
    received: list[dict] = []

    def do_POST(self):  # noqa: N802 - http.server's hook name
        self.received.append(json.loads(self.rfile.read(int(self.headers["content-length"]))))
        self.send_response(202)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def sms_gateway():
    """A local stand-in for the SMS/Zalo gateway: a real HTTP server on loopback."""
    received: list[dict] = []
    handler = type("Gateway", (_Gateway,), {"received": received})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/sms", received
    server.shutdown()


def invitations(mail_capture) -> list[tuple[str, str, int]]:
    """(recipient, METHOD, SEQUENCE) of every captured invitation, parsed back with icalendar."""
    found = []
    for message in mail_capture.messages():
        for part in message.iter_attachments():
            if part.get_content_type() == "text/calendar":
                calendar = icalendar.Calendar.from_ical(part.get_payload(decode=True))
                event = next(iter(calendar.walk("VEVENT")))
                found.append(
                    (
                        message["X-Doithoai-Dialogue"] and str(event["ATTENDEE"]).removeprefix("mailto:"),
                        str(calendar["METHOD"]),
                        int(event["SEQUENCE"]),
                    )
                )
                assert str(event["UID"]) == "tp-next@demo.doithoai"
                assert (
                    event.decoded("DTSTART").tzinfo is not None
                    and str(event["DTSTART"].params["TZID"]) == "Asia/Ho_Chi_Minh"
                )
    return sorted(found)


async def test_two_scheduler_replicas_send_each_invitation_once_and_a_moved_meeting_sends_an_update(
    stack, make_settings, mail_capture, sms_gateway
):
    settings, client, _ = stack
    gateway_url, texts = sms_gateway
    replica_settings = settings.model_copy(update={"sms_webhook_url": gateway_url})
    meeting = (datetime.now(UTC) + timedelta(days=20)).date()
    assert (await client.post(BASE, json=seed_plan_body(meeting, "tp-next", delegates=3))).status_code == 201
    for name, phone in (("Võ Văn Em", "0911000001"), ("Đỗ Thị Gấm", "0911000002")):
        await client.post(
            f"{BASE}/tp-next/registrations", json={"name": name, "phone": phone, "hamlet": "ấp Chợ"}
        )
    await client.post(f"{BASE}/tp-next/transitions", json={"to": "collecting"})
    plan = (await client.get(f"{BASE}/tp-next")).json()
    due = {d["key"]: date.fromisoformat(d["due"]) for d in plan["deadlines"]}
    # Both kinds of invitation go out `invitation_lead_days` before the last day the plan allows.
    send_day = max(due["delegate_invitations"], due["resident_invitations:ap-cho"]) - timedelta(
        days=settings.invitation_lead_days
    )

    replicas = [build_app(replica_settings, [notification], title=f"notification-{i}") for i in (1, 2)]
    async with running(replicas[0]), running(replicas[1]):
        schedulers = [app.state.parts["notification"].components["scheduler"] for app in replicas]
        await asyncio.gather(
            *(
                s.scan_dialogue(
                    "demo",
                    "tp-next",
                    now=datetime.combine(
                        min(due["delegate_invitations"], due["resident_invitations:ap-cho"])
                        - timedelta(days=settings.invitation_lead_days + 1),
                        time(9),
                        VN,
                    ),
                )
                for s in schedulers
            )
        )
        assert invitations(mail_capture) == [] and texts == []  # not yet: reminders only
        on_the_day = datetime.combine(send_day, time(9), VN)
        for _ in range(3):  # both replicas, at the same moment, several times
            await asyncio.gather(*(s.scan_dialogue("demo", "tp-next", now=on_the_day) for s in schedulers))
        assert invitations(mail_capture) == [
            (f"daibieu{i}@tanphuoc.example", "REQUEST", 0) for i in (1, 2, 3)
        ]
        assert sorted(t["to"] for t in texts) == ["0911000001", "0911000002"]

        moved = await client.patch(
            f"{BASE}/tp-next", json={"meeting_date": (meeting + timedelta(days=2)).isoformat()}
        )
        assert moved.status_code == 200 and moved.json()["version"] == 2
        # The plan change reaches one replica through the broker; it sends the update at once.
        await eventually(lambda: len(invitations(mail_capture)) == 6, timeout=15)
        await asyncio.gather(*(s.scan_dialogue("demo", "tp-next", now=on_the_day) for s in schedulers))
        assert len(invitations(mail_capture)) == 6
        assert (
            len(texts) == 4 and len({t["idempotency_key"] for t in texts}) == 4
        )  # residents told of the new date too

        assert (await client.post(f"{BASE}/tp-next/transitions", json={"to": "cancelled"})).status_code == 200
        await eventually(lambda: len(invitations(mail_capture)) == 9, timeout=15)
        await asyncio.gather(*(s.scan_dialogue("demo", "tp-next", now=on_the_day) for s in schedulers))
    sent = invitations(mail_capture)
    expected = [(f"daibieu{i}@tanphuoc.example", "REQUEST", seq) for i in (1, 2, 3) for seq in (0, 1)]
    expected += [(f"daibieu{i}@tanphuoc.example", "CANCEL", 2) for i in (1, 2, 3)]
    assert sent == sorted(expected)
    cancelled = [t for t in texts if "HỦY" in t["text"]]
    assert sorted(t["to"] for t in cancelled) == ["0911000001", "0911000002"]  # residents told too


async def test_commune_calendar_overrides_move_deadlines_and_plans_can_be_listed_and_deleted(stack):
    _, client, _ = stack
    await client.post(BASE, json=seed_plan_body(date(2017, 3, 25), "tp-2017"))
    before = {d["key"]: d["due"] for d in (await client.get(f"{BASE}/tp-2017")).json()["deadlines"]}
    put = await client.put(
        "/api/v1/communes/demo/calendar",
        json={"extra_days_off": ["2017-03-29"], "extra_working_days": [], "culture_day": True},
    )
    assert put.status_code == 200
    after = {d["key"]: d["due"] for d in (await client.get(f"{BASE}/tp-2017")).json()["deadlines"]}
    assert (before["conclusion"], after["conclusion"]) == (
        "2017-04-10",
        "2017-04-11",
    )  # one more day off inside the window
    assert (
        await client.put("/api/v1/communes/demo/calendar", json={"extra_days_off": ["not a date"]})
    ).status_code == 422
    listed = (await client.get(BASE)).json()["dialogues"]
    assert {d["id"] for d in listed} >= {"tp-2017", "demo-2017"}
    assert (await client.delete(f"{BASE}/demo-2017")).status_code == 409  # past draft: cancel instead
    assert (await client.delete(f"{BASE}/tp-2017")).status_code == 204
    assert (await client.get(f"{BASE}/tp-2017")).status_code == 404


async def test_deadlines_command_applies_the_communes_stored_calendar(stack):
    settings, client, _ = stack
    await client.put("/api/v1/communes/demo/calendar", json={"extra_days_off": ["2017-03-29"]})
    env = {**os.environ, "MONGODB_URL": settings.mongodb_url, "MONGODB_DB": settings.mongodb_db}
    process = await asyncio.create_subprocess_exec(
        str(Path(sys.executable).parent / "doithoai"),
        "deadlines",
        "--meeting",
        "2017-03-25",
        "--commune",
        "demo",
        env=env,
        stdout=asyncio.subprocess.PIPE,
    )
    out, _ = await process.communicate()
    assert process.returncode == 0 and json.loads(out)["conclusion_by"] == "2017-04-11"
