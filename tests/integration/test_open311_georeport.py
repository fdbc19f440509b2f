"""Open311 GeoReport v2 as another system uses it, over the real broker and store (intake and
routing in one app): a POST after the meeting was held says so (not "no dialogue opened"), a
request's updated_datetime follows its routing, every refusal is the spec's `[{code,
description}]` naming its field in Vietnamese and English (a wrong service_code lists the valid
ones), and bad query parameters are refused that way too, never as a 422 of the project's own
form or a 500."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from xml.etree import ElementTree
from zoneinfo import ZoneInfo

import httpx
import pytest

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.api_keys import ApiKeyStore
from services.intake.app import build_service as intake
from services.intake.repository import SUBMISSIONS
from services.routing.app import build_service as routing
from shared.auth.principal import Scope
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
BASE = "/open311/v2/demo"
TEXT = "Rác thải sinh hoạt đổ bừa bãi ven kênh Xáng, bốc mùi hôi cả xóm."
CODES = "1, 2, 3, 4, 5, 6, 0"


@pytest.fixture
async def app(make_settings):
    app = build_app(make_settings(), [intake, routing], title="t")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        yield app


@pytest.fixture
async def client(app):
    _, key = await ApiKeyStore(app.state.runtime.db).create(
        "demo", "Open311 client", frozenset({Scope.SUBMIT}), "test"
    )
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        client.open311_key = key
        yield client


async def _hold_the_meeting(db) -> None:
    """What the meeting's end does: the plan is held, the commune has no open plan."""
    await db["dialogues"].update_one({"_id": "demo/demo-2017"}, {"$set": {"status": "held"}})
    await db["communes"].update_one({"_id": "demo"}, {"$set": {"current_dialogue_id": None}})


async def test_a_post_after_the_meeting_says_it_was_held(app, client):
    db = app.state.runtime.db
    await _hold_the_meeting(db)
    before = await db["submissions"].count_documents({})
    form = {"service_code": "4", "description": TEXT, "api_key": client.open311_key}
    response = await client.post(f"{BASE}/requests.json", data=form)
    assert response.status_code == 409, response.text
    [error] = response.json()
    assert error["code"] == 409
    assert "đã tổ chức ngày 25/03/2017" in error["description"]
    assert "meeting was held on 25/03/2017" in error["description"]
    assert "chưa mở" not in error["description"] and "no open dialogue" not in error["description"]
    assert "qua trang này" not in error["description"]  # an integration's API is no page

    held = await db["dialogues"].find_one({"_id": "demo/demo-2017"})
    planned = {**held, "_id": "demo/demo-2018", "id": "demo-2018", "year": 2018, "status": "draft"}
    await db["dialogues"].insert_one({**planned, "meeting_date": datetime(2018, 3, 24)})
    [error] = (await client.post(f"{BASE}/requests.json", data=form)).json()
    # a draft is the commune's own until it opens: not announced to an integration
    assert "đã tổ chức ngày 25/03/2017" in error["description"] and "2018" not in error["description"]
    assert await db["submissions"].count_documents({}) == before
    # the services are still the held dialogue's topics, as its requests carry them
    services = (await client.get(f"{BASE}/services.json")).json()
    assert [s["service_code"] for s in services] == CODES.split(", ")


async def test_updated_datetime_is_the_last_routing_change(client):
    response = await client.post(
        f"{BASE}/requests.json",
        data={
            "service_code": "4",
            "description": TEXT,
            "address_string": "ấp Chợ",
            "api_key": client.open311_key,
        },
    )
    [created] = response.json()
    url = f"{BASE}/requests/{created['service_request_id']}.json"

    async def shown(check):
        [request] = (await client.get(url)).json()
        return request if check(request) else None

    routed = await eventually(lambda: shown(lambda r: r["agency_responsible"]))
    assert routed["updated_datetime"] >= routed["requested_datetime"]
    await asyncio.sleep(1.1)  # the times are to the second
    changed_after = datetime.now(UTC).replace(microsecond=0)
    change = await client.post(
        f"/api/v1/communes/demo/submissions/{created['service_request_id']}/routing/changes",
        json={"action": "reclassify", "topic": 3, "reason": "Nội dung chính là thoát nước"},
        headers=staff_headers(),
    )
    assert change.status_code in (200, 201), change.text
    request = await eventually(lambda: shown(lambda r: r["service_code"] == "3"))
    updated = datetime.fromisoformat(request["updated_datetime"])
    assert updated >= changed_after > datetime.fromisoformat(request["requested_datetime"])
    assert request["updated_datetime"].endswith("Z") and "." not in request["updated_datetime"]


