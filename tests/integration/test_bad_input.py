"""Bad input anywhere gets a 4xx and changes nothing; communes never see each other's plans.
(Regression tests for defects a review found: 500s on odd dates, numbers and rule files.)"""

from __future__ import annotations

import json

import httpx
import pytest

from services.demo.seed import demo_commune, seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from shared.auth.principal import Scope
from shared.directory import COMMUNES, commune_document
from tests.auth import key_headers, staff_headers
from tests.integration.helpers import running

pytestmark = pytest.mark.integration


def plan(plan_id: str, year: int, meeting: str) -> dict:
    return {
        "id": plan_id,
        "year": year,
        "title": "Kế hoạch đối thoại",
        "theme": "Xây dựng nông thôn mới",
        "meeting_date": meeting,
        "venue": "Nhà văn hóa xã",
        "hamlets": [{"hamlet": "ấp Chợ"}],
    }


@pytest.fixture
async def client(make_settings):
    app = build_app(make_settings(), [intake, routing, reporting], title="t")
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        other = demo_commune().model_copy(update={"id": "other", "name": "Khác", "current_dialogue_id": None})
        await db[COMMUNES].replace_one({"_id": "other"}, commune_document(other), upsert=True)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers()
        ) as client:
            yield client


async def test_implausible_dates_are_refused_and_nothing_is_stored(client):
    for meeting, year in (("0001-01-03", 2001), ("9999-12-30", 2031), ("2031-03-01", 2030)):
        response = await client.post("/api/v1/communes/demo/dialogues", json=plan("p", year, meeting))
        assert response.status_code == 422, response.text
        assert response.json()["message_vi"] and response.json()["message_en"]
    assert (await client.get("/api/v1/communes/demo/dialogues/p")).status_code == 404
    issued = await client.post(
        "/api/v1/communes/demo/dialogues/demo-2017/documents/thong-bao-ket-luan",
        json={"by": "VP", "issued_on": "9999-12-30"},
    )
    assert issued.status_code == 422
    twice = {**plan("q", 2031, "2031-03-01"), "hamlets": [{"hamlet": "ấp Chợ"}, {"hamlet": "ap cho"}]}
    assert (await client.post("/api/v1/communes/demo/dialogues", json=twice)).status_code == 422


async def test_two_communes_may_use_the_same_plan_id(client):
    other = staff_headers(commune_id="other")
    assert (
        await client.post(
            "/api/v1/communes/other/dialogues", json=plan("2031", 2031, "2031-03-01"), headers=other
        )
    ).status_code == 201
    assert (
        await client.post("/api/v1/communes/demo/dialogues", json=plan("2031", 2031, "2031-03-08"))
    ).status_code == 201
    ours = (await client.get("/api/v1/communes/demo/dialogues/2031")).json()
    theirs = (await client.get("/api/v1/communes/other/dialogues/2031", headers=other)).json()
    assert (ours["meeting_date"], theirs["meeting_date"]) == ("2031-03-08", "2031-03-01")
    await client.post(
        "/api/v1/communes/other/dialogues/2031/deadlines/reports/done",
        json={"by": "VP xã khác"},
        headers=other,
    )
    states = {
        d["key"]: d["state"]
        for d in (await client.get("/api/v1/communes/demo/dialogues/2031")).json()["deadlines"]
    }
    assert states["reports"] == "pending"


async def test_open311_odd_values_are_not_server_errors(client):
    odd_code = await client.get("/open311/v2/demo/requests.json", params={"service_code": "²"})
    assert odd_code.status_code == 400 and odd_code.json()[0]["description"].startswith("service_code:")
    response = await client.post(
        "/open311/v2/demo/requests.json",
        json={"description": "Đường ngập nước quá lâu", "first_name": 5, "address_string": "ấp Chợ"},
        headers=key_headers("demo", Scope.SUBMIT),
    )
    assert response.status_code == 200 and response.json()[0]["token"].startswith("DT-")


async def test_rule_files_the_store_cannot_hold_are_refused(client):
    current = (await client.get("/api/v1/communes/demo/routing/rules")).json()["rules"]
    infinite = {**current, "scoring": {**current.get("scoring", {}), "min_score": float("inf")}}
    body = '{"rules": ' + json.dumps(infinite, allow_nan=True) + ', "updated_by": "Quản trị"}'
    response = await client.put(
        "/api/v1/communes/demo/routing/rules", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    huge = {
        **current,
        "topics": {**current["topics"], "99999999999999999999999": {"name": "x", "terms": {"abc": 1}}},
    }
    assert (
        await client.put(
            "/api/v1/communes/demo/routing/rules", json={"rules": huge, "updated_by": "Quản trị"}
        )
    ).status_code == 422
    assert (await client.get("/api/v1/communes/demo/routing/rules")).json()["source"] == "built-in default"


async def test_a_cancelled_dialogue_takes_no_more_submissions(client):
    assert (
        await client.post("/api/v1/communes/demo/dialogues/demo-2017/transitions", json={"to": "cancelled"})
    ).status_code == 200
    response = await client.post(
        "/api/v1/communes/demo/submissions",
        json={"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": "Đường ngập nước quá lâu"},
    )
    assert response.status_code == 409 and response.json()["error"] == "dialogue_ended"
    assert "đã hủy" in response.json()["message_vi"]
