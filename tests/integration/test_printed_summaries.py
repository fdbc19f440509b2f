"""Residents' text printed as typed, over the real broker and store (intake, routing and reporting
in one process): reporting's meeting record marks each issue still printed as typed with what is
wrong (no diacritics, first person), the staff documents page warns about those issues and posts
the reviewed summary through reporting's API, and the summary report then prints the reviewed
summary instead of the text as typed."""

from __future__ import annotations

import html
import re

import httpx
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
M = f"{D}/meeting"
TOKEN = re.compile(r'name="csrf_token" value="([A-Za-z0-9_-]+)"')
PASSWORDS = {username: password for username, password, *_ in DEMO_STAFF}
BARE = "cong thoat nuoc truoc cho bi nghet, mua la ngap ca doan duong"
FIRST_PERSON = "Nhà tôi ở ấp Căn Cứ bị sạt lở bờ kênh, đề nghị xã kè bờ kênh giúp."
PROPER = "Xe tải chở cát chạy tốc độ cao qua trường học, đề nghị lắp biển báo và gờ giảm tốc."
REVIEWED = "Cống thoát nước trước chợ bị nghẹt, mưa lớn gây ngập cả đoạn đường."


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
            for text, hamlet in ((BARE, "ấp Chợ"), (FIRST_PERSON, "ấp Căn Cứ"), (PROPER, "ấp Căn Cứ")):
                body = {"source": "citizen", "kind": "petition", "hamlet": hamlet, "text": text}
                assert (await client.post(f"{BASE}/submissions", json=body)).status_code == 202
            await eventually(lambda: _routed(client), timeout=30)
            yield client, app


async def _routed(client) -> bool:
    items = (await client.get(f"{D}/items")).json()["items"]
    return sum(i["topic"] is not None for i in items) >= 3


async def _issue(client, fragment: str) -> dict:
    return next(i for i in (await client.get(M)).json()["issues"] if fragment in i["summary"])


async def test_issues_printed_as_typed_are_flagged_warned_about_and_reviewed_on_the_documents_page(system):
    client, app = system
    bare = await _issue(client, "cong thoat nuoc")
    first = await _issue(client, "Nhà tôi")
    proper = await _issue(client, "Xe tải")
    assert bare["printed_as_typed"] is True and bare["warnings"] == ["no_diacritics"]
    assert first["printed_as_typed"] is True and first["warnings"] == ["first_person"]
    assert proper["printed_as_typed"] is True and proper["warnings"] == []

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as web:
        page = await web.get("/login")
        login = {"username": "demo.vanphong", "password": PASSWORDS["demo.vanphong"], "next": ""}
        login["csrf_token"] = TOKEN.search(page.text).group(1)
        assert (await web.post("/login", data=login)).status_code == 303
        page = await web.get("/staff/van-ban")
        assert page.status_code == 200, page.text
        assert "vấn đề chưa rà soát không nên in như người dân đã gõ" in page.text
        assert f'data-issue="{bare["key"]}" data-warnings="no_diacritics"' in page.text
        assert f'data-issue="{first["key"]}" data-warnings="first_person"' in page.text
        assert f'data-issue="{proper["key"]}"' not in page.text
        assert "chưa có dấu tiếng Việt" in page.text and "ngôi thứ nhất" in page.text
        assert f'href="#tom-tat-{bare["key"]}"' in page.text
        csrf = TOKEN.search(page.text).group(1)

        action = f"/staff/van-ban/tom-tat/{bare['key']}?dot=demo-2017"
        empty = await web.post(action, data={"csrf_token": csrf, "summary": "  "})
        assert empty.status_code == 422
        without_token = await web.post(action, data={"summary": REVIEWED})
        assert without_token.status_code in (400, 403)
        unknown = await web.post(
            "/staff/van-ban/tom-tat/no-such-issue?dot=demo-2017",
            data={"csrf_token": csrf, "summary": REVIEWED},
        )
        assert unknown.status_code == 404
        # a summary naming a resident is refused (the documents would print "[họ tên]"): the
        # page shows the text typed and leads back to the issue (an outside walkthrough found a
        # dead end there)
        named = "Cống trước nhà ông Nguyễn Văn Bảy bị nghẹt, mưa là ngập"
        refused = await web.post(action, data={"csrf_token": csrf, "summary": named})
        assert refused.status_code == 422 and "[họ tên]" in html.unescape(refused.text)
        assert named in html.unescape(refused.text) and "data-kept" in refused.text
        back = f'href="/staff/van-ban?dot=demo-2017&amp;van-de={bare["key"]}#tom-tat-{bare["key"]}"'
        assert back in refused.text
        saved = await web.post(action, data={"csrf_token": csrf, "summary": REVIEWED})
        assert saved.status_code == 303, saved.text
        assert "da_ra_soat=1" in saved.headers["location"]
        page = await web.get(saved.headers["location"])
        assert "Đã lưu nội dung đã rà soát." in page.text
        assert f'data-issue="{bare["key"]}"' not in page.text
        assert f'data-issue="{first["key"]}"' in page.text

    reviewed = await _issue(client, "mưa lớn gây ngập")
    assert reviewed["key"] == bare["key"]
    assert reviewed["printed_as_typed"] is False and reviewed["warnings"] == []

    report = await client.get(f"{D}/documents/bao-cao-tong-hop/preview.html")
    assert report.status_code == 200, report.text
    assert REVIEWED in report.text and BARE not in report.text