async def test_a_wrong_service_code_is_named_with_the_valid_ones_beside_other_errors(client):
    before = (await client.get(f"{BASE}/requests.json")).json()
    response = await client.post(
        f"{BASE}/requests.json",
        data={"service_code": "99", "description": "x", "api_key": client.open311_key},
    )
    assert response.status_code == 400
    descriptions = [e["description"] for e in response.json()]
    assert all(e["code"] == 400 for e in response.json())
    [code] = [d for d in descriptions if d.startswith("service_code:")]
    assert f"chọn một trong: {CODES}" in code and f"expected one of: {CODES}" in code and "'99'" in code
    assert any(d.startswith("description:") for d in descriptions)  # every wrong field at once
    json_body = {
        "service_code": [4],
        "description": TEXT,
        "first_name": {"a": 1},
        "api_key": client.open311_key,
    }
    refused = await client.post(f"{BASE}/requests.json", json=json_body)
    assert refused.status_code == 400
    assert sorted(e["description"].split(":")[0] for e in refused.json()) == ["first_name", "service_code"]
    assert (await client.get(f"{BASE}/requests.json")).json() == before  # nothing stored
    number = await client.post(
        f"{BASE}/requests.json", json={**json_body, "service_code": 4, "first_name": "Tư"}
    )
    assert number.status_code == 200, number.text  # a JSON client's number is a code


async def test_a_jurisdiction_id_naming_another_commune_is_refused(client):
    form = {
        "jurisdiction_id": "other",
        "service_code": "4",
        "description": TEXT,
        "api_key": client.open311_key,
    }
    response = await client.post(f"{BASE}/requests.json", data=form)
    assert response.status_code == 400 and response.json()[0]["description"].startswith("jurisdiction_id:")
    accepted = await client.post(f"{BASE}/requests.json", data={**form, "jurisdiction_id": "demo"})
    assert accepted.status_code == 200, accepted.text
    assert (await client.get(f"{BASE}/services.json", params={"jurisdiction_id": "x"})).status_code == 400


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "foo"}, "status"),
        ({"status": "open,pending"}, "status"),
        ({"service_code": "abc"}, "service_code"),
        ({"service_code": "123456789"}, "service_code"),
        ({"start_date": "yesterday"}, "start_date"),
        ({"end_date": "2017-13-45"}, "end_date"),
        ({"start_date": "2017-03-02", "end_date": "2017-03-01"}, "end_date"),
        ({"start_date": "0001-01-01"}, "start_date"),  # its UTC time is before year 1: was a 500
        ({"end_date": "9999-12-31T23:59:59-01:00"}, "end_date"),
        ({"service_request_id": ",".join(f"id{n}" for n in range(201))}, "service_request_id"),
        ({"service_request_id": "x" * 65}, "service_request_id"),
    ],
)
async def test_bad_query_parameters_get_the_specs_errors_naming_the_field(client, params, field):
    response = await client.get(f"{BASE}/requests.json", params=params)
    assert response.status_code == 400, response.text
    [error] = response.json()
    assert (
        error["code"] == 400
        and error["description"].startswith(f"{field}: ")
        and " / " in error["description"]
    )


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/BAD!/services.json",
        "/open311/v2/nowhere/requests.json",
        "/open311/v2/nowhere/requests/x.json",
        "/open311/v2/nowhere/tokens/x.json",
        f"{BASE}/requests/{'a' * 70}.json",
        f"{BASE}/tokens/{'a' * 40}.json",
        f"{BASE}/services/99.json",
    ],
)
async def test_what_is_not_there_is_a_404_in_the_specs_form(client, path):
    response = await client.get(path)
    assert response.status_code == 404, response.text
    [error] = response.json()
    assert error["code"] == 404 and ": " in error["description"] and " / " in error["description"]


