"""The residents' site (issue 16) with the real broker and store, intake, routing and reporting in
one process: the conclusions page under /xa/{commune}/ket-luan reads reporting's public JSON
(reviewed, masked summaries only) and says "Chưa có kết luận" until the notice is issued; a text
over the limit is refused by name and given back whole; after the meeting the forms give way to
a notice and POSTs are refused (409); one phone rule on the forms."""

from __future__ import annotations

import re

import httpx
import pytest

from services.intake.registrations import REGISTRATIONS
from services.intake.repository import SUBMISSIONS
from services.intake.schemas import TEXT_MAX
from shared.directory import COMMUNES, DIALOGUES
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import demo_system

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
D = f"{BASE}/dialogues/demo-2017"
TOKEN = re.compile(r'name="csrf_token" value="([A-Za-z0-9_-]+)"')
TYPED = "Nhà ông Nguyễn Văn Tám số 12 đường Lê Lợi, ĐT 0909123456, lấn chiếm hẻm"
PETITION = {
    "hamlet": "ấp Chợ",
    "topic": "",
    "kind": "petition",
    "text": "Rác thải sinh hoạt đổ bừa bãi ven kênh, bốc mùi hôi thối, đề nghị xã xử lý.",
    "name": "",
    "phone": "",
}


@pytest.fixture
async def site(make_settings):
    async with demo_system(make_settings) as (app, client):
        yield client, app.state.runtime.db


