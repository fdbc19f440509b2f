"""The residents' web front on the real broker and store: the plan and the form, CSRF, the
tracking code and the tracking page, Vietnamese errors that keep what was typed, 404s, the
per-IP limit, and registration with counts and duplicates."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest
from markupsafe import escape

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.intake.registrations import REGISTRATIONS
from services.intake.repository import SUBMISSIONS
from services.intake.web.csrf import CSRF_COOKIE
from services.intake.web.ratelimit import RATE_LIMITS
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from shared.directory import DIALOGUES
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
TOKEN = re.compile(r'name="csrf_token" value="([A-Za-z0-9_-]+)"')
PETITION = {
    "hamlet": "ấp Chợ",
    "topic": "",
    "kind": "petition",
    "text": "Rác thải sinh hoạt đổ bừa bãi ven kênh, bốc mùi hôi thối, đề nghị xã xử lý.",
    "name": "Nguyễn Văn Bảy",
    "phone": "0912 345 678",
}


async def _client(make_settings, mail_capture, **overrides):
    settings = make_settings(SMTP_URL=mail_capture.url, **overrides)
    app = build_app(settings, [intake, routing, notification, reporting], title="t")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            yield client, app.state.runtime.db


@pytest.fixture
async def web(make_settings, mail_capture):
    async for pair in _client(make_settings, mail_capture):
        yield pair


@pytest.fixture
async def strict_web(make_settings, mail_capture):
    async for pair in _client(make_settings, mail_capture, DOITHOAI_WEB_POST_LIMIT=3):
        yield pair


async def token_of(client: httpx.AsyncClient, path: str) -> str:
    page = await client.get(path)
    assert page.status_code == 200, page.text
    return TOKEN.search(page.text).group(1)


async def test_home_shows_the_plan_and_the_form_with_a_strict_csrf_cookie(web):
    client, _ = web
    page = await client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert '<html lang="vi">' in html and "Xã Tân Phước, Đồng Tháp" in html
    assert "Kế hoạch tổ chức đối thoại giữa Bí thư Đảng ủy với nhân dân năm 2017" in html
    assert "thứ Bảy, ngày 25/03/2017" in html and "Nhà văn hóa xã" in html and "07 giờ 30" in html
    assert "Hạn gửi ý kiến" in html and "trước ngày 15/03/2017" in html
    for topic in (
        "quy hoạch chỉnh trang đô thị",
        "quản lý đất đai, trật tự xây dựng",
        "hệ thống thoát nước đô thị",
        "xử lý rác thải, nước thải sinh hoạt",
        "an toàn giao thông",
        "Cải cách hành chính",
    ):
        assert topic in html
    assert "Bí thư Đảng ủy nêu rõ mục đích, yêu cầu" in html  # the agenda
    assert 'action="/xa/demo/gui-y-kien"' in html and '<option value="ấp Căn Cứ">' in html
    cookie = page.headers["set-cookie"]
    assert (
        cookie.startswith(f"{CSRF_COOKIE}=")
        and "HttpOnly" in cookie
        and "SameSite=strict" in cookie.replace("Strict", "strict")
    )
    assert TOKEN.search(html).group(1) == client.cookies[CSRF_COOKIE]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert (await client.get("/xa/demo")).text.count("Nội dung trọng tâm") == 1
    css = await client.get("/static/site.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")


async def test_a_post_without_a_matching_csrf_token_is_403_and_stores_nothing(web):
    client, db = web
    missing = await client.post("/xa/demo/gui-y-kien", data=PETITION)
    assert missing.status_code == 403 and "tải lại trang" in missing.text
    await token_of(client, "/")  # the browser now has a cookie ...
    forged = await client.post(
        "/xa/demo/gui-y-kien", data={**PETITION, "csrf_token": "x" * 43}
    )  # ... but not this value
    assert forged.status_code == 403
    token = await token_of(client, "/")
    client.cookies.clear()  # the form's value without the cookie
    assert (
        await client.post("/xa/demo/gui-y-kien", data={**PETITION, "csrf_token": token})
    ).status_code == 403
    assert (
        await client.post("/xa/demo/dang-ky", data={"name": "A B", "phone": "0912345678", "hamlet": "ấp Chợ"})
    ).status_code == 403
    assert await db[SUBMISSIONS].count_documents({}) == 0 and await db[REGISTRATIONS].count_documents({}) == 0


async def test_a_submission_gets_a_tracking_code_and_its_status_shows_routed(web):
    client, db = web
    token = await token_of(client, "/")
    response = await client.post("/xa/demo/gui-y-kien", data={**PETITION, "topic": "4", "csrf_token": token})
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/xa/demo/da-gui?ma=DT-")
    receipt = await client.get(response.headers["location"])
    code = re.search(r'id="ma-theo-doi">(DT-[A-Z0-9]+)<', receipt.text).group(1)
    assert receipt.status_code == 200 and "Đã tiếp nhận" in receipt.text and "ghi lại" in receipt.text
    stored = await db[SUBMISSIONS].find_one({"tracking_code": code})
    assert (stored["source"], stored["hamlet"], stored["service_code_hint"]) == ("citizen", "ấp Chợ", "4")
    assert stored["submitter"] == {"name": "Nguyễn Văn Bảy", "contact": "0912 345 678"}

    async def routed():
        page = await client.get(f"/xa/demo/theo-doi?ma={code.lower()}")  # any case, as typed
        return page.text if 'data-status="office_notified"' in page.text else None

    html = await eventually(routed)
    assert "Đã thông báo cho cơ quan chuẩn bị trả lời" in html
    assert (
        "4. Vệ sinh môi trường, nhất là xử lý rác thải, nước thải sinh hoạt" in html
        and "Phòng Kinh tế" in html
    )
    assert (
        html.index("Đã tiếp nhận.")
        < html.index("Phân loại: Vệ sinh môi trường")
        < html.rindex("Đã thông báo cho cơ quan")
    )
    assert "Nguyễn Văn Bảy" not in html and "0912" not in html  # no personal data on the tracking page
    assert '<meta http-equiv="refresh"' not in html  # done: no more reloading

    await db[SUBMISSIONS].update_one(
        {"_id": stored["_id"]},
        {
            "$set": {
                "followup_status": "resolved",
                "followup_due": "2017-05-10",
                "followup_note": "Đã nạo vét xong cống ấp Chợ.",
            }
        },
    )
    html = (await client.get(f"/xa/demo/theo-doi?ma={code}")).text
    assert "Đã giải quyết" in html and "hạn 10/05/2017" in html and "Đã nạo vét xong cống ấp Chợ." in html


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"hamlet": "", "text": "ngắn"}, "hamlet", "Vui lòng chọn ấp nơi xảy ra sự việc"),
        ({"text": "   "}, "text", "Vui lòng viết nội dung ý kiến"),
        ({"text": "đ" * 5001}, "text", "tối đa 5000 ký tự"),
        ({"hamlet": "ấp Không Có"}, "hamlet", "Không có ấp 'ấp Không Có' trong xã Tân Phước"),
        ({"phone": "gọi tôi"}, "phone", "Số điện thoại không hợp lệ"),
        ({"kind": "rumour"}, "kind", "Vui lòng chọn loại: ý kiến, kiến nghị hoặc phản ánh."),
        ({"topic": "99"}, "topic", "Nội dung gợi ý không hợp lệ"),
    ],
    ids=["no-hamlet", "blank-text", "text-too-long", "unknown-hamlet", "bad-phone", "bad-kind", "bad-topic"],
)
async def test_bad_input_re_renders_the_form_in_vietnamese_keeping_what_was_typed(
    web, changes, field, message
):
    client, db = web
    token = await token_of(client, "/")
    response = await client.post("/xa/demo/gui-y-kien", data={**PETITION, **changes, "csrf_token": token})
    assert response.status_code == 422
    html = response.text
    assert 'class="error-summary"' in html and f'href="#f-{field}"' in html and str(escape(message)) in html
    assert f'id="e-{field}"' in html  # the message sits next to its field
    assert 'value="Nguyễn Văn Bảy"' in html  # what the resident typed is kept
    if "text" not in changes:
        assert PETITION["text"] in html
    assert await db[SUBMISSIONS].count_documents({}) == 0


async def test_unknown_commune_and_unknown_code_are_404_pages_in_vietnamese(web):
    client, _ = web
    for path in (
        "/xa/nowhere",
        "/xa/NOT_AN_ID",
        "/xa/nowhere/theo-doi?ma=DT-ABCDEFGH",
        "/xa/nowhere/dang-ky",
        "/xa/nowhere/ket-luan",
    ):
        page = await client.get(path)
        assert page.status_code == 404 and "Không tìm thấy xã/phường" in page.text, path
    token = await token_of(client, "/")
    assert (
        await client.post("/xa/nowhere/gui-y-kien", data={**PETITION, "csrf_token": token})
    ).status_code == 404
    unknown = await client.get("/xa/demo/theo-doi?ma=DT-ZZZZZZZZ")
    assert unknown.status_code == 404 and "Không tìm thấy ý kiến có mã DT-ZZZZZZZZ" in unknown.text
    malformed = await client.get("/xa/demo/theo-doi?ma=<script>")
    assert (
        malformed.status_code == 422
        and "Mã theo dõi không đúng dạng" in malformed.text
        and "<script>" not in malformed.text
    )


async def test_too_many_posts_from_one_address_get_429_with_retry_after(strict_web):
    client, db = strict_web
    token = await token_of(client, "/")
    statuses = [
        (await client.post("/xa/demo/gui-y-kien", data={**PETITION, "csrf_token": token})).status_code
        for _ in range(3)
    ]
    assert statuses == [303, 303, 303]
    limited = await client.post(
        "/xa/demo/dang-ky",
        data={"name": "Lê Thị Tám", "phone": "0987654321", "hamlet": "ấp Chợ", "csrf_token": token},
    )
    assert limited.status_code == 429 and "quá nhiều lần" in limited.text
    assert 1 <= int(limited.headers["retry-after"]) <= 600
    assert await db[SUBMISSIONS].count_documents({}) == 3 and await db[REGISTRATIONS].count_documents({}) == 0
    [counter] = await db[RATE_LIMITS].find({}).to_list()
    assert (
        counter["count"] == 3  # the refused post is not counted
        and isinstance(counter["expires_at"], datetime)
        and "127.0.0.1" not in counter["_id"]
    )
    ttl = [i for i in (await db[RATE_LIMITS].index_information()).values() if "expireAfterSeconds" in i]
    assert ttl and ttl[0]["key"] == [("expires_at", 1)]


async def test_registration_counts_per_hamlet_and_refuses_the_same_person_twice(web):
    client, db = web
    # The seeded demo plan names its two hamlets but sets no quota (README: 70 each); set it as the
    # Party office would.
    await db[DIALOGUES].update_one(
        {"_id": "demo/demo-2017"}, {"$set": {"min_attendance": {"ap-cho": 70, "ap-can-cu": 70}}}
    )
    page = await client.get("/xa/demo/dang-ky")
    assert page.status_code == 200 and "Số người đã đăng ký" in page.text and "còn thiếu 70" in page.text
    token = TOKEN.search(page.text).group(1)
    person = {
        "name": "Trần Thị Hoa",
        "phone": "0909 123 456",
        "hamlet": "ấp Căn Cứ",
        "topic": "3",
        "wants_to_speak": "1",
        "csrf_token": token,
    }
    done = await client.post("/xa/demo/dang-ky", data=person)
    assert done.status_code == 303 and done.headers["location"] == "/xa/demo/dang-ky?xong=1"
    after = (await client.get(done.headers["location"])).text
    assert "Cảm ơn bạn đã đăng ký" in after and "còn thiếu 69" in after and "Tổng cộng: 1 người" in after
    stored = await db[REGISTRATIONS].find_one({})
    assert (stored["hamlet_id"], stored["topic"], stored["wants_to_speak"], stored["registered_by"]) == (
        "ap-can-cu",
        3,
        True,
        "self",
    )

    again = await client.post(
        "/xa/demo/dang-ky", data={**person, "name": "trần thị hoa", "phone": "+84 909 123 456"}
    )
    assert again.status_code == 409 and "đã đăng ký tham dự buổi đối thoại này rồi" in again.text
    bad = await client.post("/xa/demo/dang-ky", data={**person, "name": "", "phone": "abc", "hamlet": ""})
    assert bad.status_code == 422
    assert all(
        m in bad.text
        for m in ("Vui lòng nhập họ và tên", "Số điện thoại không hợp lệ", "Vui lòng chọn ấp nơi bạn cư trú")
    )
    assert await db[REGISTRATIONS].count_documents({}) == 1
    summary = (await client.get("/api/v1/communes/demo/dialogues/demo-2017/registrations/summary")).json()
    assert summary["total"] == 1  # the API sees the same registrations


async def test_the_conclusions_page_says_so_in_vietnamese_when_reporting_does_not_answer(
    make_settings, mail_capture
):
    """Reporting does not answer (nothing listens on port 9); the page itself:
    tests/integration/test_resident_site.py."""
    async for client, _ in _client(make_settings, mail_capture, DOITHOAI_REPORTING_URL="http://127.0.0.1:9"):
        await _conclusions_unavailable(client)


async def _conclusions_unavailable(client: httpx.AsyncClient) -> None:
    assert 'href="/xa/demo/ket-luan"' in (await client.get("/")).text
    response = await client.get("/xa/demo/ket-luan")
    assert response.status_code == 503 and response.headers["retry-after"] == "30"
    assert "Tạm thời chưa xem được kết luận" in response.text and 'href="/xa/demo"' in response.text
