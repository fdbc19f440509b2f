"""An issue the Party office keeps out of public views (issue 16), over the real broker and store
with intake, routing and reporting in one process: its reviewed summary is saved with
`public: false` through the meeting API (a non-boolean flag is refused in Vietnamese and
English), then it is absent from reporting's public page, the open-data CSV, XLSX and JSON, the
residents' conclusions page and Open311 GET, while the public issue shows its reviewed, masked
summary there; the issued conclusion notice prints both. The staff documents page shows each
issue's state and the "Công khai trên trang của xã" checkbox, and posts the flag."""

from __future__ import annotations

import io
import re
from urllib.parse import urlencode

import httpx
import openpyxl
import pytest

from services.demo.seed import seed_demo
from services.demo.staff import DEMO_STAFF, seed_demo_staff
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
D = f"{BASE}/dialogues/demo-2017"
TOKEN = re.compile(r'name="csrf_token" value="([A-Za-z0-9_-]+)"')
PASSWORDS = {username: password for username, password, *_ in DEMO_STAFF}
DISPUTE = "Tranh chấp ranh đất giữa hộ ông Năm và hộ bà Sáu ở ấp Chợ, đề nghị xã hòa giải"
DRAIN = "Cống thoát nước trước chợ bị nghẹt, mưa lớn là ngập cả đoạn đường"
PRIVATE = "Tranh chấp ranh giới thửa đất giữa hai hộ gia đình, đề nghị hòa giải ở cơ sở"
PUBLIC = "Cống thoát nước trước chợ bị nghẹt gây ngập đường, đề nghị nạo vét trước mùa mưa"
PUBLIC_HEAD = "Cống thoát nước trước chợ bị nghẹt gây ngập đường"


@pytest.fixture
async def system(make_settings):
    settings = make_settings(DOITHOAI_ROUTING_URL="inprocess", DOITHOAI_REPORTING_URL="inprocess")
    app = build_app(settings, [intake, routing, reporting], title="t")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        await seed_demo_staff(app.state.runtime.db, must_change_password=False)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers(), timeout=60
        ) as client:
            ids = {}
            for text in (DISPUTE, DRAIN):
                body = {"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": text}
                posted = await client.post(f"{BASE}/submissions", json=body)
                assert posted.status_code == 202, posted.text
                ids[text] = posted.json()["id"]
            await eventually(lambda: _routed(client), timeout=30)
            yield client, app, ids


async def _routed(client) -> bool:
    items = (await client.get(f"{D}/items")).json()["items"]
    return sum(i["topic"] is not None for i in items) >= 2


async def _key(client, fragment: str) -> str:
    record = (await client.get(f"{D}/meeting")).json()
    (issue,) = [i for i in record["issues"] if fragment in i["summary"]]
    return str(issue["key"])


def _ticked(page: str, key: str) -> bool:
    """Whether the "Công khai trên trang của xã" box of an issue's review form opens ticked."""
    form = page.split(f'id="tom-tat-{key}"', 1)[1].split("</form>", 1)[0]
    (box,) = re.findall(r'<input type="checkbox" name="public"[^>]*>', form)
    return " checked" in box


async def _public(client) -> dict[str, str]:
    texts = {"page": (await client.get("/public/demo/dialogues/demo-2017")).text}
    texts["csv"] = (await client.get(f"{D}/open-data.csv")).content.decode("utf-8-sig")
    texts["json"] = (await client.get(f"{D}/open-data.json")).text
    book = openpyxl.load_workbook(io.BytesIO((await client.get(f"{D}/open-data.xlsx")).content))
    texts["xlsx"] = " ".join(str(c) for row in book.active.iter_rows(values_only=True) for c in row if c)
    texts["residents"] = (await client.get("/xa/demo/ket-luan")).text
    texts["open311"] = (await client.get("/open311/v2/demo/requests.json")).text
    return texts