async def token_of(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return TOKEN.search(page.text).group(1)


def title_of(html: str) -> str:
    return re.search(r"<title>(.*?)</title>", html, re.S).group(1)


async def _routed(client) -> bool:
    items = (await client.get(f"{D}/items", headers=staff_headers())).json()["items"]
    return any(i["topic"] is not None for i in items)


async def _concluded(client) -> bool:
    return bool((await client.get(f"{D}/open-data.json")).json()["concluded"])


async def test_the_conclusions_page_is_part_of_the_site_and_says_none_until_the_notice(site):
    client, _ = site
    home = (await client.get("/xa/demo")).text
    assert 'href="/xa/demo/ket-luan"' in home

    page = await client.get("/xa/demo/ket-luan")
    assert page.status_code == 200
    html = page.text
    assert "Chưa có kết luận" in title_of(html) and "Kết luận đối thoại" not in title_of(html)
    assert "<h1" in html and "Chưa có kết luận" in html and "sẽ tổ chức ngày 25/03/2017" in html
    assert 'class="brand" href="/xa/demo"' in html and 'href="/xa/demo/theo-doi"' in html  # same header
    assert "Về trang đối thoại" in html


async def test_the_conclusions_page_shows_only_reviewed_rows_and_the_conclusions_once_issued(site):
    client, _ = site
    # a petition with personal data: listed while compiled, only as "under review", never as typed
    staff = staff_headers()
    body = {"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": TYPED}
    assert (await client.post(f"{BASE}/submissions", json=body, headers=staff)).status_code == 202
    await eventually(lambda: _routed(client), timeout=30)
    opened = (await client.get(f"{D}/open-data.json")).json()
    assert opened["concluded"] is False and opened["rows"][0]["issue"] == "Nội dung đang được rà soát"
    html = (await client.get("/xa/demo/ket-luan")).text
    assert "Chưa có kết luận" in title_of(html) and "Ý kiến, kiến nghị đang được tổng hợp" in html
    for secret in ("0909123456", "số 12", "Nguyễn Văn Tám"):
        assert secret not in html

    issued = await client.post(
        f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"}, headers=staff
    )
    assert issued.status_code == 201, issued.text
    await eventually(lambda: _concluded(client), timeout=30)
    html = (await client.get("/xa/demo/ket-luan")).text
    assert title_of(html).startswith("Kết luận đối thoại năm 2017") and "Chưa có kết luận" not in html
    assert f'href="{D}/open-data.csv"' in html and "0909123456" not in html
    # reporting's own page still answers, and no longer claims conclusions before there are any
    assert (await client.get("/public/demo/dialogues/demo-2017")).status_code == 200


async def test_reportings_old_page_does_not_claim_conclusions_before_the_notice(site):
    client, _ = site
    page = await client.get("/public/demo/dialogues/demo-2017")
    assert page.status_code == 200 and title_of(page.text).startswith("Chưa có kết luận")


async def test_a_text_over_the_limit_is_refused_by_name_and_given_back_whole(site):
    client, db = site
    home = (await client.get("/xa/demo")).text
    assert f"Tối đa {TEXT_MAX} ký tự" in home and f'data-limit="{TEXT_MAX}"' in home
    assert 'id="c-text"' in home and f"0</span>/{TEXT_MAX} ký tự" in home
    assert 'maxlength="5000"' not in home  # a browser would cut a paste silently
    long_text = ("Đường vào ấp Chợ ngập nước mỗi khi mưa, đề nghị xã nạo vét cống.\r\n" * 200)[:10_000]
    token = await token_of(client, "/xa/demo")
    response = await client.post(
        "/xa/demo/gui-y-kien", data={**PETITION, "text": long_text, "csrf_token": token}
    )
    assert response.status_code == 422
    html = response.text
    kept = re.search(r'<textarea id="f-text"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    assert kept.count("nạo vét cống") == long_text.count("nạo vét cống")  # nothing cut
    assert 'href="#f-text">Nội dung ý kiến</a>' in html  # the field is named
    assert "quá giới hạn (tối đa 5000 ký tự)" in html and "over the limit of 5000" in html
    assert 'class="counter over"' in html
    assert await db[SUBMISSIONS].count_documents({}) == 0
    # exactly at the limit (line breaks counted once, as the counter does) is taken
    at_limit = ("Cống thoát nước ấp Chợ bị nghẹt.\r\n" * 300)[: TEXT_MAX + 150]
    at_limit = at_limit.replace("\r\n", "\n")[:TEXT_MAX].replace("\n", "\r\n")
    token = await token_of(client, "/xa/demo")
    taken = await client.post("/xa/demo/gui-y-kien", data={**PETITION, "text": at_limit, "csrf_token": token})
    assert taken.status_code == 303, taken.text[:500]


async def test_after_the_meeting_the_forms_give_way_to_a_notice_and_posts_are_refused(site):
    client, db = site
    token = await token_of(client, "/xa/demo")
    await db[DIALOGUES].update_one({"_id": "demo/demo-2017"}, {"$set": {"status": "held"}})
    await db[COMMUNES].update_one({"_id": "demo"}, {"$set": {"current_dialogue_id": None}})

    home = (await client.get("/xa/demo")).text
    assert "đã kết thúc nhận ý kiến" in home and "đã tổ chức ngày 25/03/2017" in home
    assert 'action="/xa/demo/gui-y-kien"' not in home and 'href="/xa/demo/ket-luan"' in home
    refused = await client.post("/xa/demo/gui-y-kien", data={**PETITION, "csrf_token": token})
    assert refused.status_code == 409
    assert "Ý kiến chưa được gửi" in refused.text and PETITION["text"] in refused.text  # to copy
    assert await db[SUBMISSIONS].count_documents({}) == 0

    register = (await client.get("/xa/demo/dang-ky")).text
    assert "đã kết thúc nhận ý kiến" in register and 'action="/xa/demo/dang-ky"' not in register
    data = {"name": "Lê Văn Tư", "phone": "0912 345 678", "hamlet": "ấp Chợ", "csrf_token": token}
    refused = await client.post("/xa/demo/dang-ky", data=data)
    assert refused.status_code == 409 and "Chưa đăng ký được" in refused.text
    api = await client.post(
        f"{D}/registrations", json={"name": "Lê Văn Tư", "phone": "0912 345 678", "hamlet": "ấp Chợ"}
    )
    assert api.status_code == 409 and "đã tổ chức ngày 25/03/2017" in api.text
    assert await db[REGISTRATIONS].count_documents({}) == 0
    sent = await client.post(
        "/api/v1/communes/demo/submissions",
        json={"source": "citizen", "kind": "petition", "hamlet": "ấp Chợ", "text": PETITION["text"]},
    )
    assert sent.status_code == 409 and sent.json()["error"] == "dialogue_ended"
    assert "đã tổ chức ngày 25/03/2017" in sent.json()["message_vi"]
    # an integration's API is no page; the English says when, as the Vietnamese does
    assert "qua trang này" not in sent.json()["message_vi"]
    assert "held on 25/03/2017" in sent.json()["message_en"]
    assert await db[SUBMISSIONS].count_documents({}) == 0


async def test_one_phone_rule_on_both_forms(site):
    client, db = site
    home = (await client.get("/xa/demo")).text
    register = (await client.get("/xa/demo/dang-ky")).text
    assert 'maxlength="30"' in home and 'maxlength="30"' in register
    token = await token_of(client, "/xa/demo")
    for phone in ("0912 345 678 999", "12345678"):
        bad = await client.post("/xa/demo/gui-y-kien", data={**PETITION, "phone": phone, "csrf_token": token})
        assert bad.status_code == 422 and "cần 9–11 chữ số" in bad.text
        data = {"name": "Lê Văn Tư", "phone": phone, "hamlet": "ấp Chợ", "csrf_token": token}
        bad = await client.post("/xa/demo/dang-ky", data=data)
        assert bad.status_code == 422 and "cần 9–11 chữ số" in bad.text
    good = {"name": "Lê Văn Tư", "phone": "+84 912.345.678", "hamlet": "ấp Chợ", "csrf_token": token}
    assert (await client.post("/xa/demo/dang-ky", data=good)).status_code == 303
    again = {**good, "phone": "0912 345 678"}
    assert (await client.post("/xa/demo/dang-ky", data=again)).status_code == 409  # the same person
    taken = await client.post(
        "/xa/demo/gui-y-kien", data={**PETITION, "phone": "0912.345.678", "csrf_token": token}
    )
    assert taken.status_code == 303
    assert await db[REGISTRATIONS].count_documents({}) == 1
