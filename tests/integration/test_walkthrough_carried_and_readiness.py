"""The outside walkthrough's 2017 → 2018 round through the real broker and store (the four
services in one process): 2017's land-title issue, reviewed and recommended to the province's
land-registration office at the meeting, is carried into 2018 as a recommendation with its reviewed
summary (draft notice section II, report section 3, letter); the 2018 notice's and report's counts
agree; the readiness check and the staff confirmation page warn of a chair who is not an office
holder, a speaker without an answer and a conclusion whose deadline is already past; the meeting
page fills the chair and the minute-taker in from the office holders."""

from __future__ import annotations

import re

import pytest

from services.intake.app import build_service as intake
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.conftest import eventually
from tests.integration.helpers import posted_and_routed
from tests.integration.test_carried_over_at_meeting import NEXT_PLAN
from tests.integration.test_meeting_page import text_of
from tests.integration.test_web_staff import logged_in

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
D17, D18 = f"{BASE}/dialogues/demo-2017", f"{BASE}/dialogues/demo-2018"
LAND = "Nhà tôi nộp hồ sơ cấp sổ đỏ 3 năm rồi chưa có, gọi 0901234567 hỏi hoài không ai trả lời."
LAND_SUMMARY = "Hồ sơ cấp giấy chứng nhận quyền sử dụng đất ở ấp Chợ chậm giải quyết"
LAND_OFFICE = "Văn phòng Đăng ký đất đai tỉnh Tiền Giang"
PETITIONS = [
    (LAND, "ấp Chợ"),
    ("Cống thoát nước trước chợ bị nghẹt, mưa là ngập cả đoạn đường.", "ấp Chợ"),
]


async def _tasks(client, dialogue_id: str, n: int) -> list[dict] | None:
    tasks = (await client.get(f"{BASE}/dialogues/{dialogue_id}/follow-up")).json()["tasks"]
    return tasks if len(tasks) >= n else None


async def _key(client, dialogue: str, words: str) -> str:
    issues = (await client.get(f"{dialogue}/meeting")).json()["issues"]
    return next(i["key"] for i in issues if words in i["summary"])


@pytest.fixture
async def system(make_settings, mail_capture):
    services = [intake, routing, notification, reporting]
    petitions = [(hamlet, text) for text, hamlet in PETITIONS]
    started = posted_and_routed(make_settings, services, petitions, SMTP_URL=mail_capture.url)
    async with started as (app, client, _):
        land = await _key(client, D17, "sổ đỏ")
        put = await client.put(f"{D17}/meeting/issues/{land}", json={"summary": LAND_SUMMARY})
        assert put.status_code == 200, put.text
        recommended = {
            "kind": "recommended",
            "text": "Kiến nghị cấp trên giải quyết",
            "higher_body": LAND_OFFICE,
        }
        put = await client.put(f"{D17}/meeting/conclusions/{land}", json=recommended)
        assert put.status_code == 200, put.text
        issued = await client.post(
            f"{D17}/documents/thong-bao-ket-luan", json={"by": "VP", "issued_on": "2017-04-05"}
        )
        assert issued.status_code == 201, issued.text
        await eventually(lambda: _tasks(client, "demo-2017", len(PETITIONS)), timeout=30)
        assert (await client.post(f"{BASE}/dialogues", json=NEXT_PLAN)).status_code == 201
        yield client, app


def _section(html: str, start: str, end: str) -> str:
    return text_of(html.split(start, 1)[1].split(end, 1)[0])


async def test_a_recommendation_carried_into_2018_stays_one_with_its_summary_and_counts_agree(system):
    client, _ = system
    land_2017 = next(
        t for t in await _tasks(client, "demo-2017", 2) if t.get("conclusion_kind") == "recommended"
    )
    assert land_2017["status"] == "awaiting_higher_level"

    draft = await client.get(f"{D18}/conclusion-notice/draft")
    assert draft.status_code == 200, draft.text
    one = _section(draft.text, "I. CÁC VẤN ĐỀ THUỘC THẨM QUYỀN CẤP XÃ", "II. KIẾN NGHỊ CẤP TRÊN")
    two = _section(draft.text, "II. KIẾN NGHỊ CẤP TRÊN", "TỔ CHỨC THỰC HIỆN")
    assert LAND_SUMMARY in two and LAND_OFFICE in two and "Không có." not in two
    assert LAND_SUMMARY not in one and "Văn phòng Đảng ủy chủ trì" not in one
    assert "0901234567" not in draft.text and "sổ đỏ 3 năm" not in draft.text  # the reviewed summary
    intro = text_of(draft.text)
    assert (
        "không có ý kiến, kiến nghị, phản ánh mới của nhân dân; 2 vấn đề kéo dài từ các năm trước "
        "chưa được giải quyết dứt điểm được xem xét lại" in intro
    )

    report = await client.get(f"{D18}/documents/bao-cao-tong-hop/preview.html")
    assert report.status_code == 200
    above = _section(report.text, "3. Các vấn đề vượt thẩm quyền cấp xã", "4. Đề xuất")
    assert LAND_SUMMARY in above and LAND_OFFICE in above
    counts = text_of(report.text)
    assert "còn 0 vấn đề; ngoài ra 2 vấn đề kéo dài từ các năm trước" in counts
    letter = await client.get(f"{D18}/documents/kien-nghi-cap-tren/preview.html")
    assert LAND_OFFICE in letter.text and LAND_SUMMARY in letter.text

    record = (await client.get(f"{D18}/meeting")).json()  # the meeting page lists the summary too
    assert any(i["summary"] == LAND_SUMMARY and i["carried_over"] for i in record["issues"])


