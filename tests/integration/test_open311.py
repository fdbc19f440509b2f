"""Open311 GeoReport v2 against intake with the real broker and store, as an Open311 client
sends it (form-encoded POST, JSON arrays back)."""

from __future__ import annotations

import httpx
import pytest

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.api_keys import ApiKeyStore
from services.intake.app import build_service as intake
from services.routing.app import build_service as routing
from shared.auth.principal import Scope
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
BASE = "/open311/v2/demo"


@pytest.fixture
async def client(make_settings):
    app = build_app(make_settings(), [intake, routing], title="t")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        _, key = await ApiKeyStore(app.state.runtime.db).create(
            "demo", "Open311 client", frozenset({Scope.SUBMIT}), "test"
        )
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            client.open311_key = key  # an Open311 client sends its api_key with every POST
            yield client


async def test_services_are_the_dialogue_topics(client):
    services = (await client.get(f"{BASE}/services.json")).json()
    assert [s["service_code"] for s in services] == ["1", "2", "3", "4", "5", "6", "0"]
    assert all(
        set(s) >= {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
        for s in services
    )
    assert services[0]["metadata"] is False and services[0]["type"] == "realtime"
    assert (await client.get("/open311/v2/nowhere/services.json")).status_code == 404


async def test_a_request_posted_as_a_form_is_tracked_by_id_and_token(client):
    form = {
        "service_code": "4",
        "description": "Rác thải sinh hoạt đổ bừa bãi ven kênh Xáng, bốc mùi.",
        "address_string": "ap Kenh Xang",
        "email": "dan@example.org",
        "first_name": "Văn",
        "last_name": "Tư",
        "api_key": client.open311_key,
    }
    response = await client.post(f"{BASE}/requests.json", data=form)
    assert response.status_code == 200, response.text
    [created] = response.json()
    assert created["token"].startswith("DT-") and created["service_request_id"]

    async def routed():
        [request] = (await client.get(f"{BASE}/requests/{created['service_request_id']}.json")).json()
        return request if request["agency_responsible"] else None

    request = await eventually(routed)
    assert (
        request["status"],
        request["service_code"],
        request["agency_responsible"],
        request["address"],
    ) == ("open", "4", "Phòng Kinh tế", "ấp Kênh Xáng")
    assert (
        request["requested_datetime"].endswith("Z") and request["description"] is None
    )  # the resident's text is not published
    assert set(request) >= {
        "service_request_id",
        "status",
        "status_notes",
        "service_name",
        "service_code",
        "description",
        "agency_responsible",
        "service_notice",
        "requested_datetime",
        "updated_datetime",
        "expected_datetime",
        "address",
        "lat",
        "long",
        "media_url",
    }
    assert (await client.get(f"{BASE}/tokens/{created['token']}.json")).json() == [
        {"service_request_id": created["service_request_id"], "token": created["token"]}
    ]
    listed = (
        await client.get(f"{BASE}/requests.json", params={"service_code": "4", "status": "open"})
    ).json()
    assert created["service_request_id"] in [r["service_request_id"] for r in listed]
    assert (await client.get(f"{BASE}/requests.json", params={"status": "closed"})).json() == []
    assert "dan@example.org" not in str(listed) and form["description"] not in str(
        listed
    )  # no personal data, no raw text out


async def test_invalid_requests_get_open311_errors_and_store_nothing(client):
    before = await client.get(f"{BASE}/requests.json")
    key = client.open311_key
    response = await client.post(
        f"{BASE}/requests.json", data={"service_code": "1", "description": "x", "api_key": key}
    )
    assert response.status_code == 400
    [error] = response.json()
    assert (
        error["code"] == 400
        and error["description"].startswith("description:")
        and "/" in error["description"]
    )
    bad_hamlet = await client.post(
        f"{BASE}/requests.json",
        data={"description": "Đường ngập nước quá", "address_string": "ấp Không Có", "api_key": key},
    )
    assert bad_hamlet.status_code == 400 and bad_hamlet.json()[0]["description"].startswith("address_string:")
    assert (await client.get(f"{BASE}/requests.json")).json() == before.json()
    assert (await client.get(f"{BASE}/requests/nope.json")).status_code == 404


async def test_a_post_without_a_valid_key_is_refused_and_stores_nothing(client):
    """GeoReport v2: "403 - api_key was not provided or is invalid", in the spec's error list (XML
    for a .xml path)."""
    before = (await client.get(f"{BASE}/requests.json")).json()
    form = {"service_code": "1", "description": "Đường ngập nước quá lâu, đề nghị nạo vét."}
    missing = await client.post(f"{BASE}/requests.json", data=form)
    assert missing.status_code == 403 and missing.json()[0]["code"] == 403
    assert "api_key" in missing.json()[0]["description"]
    wrong = await client.post(
        f"{BASE}/requests.json", data={**form, "api_key": client.open311_key[:-4] + "AAAA"}
    )
    assert wrong.status_code == 403 and wrong.json()[0]["code"] == 403
    as_xml = await client.post(f"{BASE}/requests.xml", data=form)
    assert as_xml.status_code == 403 and as_xml.headers["content-type"].startswith("application/xml")
    assert "<errors><error><code>403</code><description>" in as_xml.text
    other_commune = await client.post(
        "/open311/v2/other/requests.json", data={**form, "api_key": client.open311_key}
    )
    assert other_commune.status_code == 403  # a key acts for its own commune only
    assert (await client.get(f"{BASE}/requests.json")).json() == before