async def test_a_non_public_issue_is_in_the_notice_and_nowhere_public(system):
    client, _, ids = system
    dispute, drain = await _key(client, "Tranh chấp"), await _key(client, "Cống thoát")

    refused = await client.put(f"{D}/meeting/issues/{dispute}", json={"summary": PRIVATE, "public": "maybe"})
    assert refused.status_code == 422
    detail = refused.json()["detail"][0]
    assert detail["field"] == "public" and detail["message_vi"] and detail["message_en"]

    saved = await client.put(f"{D}/meeting/issues/{dispute}", json={"summary": PRIVATE, "public": False})
    assert saved.status_code == 200, saved.text
    issues = {i["key"]: i for i in saved.json()["issues"]}
    assert issues[dispute]["public"] is False and issues[dispute]["summary"] == PRIVATE
    assert (await client.put(f"{D}/meeting/issues/{drain}", json={"summary": PUBLIC})).status_code == 200

    texts = await _public(client)
    for where, text in texts.items():
        for secret in ("Tranh chấp", "thửa đất", "ông Năm", "0909123456"):
            assert secret not in text, (where, secret)
    for where in ("page", "csv", "json", "xlsx", "residents"):
        assert PUBLIC_HEAD in texts[where], where
    listed = (await client.get("/open311/v2/demo/requests.json")).json()
    open311 = {r["service_request_id"]: r for r in listed}
    assert ids[DISPUTE] not in open311
    assert open311[ids[DRAIN]]["description"].startswith(PUBLIC_HEAD)
    one = await client.get(f"/open311/v2/demo/requests/{ids[DISPUTE]}.json")
    assert one.status_code == 404

    issued = await client.post(f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"})
    assert issued.status_code == 201, issued.text
    notice = (await client.get(issued.json()["links"]["html"])).text
    assert PRIVATE in notice and PUBLIC_HEAD in notice
    after = await _public(client)
    for where in ("page", "csv", "json", "xlsx", "residents", "open311"):
        assert "Tranh chấp" not in after[where], where
    for where in ("page", "csv", "json", "xlsx", "residents"):
        assert PUBLIC_HEAD in after[where], where

    # after the notice only the flag changes: the drain issue is withdrawn from public views too
    changed = await client.put(f"{D}/meeting/issues/{drain}", json={"summary": "Khác", "public": False})
    assert changed.status_code == 409 and changed.json()["error"] == "locked"
    withdrawn = await client.put(f"{D}/meeting/issues/{drain}", json={"summary": PUBLIC, "public": False})
    assert withdrawn.status_code == 200, withdrawn.text
    hidden = await _public(client)
    for where in ("page", "csv", "json", "xlsx", "residents", "open311"):
        assert PUBLIC_HEAD not in hidden[where], where


async def test_the_documents_page_shows_each_issues_state_and_posts_the_flag(system):
    client, app, _ = system
    dispute, drain = await _key(client, "Tranh chấp"), await _key(client, "Cống thoát")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as web:
        page = await web.get("/login")
        login = {"username": "demo.vanphong", "password": PASSWORDS["demo.vanphong"], "next": ""}
        login["csrf_token"] = TOKEN.search(page.text).group(1)
        assert (await web.post("/login", data=login)).status_code == 303
        page = await web.get("/staff/van-ban")
        assert page.status_code == 200, page.text
        assert "Công khai trên trang của xã" in page.text
        for key in (dispute, drain):
            assert f'data-review-issue="{key}" data-reviewed="no" data-public="yes"' in page.text
            assert _ticked(page.text, key) is False  # not reviewed: published only when ticked
        assert "Chưa rà soát" in page.text and "chưa đánh dấu sẵn" in page.text
        csrf = TOKEN.search(page.text).group(1)
        action = f"/staff/van-ban/tom-tat/{dispute}?dot=demo-2017"
        bad = await web.post(action, data={"csrf_token": csrf, "summary": PRIVATE, "public": "maybe"})
        assert bad.status_code == 422
        # an unticked box sends only the hidden "0"
        saved = await web.post(action, data={"csrf_token": csrf, "summary": PRIVATE, "public": "0"})
        assert saved.status_code == 303, saved.text
        assert "da_ra_soat=rieng" in saved.headers["location"]
        page = await web.get(saved.headers["location"])
        assert "Vấn đề không công khai" in page.text
        assert f'data-review-issue="{dispute}" data-reviewed="yes" data-public="no"' in page.text
        assert _ticked(page.text, dispute) is False
        assert "Không công khai" in page.text and "Đã rà soát" in page.text
        ticked = await web.post(
            f"/staff/van-ban/tom-tat/{drain}?dot=demo-2017",
            content=urlencode([("csrf_token", csrf), ("summary", PUBLIC), ("public", "0"), ("public", "1")]),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert ticked.status_code == 303 and "da_ra_soat=1" in ticked.headers["location"]
        page = await web.get(ticked.headers["location"])
        assert f'data-review-issue="{drain}" data-reviewed="yes" data-public="yes"' in page.text
        assert _ticked(page.text, drain) is True  # reviewed: the box opens as the stored flag
        issued = await client.post(f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"})
        assert issued.status_code == 201, issued.text
        page = await web.get("/staff/van-ban")
        assert "Lưu việc công khai" in page.text and "Lưu nội dung đã rà soát</button>" not in page.text
        # locked: the textarea is ignored, the printed summary stays, the flag changes
        late = await web.post(
            f"/staff/van-ban/tom-tat/{drain}?dot=demo-2017",
            data={"csrf_token": csrf, "summary": "Bất kỳ", "public": "0"},
        )
        assert late.status_code == 303, late.text
    record = (await client.get(f"{D}/meeting")).json()
    assert {i["key"]: i["public"] for i in record["issues"]} == {dispute: False, drain: False}
    assert next(i for i in record["issues"] if i["key"] == drain)["summary"] == PUBLIC