async def test_readiness_warns_and_the_staff_pages_help(system):
    client, app = system
    async with logged_in(app, "demo.vanphong") as staff:  # nothing recorded: filled in from office holders
        page = await staff.get("/staff/hoi-nghi?dot=demo-2018")
        assert page.status_code == 200, page.text
        chair = re.search(r'id="f-chair" name="chair" value="([^"]*)"', page.text)
        taker = re.search(r'id="f-minute_taker" name="minute_taker" value="([^"]*)"', page.text)
        assert chair and chair.group(1) == "Nguyễn Văn Minh, Bí thư Đảng ủy"
        assert taker and taker.group(1) == "Võ Thị Hạnh, Chánh Văn phòng Đảng ủy"
        assert (
            "Điền sẵn theo lãnh đạo Đảng ủy" in page.text
            and 'value="Lê Văn Hai, Phó Bí thư Đảng ủy"' in page.text
        )

    record = (await client.get(f"{D18}/meeting")).json()
    facts = {"revision": record["revision"], "started_at": "2018-03-24T00:30:00Z", "chair": "Nguyễn Văn Hùng",
             "minute_taker": "Võ Thị Hạnh"}  # fmt: skip
    assert (await client.put(f"{D18}/meeting", json=facts)).status_code == 200
    culvert = await _key(client, D18, "Cống thoát nước")
    spoken = await client.post(
        f"{D18}/meeting/interventions",
        json={"speaker": "Ông Tám", "registered": False, "hamlet": "ấp Chợ", "question": "Cống khi nào vét?",
              "issue_keys": [culvert]},
    )  # fmt: skip
    assert spoken.status_code == 201, spoken.text
    late = {
        "kind": "assigned",
        "text": "Nạo vét cống",
        "office_id": "phong-kinh-te",
        "deadline_date": "2018-04-10",
    }
    assert (await client.put(f"{D18}/meeting/conclusions/{culvert}", json=late)).status_code == 200

    minutes = (await client.get(f"{D18}/documents/bien-ban/readiness")).json()
    codes = {p["code"]: p for p in minutes["problems"]}
    assert "chair_not_office_holder" in codes and "speech_unanswered" in codes and not minutes["blocked"]
    assert "Nguyễn Văn Minh" in codes["chair_not_office_holder"]["message_vi"]
    notice = (await client.get(f"{D18}/documents/thong-bao-ket-luan/readiness")).json()
    [passed] = [p for p in notice["problems"] if p["code"] == "deadline_passed"]
    assert passed["issue_keys"] == [culvert] and "hạn 10/04/2018" in passed["message_vi"]

    async with logged_in(app, "demo.vanphong") as staff:
        confirm = await staff.get("/staff/van-ban/bien-ban/ban-hanh?dot=demo-2018")
        assert confirm.status_code == 200, confirm.text
        assert 'data-problem="chair_not_office_holder"' in confirm.text
        assert 'data-problem="speech_unanswered"' in confirm.text and "Đã sẵn sàng" not in confirm.text
        assert "Sửa người chủ trì ở trang Hội nghị" in confirm.text
        confirm = await staff.get("/staff/van-ban/thong-bao-ket-luan/ban-hanh?dot=demo-2018")
        assert (
            'data-problem="deadline_passed"' in confirm.text
            and "Sửa thời hạn ở trang Hội nghị" in confirm.text
        )
        page = await staff.get("/staff/hoi-nghi?dot=demo-2018")  # recorded names are shown as recorded
        assert 'name="chair" value="Nguyễn Văn Hùng"' in page.text

    # a deputy chairing is fine; the minutes print the delegates and residents apart
    record = (await client.get(f"{D18}/meeting")).json()
    deputy = {"revision": record["revision"], "chair": "Lê Văn Hai, Phó Bí thư Đảng ủy"}
    assert (await client.put(f"{D18}/meeting", json=deputy)).status_code == 200
    minutes = (await client.get(f"{D18}/documents/bien-ban/readiness")).json()
    assert "chair_not_office_holder" not in {p["code"] for p in minutes["problems"]}
    # issuing is not refused (a historical replay): the numbers are taken
    issued = await client.post(
        f"{D18}/documents/thong-bao-ket-luan", json={"by": "VP", "issued_on": "2018-04-12"}
    )
    assert issued.status_code == 201, issued.text
