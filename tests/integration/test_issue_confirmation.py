"""Issuing goes through a confirmation, over the real broker and store (intake, routing and
reporting in one process): reporting's readiness lists what is not ready (texts printed as typed,
items awaiting review), who signs and the "Nơi nhận", and numbers nothing; the staff page's
"Ban hành" leads to that confirmation, only "Xác nhận ban hành" numbers the document (01), and a
reissue's confirmation says the old number stays in the register."""

from __future__ import annotations

import re

import httpx
import pytest

from services.demo.staff import DEMO_STAFF
from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from shared.directory import COMMUNES
from tests.integration.helpers import seeded_with_petitions

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
DIALOGUE = "demo-2017"
D = f"{BASE}/dialogues/{DIALOGUE}"
KIND = "thong-bao-ket-luan"
TOKEN = re.compile(r'name="csrf_token" value="([A-Za-z0-9_-]+)"')
PASSWORDS = {username: password for username, password, *_ in DEMO_STAFF}
BARE = "cong thoat nuoc truoc cho bi nghet, mua la ngap ca doan duong"
PROPER = "Xe tải chở cát chạy tốc độ cao qua trường học, đề nghị lắp biển báo và gờ giảm tốc."


@pytest.fixture
async def system(make_settings):
    async with seeded_with_petitions(make_settings, [intake, routing, reporting], [BARE, PROPER]) as (
        app,
        client,
    ):
        yield client, app


async def _numbered(client) -> list[dict]:
    return [d for d in (await client.get(f"{D}/documents")).json()["documents"] if d["kind"] == KIND]


async def test_issuing_is_confirmed_first_and_nothing_is_numbered_before(system):
    client, app = system
    readiness = await client.get(f"{D}/documents/{KIND}/readiness")
    assert readiness.status_code == 200, readiness.text
    body = readiness.json()
    codes = {p["code"] for p in body["problems"]}
    assert "printed_as_typed" in codes and body["ready"] is False and body["blocked"] is False
    assert "not_concluded" in codes  # no conclusion recorded yet: the default sentence would print
    assert body["recipients"] and body["signer"]["title"] and body["reissue"] is None
    awaiting = sum(1 for i in (await client.get(f"{D}/items")).json()["items"] if i.get("needs_review"))
    assert ("awaiting_review" in codes) == bool(awaiting)
    assert (await client.get(f"{D}/documents/no-such-kind/readiness")).status_code == 404
    assert await _numbered(client) == []

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as web:
        page = await web.get("/login")
        login = {"username": "demo.vanphong", "password": PASSWORDS["demo.vanphong"], "next": ""}
        login["csrf_token"] = TOKEN.search(page.text).group(1)
        assert (await web.post("/login", data=login)).status_code == 303
        listing = await web.get("/staff/van-ban")
        assert f'action="/staff/van-ban/{KIND}/ban-hanh"' in listing.text
        token = TOKEN.search(listing.text).group(1)
        # the former one-click "Ban hành" post numbers nothing: it leads to the confirmation
        first = await web.post(f"/staff/van-ban/{KIND}?dot={DIALOGUE}", data={"csrf_token": token})
        assert first.status_code == 303 and f"/staff/van-ban/{KIND}/ban-hanh" in first.headers["location"]
        assert await _numbered(client) == []

        confirm = await web.get(first.headers["location"])
        assert confirm.status_code == 200, confirm.text
        assert "Xác nhận ban hành" in confirm.text and 'data-problem="printed_as_typed"' in confirm.text
        assert (
            'data-problem="not_concluded"' in confirm.text and "Ghi kết luận ở trang Hội nghị" in confirm.text
        )
        assert "sẽ in lời người dân đã gõ, chưa được rà soát câu chữ" in confirm.text
        assert "thông tin cá nhân vẫn được che" in confirm.text
        for recipient in body["recipients"]:
            assert recipient in confirm.text
        assert "data-reissue" not in confirm.text
        assert await _numbered(client) == []

        token = TOKEN.search(confirm.text).group(1)
        issued = await web.post(f"/staff/van-ban/{KIND}/ban-hanh?dot={DIALOGUE}", data={"csrf_token": token})
        assert issued.status_code == 303, issued.text
        done = await _numbered(client)
        assert len(done) == 1 and done[0]["code"].startswith("01-TB/")
        assert "Đã ban hành: Thông báo kết luận" in (await web.get(issued.headers["location"])).text

        again = (await client.get(f"{D}/documents/{KIND}/readiness")).json()
        assert again["reissue"]["current_code"] == done[0]["code"]
        reissue = await web.get(f"/staff/van-ban/{KIND}/ban-hanh?dot={DIALOGUE}")
        assert f'data-reissue="{done[0]["code"]}"' in reissue.text
        assert "số cũ vẫn được giữ trong sổ" in reissue.text and "(số mới)" in reissue.text
        assert len(await _numbered(client)) == 1


async def test_a_missing_signer_blocks_the_confirmation_with_where_to_enter_the_name(system):
    client, app = system
    await app.state.runtime.db[COMMUNES].update_one(
        {"_id": "demo"}, {"$set": {"office_holders.secretary": ""}}
    )
    body = (await client.get(f"{D}/documents/{KIND}/readiness")).json()
    missing = next(p for p in body["problems"] if p["code"] == "signer_missing")
    assert body["blocked"] is True and missing["blocking"] is True
    assert missing["field"] == "office_holders.secretary" and "Chưa thể ban hành" in missing["message_vi"]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as web:
        page = await web.get("/login")
        login = {"username": "demo.vanphong", "password": PASSWORDS["demo.vanphong"], "next": ""}
        login["csrf_token"] = TOKEN.search(page.text).group(1)
        assert (await web.post("/login", data=login)).status_code == 303
        confirm = await web.get(f"/staff/van-ban/{KIND}/ban-hanh?dot={DIALOGUE}")
        assert confirm.status_code == 200 and 'data-problem="signer_missing" data-blocking' in confirm.text
        assert "lãnh đạo Đảng ủy" in confirm.text  # where staff enter the name, in their words
        assert f'action="/staff/van-ban/{KIND}/ban-hanh' not in confirm.text
    assert await _numbered(client) == []