async def test_a_service_definition_and_the_date_filters(client):
    assert (await client.get(f"{BASE}/services/4.json")).json() == {"service_code": "4", "attributes": []}
    [created] = (
        await client.post(
            f"{BASE}/requests.json",
            data={"service_code": "4", "description": TEXT, "api_key": client.open311_key},
        )
    ).json()

    async def ids(**params) -> list[str]:
        response = await client.get(f"{BASE}/requests.json", params=params)
        assert response.status_code == 200, response.text
        return [r["service_request_id"] for r in response.json()]

    sid = created["service_request_id"]
    local_today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()  # a bare date is local
    assert sid in await ids(start_date=local_today.isoformat(), end_date=local_today.isoformat())
    assert sid not in await ids(end_date=date(2017, 1, 1).isoformat())
    # "+07:00" sent unencoded arrives as " 07:00": still that offset
    raw = await client.get(f"{BASE}/requests.json?start_date={local_today.isoformat()}T00:00:00+07:00")
    assert raw.status_code == 200 and sid in [r["service_request_id"] for r in raw.json()]
    assert await eventually(lambda: _has(ids(service_code="1,4", status="open"), sid))  # once routed
    assert sid in await ids(service_request_id=f"{sid},nope", status="closed")  # ids: the rest ignored


async def _has(found, wanted: str) -> bool:
    return wanted in await found


async def test_a_form_with_too_many_fields_is_refused_in_the_specs_form(client):
    form = {**{f"f{n}": "x" for n in range(150)}, "description": TEXT, "api_key": client.open311_key}
    response = await client.post(f"{BASE}/requests.json", data=form)
    assert response.status_code == 413
    [error] = response.json()
    assert error["code"] == 413 and error["description"].startswith("body: ")


async def test_a_body_nested_deeper_than_json_parsers_go_is_answered_never_a_500(client):
    """Seen by an outside probe: 5,000 nested arrays made every Open311 route answer 500 (the
    key was looked for in the body before anything else), keyless callers included."""
    deep = ("[" * 5000 + "]" * 5000).encode()
    json_body = {"content": deep, "headers": {"content-type": "application/json"}}
    listed = await client.request("GET", f"{BASE}/services.json", **json_body)
    assert listed.status_code == 200 and listed.json()[0]["service_code"] == "1"
    keyless = await client.post(f"{BASE}/requests.json", **json_body)
    assert keyless.status_code == 403 and keyless.json()[0]["code"] == 403
    keyed = await client.post(f"{BASE}/requests.json", params={"api_key": client.open311_key}, **json_body)
    assert keyed.status_code == 400 and keyed.json()[0]["description"].startswith("body: ")


async def test_a_form_of_unescaped_utf8_is_read_as_utf8_and_one_not_utf8_is_refused(app, client):
    """Seen by an outside probe: `description=Đường…` sent unescaped (as curl --data-binary
    does) was stored as 'Ä\x90Æ°á»\x9dng', so the name in it escaped the masking."""
    text = "Đường ấp Chợ ngập sâu mỗi khi mưa, đề nghị xã nâng cấp"
    raw = f"api_key={client.open311_key}&service_code=3&description={text}".encode()
    form = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}
    response = await client.post(f"{BASE}/requests.json", content=raw, headers=form)
    assert response.status_code == 200, response.text
    [created] = response.json()
    stored = await app.state.runtime.db[SUBMISSIONS].find_one({"_id": created["service_request_id"]})
    assert stored["text"] == text
    latin = f"api_key={client.open311_key}&service_code=3&description=".encode() + "Đường".encode(
        "utf-16-le"
    )  # not UTF-8
    refused = await client.post(f"{BASE}/requests.json", content=latin, headers=form)
    assert refused.status_code == 400 and "UTF-8" in refused.json()[0]["description"]
    assert await app.state.runtime.db[SUBMISSIONS].count_documents({}) == 1


async def test_every_answer_is_also_xml_as_the_spec_describes(client):
    services = await client.get(f"{BASE}/services.xml")
    assert services.status_code == 200 and services.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(services.content)
    assert root.tag == "services" and [s.findtext("service_code") for s in root] == CODES.split(", ")
    assert root[0].findtext("metadata") == "false"
    definition = ElementTree.fromstring((await client.get(f"{BASE}/services/4.xml")).content)
    assert definition.tag == "service_definition" and definition.findtext("service_code") == "4"
    posted = await client.post(
        f"{BASE}/requests.xml", data={"service_code": "4", "description": TEXT, "api_key": client.open311_key}
    )
    assert posted.status_code == 200, posted.text
    created = ElementTree.fromstring(posted.content)
    assert created.tag == "service_requests" and created[0].findtext("token").startswith("DT-")
    sid = created[0].findtext("service_request_id")
    one = ElementTree.fromstring((await client.get(f"{BASE}/requests/{sid}.xml")).content)
    assert one[0].tag == "request" and one[0].findtext("requested_datetime").endswith("Z")
    assert one[0].findtext("description") == ""  # none: the resident's text is not published
    listed = ElementTree.fromstring((await client.get(f"{BASE}/requests.xml")).content)
    assert sid in [r.findtext("service_request_id") for r in listed]
    token = created[0].findtext("token")
    assert (
        ElementTree.fromstring((await client.get(f"{BASE}/tokens/{token}.xml")).content)[0].findtext(
            "service_request_id"
        )
        == sid
    )
    refused = await client.get(f"{BASE}/requests.xml", params={"status": "pending"})
    errors = ElementTree.fromstring(refused.content)
    assert refused.status_code == 400 and errors.tag == "errors"
    assert errors[0].findtext("code") == "400" and errors[0].findtext("description").startswith("status: ")
    other = await client.get(f"{BASE}/services.csv")
    assert other.status_code == 404 and other.json()[0]["description"].startswith("format: ")


async def test_a_list_at_its_bound_leaves_out_the_oldest_requests_not_the_newest(app, client):
    """requests.json answers at most 1,000 requests: the latest ones, oldest first."""
    [created] = (
        await client.post(
            f"{BASE}/requests.json",
            data={"service_code": "4", "description": TEXT, "api_key": client.open311_key},
        )
    ).json()
    submissions = app.state.runtime.db[SUBMISSIONS]
    newest = await submissions.find_one({"_id": created["service_request_id"]})
    older = [
        {
            **newest,
            "_id": f"old-{n:04d}",
            "tracking_code": f"DT-OLD{n:04d}",
            "received_at": datetime(2016, 1, 1, tzinfo=UTC).replace(minute=n % 60, hour=n // 60),
        }
        for n in range(1002)
    ]
    await submissions.insert_many(older)
    listed = [r["service_request_id"] for r in (await client.get(f"{BASE}/requests.json")).json()]
    assert len(listed) == 1000 and listed[-1] == created["service_request_id"]
    assert listed[0] == "old-0003" and "old-0000" not in listed  # the three oldest left out


async def test_an_api_key_sent_with_a_read_is_read_like_any_credential(app, client):
    """Open311 clients send their key as `api_key`: on a read too it is checked, so another
    commune's key and a wrong one are refused 403, as GeoReport v2 answers an invalid api_key
    (an outside probe saw another commune's key in `api_key` taken as anonymous)."""
    _, other = await ApiKeyStore(app.state.runtime.db).create(
        "phu-an", "another commune", frozenset({Scope.SUBMIT}), "test"
    )
    for path in ("requests.json", "services.json", "services/4.json", "requests.xml"):
        assert (await client.get(f"{BASE}/{path}", params={"api_key": client.open311_key})).status_code == 200
        assert (await client.get(f"{BASE}/{path}", params={"api_key": other})).status_code == 403, path
        # GeoReport v2 answers a wrong key 403 too ("api_key was not provided or is invalid")
        assert (await client.get(f"{BASE}/{path}", params={"api_key": "dt_wrong"})).status_code == 403, path
        assert (await client.get(f"{BASE}/{path}")).status_code == 200  # anonymous reads stay public
