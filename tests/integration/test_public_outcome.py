"""What the public views say of an issue once the conclusion notice is issued, over the real broker
and store with intake, routing and reporting in one process: each states what the Secretary
concluded (the office assigned, the higher-level body recommended to), not routing's office."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from services.demo.seed import seed_demo
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
CANAL = "Kênh thủy lợi ấp Chợ bồi lắng nặng, lúa thiếu nước, đề nghị nạo vét"
TRUCKS = "Xe tải chở cát chạy quá tốc độ qua trường học ấp Mới vào giờ tan học"
CANAL_SUMMARY = "Kênh thủy lợi bồi lắng, đề nghị nạo vét"
TRUCKS_SUMMARY = "Xe tải chở cát chạy nhanh qua trường học"
HIGHER_BODY = "Sở Nông nghiệp và Môi trường"


@pytest.fixture
async def system(make_settings):
    settings = make_settings(DOITHOAI_ROUTING_URL="inprocess", DOITHOAI_REPORTING_URL="inprocess")
    app = build_app(settings, [intake, routing, reporting], title="t")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers(), timeout=60
        ) as client:
            ids = {}
            for text, hamlet in ((CANAL, "ấp Chợ"), (TRUCKS, "ấp Mới")):
                body = {"source": "citizen", "kind": "petition", "hamlet": hamlet, "text": text}
                posted = await client.post(f"{BASE}/submissions", json=body)
                assert posted.status_code == 202, posted.text
                ids[text] = posted.json()["id"]
                ids[f"code:{text}"] = posted.json()["tracking_code"]
            await eventually(lambda: _routed(client), timeout=30)
            yield client, ids


async def _routed(client) -> bool:
    items = (await client.get(f"{D}/items")).json()["items"]
    return sum(i["topic"] is not None for i in items) >= 2


async def _key(client, fragment: str) -> str:
    record = (await client.get(f"{D}/meeting")).json()
    (issue,) = [i for i in record["issues"] if fragment in i["summary"]]
    return str(issue["key"])


async def _conclude(client, conclusions: dict[str, dict]) -> None:
    for fragment, (summary, conclusion) in conclusions.items():
        key = await _key(client, fragment)
        reviewed = await client.put(f"{D}/meeting/issues/{key}", json={"summary": summary})
        assert reviewed.status_code == 200, reviewed.text
        concluded = await client.put(f"{D}/meeting/conclusions/{key}", json=conclusion)
        assert concluded.status_code == 200, concluded.text


def _csv_rows(response: httpx.Response) -> dict[str, dict[str, str]]:
    rows = csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    return {row["Ý kiến, kiến nghị"]: row for row in rows}


async def test_open_data_states_the_office_assigned_and_the_body_recommended_to(system):
    client, ids = system
    await _conclude(
        client,
        {
            "Kênh thủy lợi": (
                CANAL_SUMMARY,
                {"kind": "recommended", "text": "Kiến nghị nạo vét kênh cấp 2", "higher_body": HIGHER_BODY},
            ),
            "Xe tải": (
                TRUCKS_SUMMARY,
                {
                    "kind": "assigned",
                    "text": "Giao Công an xã tuần tra giờ tan học",
                    "office_id": "cong-an-xa",
                    "deadline_working_days": 10,
                },
            ),
        },
    )
    issued = await client.post(f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"})
    assert issued.status_code == 201, issued.text

    rows = _csv_rows(await client.get(f"{D}/open-data.csv"))
    canal, trucks = rows[CANAL_SUMMARY], rows[TRUCKS_SUMMARY]
    assert (canal["Cơ quan chủ trì"], canal["Thẩm quyền"]) == (HIGHER_BODY, "Cấp trên")
    assert (trucks["Cơ quan chủ trì"], trucks["Thẩm quyền"]) == ("Công an xã", "Cấp xã")
    page = (await client.get("/public/demo/dialogues/demo-2017")).text
    assert HIGHER_BODY in page and "Văn phòng Đảng ủy" not in page
    open311 = {
        r["service_request_id"]: r for r in (await client.get("/open311/v2/demo/requests.json")).json()
    }
    assert open311[ids[CANAL]]["agency_responsible"] == HIGHER_BODY
    assert open311[ids[TRUCKS]]["agency_responsible"] == "Công an xã"
    one = (await client.get(f"/open311/v2/demo/requests/{ids[TRUCKS]}.json")).json()
    assert one[0]["agency_responsible"] == "Công an xã"

    # the resident's tracking page names who carries the conclusion out, not routing's authority
    async def concluded_shown() -> bool:
        page = (await client.get("/xa/demo/theo-doi", params={"ma": ids[f"code:{TRUCKS}"]})).text
        return "Thực hiện kết luận" in page

    await eventually(concluded_shown, timeout=30)
    trucks_page = (await client.get("/xa/demo/theo-doi", params={"ma": ids[f"code:{TRUCKS}"]})).text
    assert "Công an xã" in trucks_page and 'class="note">Vấn đề thuộc thẩm quyền' not in trucks_page


LEGACY_KINH_TE = "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường"  # Phòng Kinh tế in 2017
ANSWER = "Phòng Kinh tế trả lời: kênh đã có trong kế hoạch nạo vét quý II, liên hệ ông Tư 0909123456"
REASON = "Tuyến đường do tỉnh quản lý, đã có biển hạn chế tốc độ"


async def test_issues_closed_at_the_meeting_are_published_with_their_outcome(system):
    client, ids = system
    await _conclude(
        client,
        {
            "Kênh thủy lợi": (CANAL_SUMMARY, {"kind": "answered", "text": ANSWER}),
            "Xe tải": (TRUCKS_SUMMARY, {"kind": "no_action", "text": "", "reason": REASON}),
        },
    )
    before = _csv_rows(await client.get(f"{D}/open-data.csv"))
    assert {r["Tình trạng"] for r in before.values()} == {"Đang tổng hợp"}
    assert {r["Nội dung kết luận"] for r in before.values()} == {""}  # nothing before the notice
    listed = (await client.get("/open311/v2/demo/requests.json")).json()
    assert {(r["status"], r["status_notes"]) for r in listed} == {("open", None)}

    issued = await client.post(f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"})
    assert issued.status_code == 201, issued.text
    rows = _csv_rows(await client.get(f"{D}/open-data.csv"))
    canal, trucks = rows[CANAL_SUMMARY], rows[TRUCKS_SUMMARY]
    assert canal["Tình trạng"] == "Đã trả lời, kết thúc tại hội nghị"
    # the office named in the conclusion as the 2017 notice prints it (its title of that time)
    assert canal["Nội dung kết luận"].startswith(f"{LEGACY_KINH_TE} trả lời: kênh đã có trong kế hoạch")
    assert trucks["Tình trạng"] == "Giải thích, không cần giải quyết"
    assert trucks["Nội dung kết luận"].startswith(REASON)
    data = (await client.get(f"{D}/open-data.json")).json()
    assert data["concluded"] is True and len(data["rows"]) == 2
    page = (await client.get("/public/demo/dialogues/demo-2017")).text
    assert "Đã trả lời, kết thúc tại hội nghị" in page and "Chưa có kết luận" not in page
    open311 = {
        r["service_request_id"]: r for r in (await client.get("/open311/v2/demo/requests.json")).json()
    }
    canal_request, trucks_request = open311[ids[CANAL]], open311[ids[TRUCKS]]
    assert canal_request["status"] == trucks_request["status"] == "closed"
    assert canal_request["status_notes"].startswith("Đã trả lời, kết thúc tại hội nghị: ")
    # Open311 names the office as the 2017 notice does, in the note as in the agency
    assert f"{LEGACY_KINH_TE} trả lời: kênh đã có trong kế hoạch" in canal_request["status_notes"]
    assert trucks_request["status_notes"] == f"Giải thích, không cần giải quyết: {REASON}"
    closed = (await client.get("/open311/v2/demo/requests.json", params={"status": "closed"})).json()
    assert {r["service_request_id"] for r in closed} == {ids[CANAL], ids[TRUCKS]}

    # the resident reads the outcome by code, as a follow-up's result reaches them
    async def told() -> bool:
        page = (await client.get("/xa/demo/theo-doi", params={"ma": ids[f"code:{CANAL}"]})).text
        return "Đã trả lời, kết thúc tại hội nghị đối thoại" in page

    await eventually(told, timeout=30)
    canal_page = (await client.get("/xa/demo/theo-doi", params={"ma": ids[f"code:{CANAL}"]})).text
    assert "kênh đã có trong kế hoạch nạo vét quý II" in canal_page and "0909123456" not in canal_page
    assert "Đã thông báo cho cơ quan chuẩn bị trả lời</" not in canal_page
    assert "(hạn " not in canal_page  # settled at the meeting: no deadline to show
    residents = (await client.get("/xa/demo/ket-luan")).text  # the residents' site shows the outcome too
    assert "Nội dung kết luận" in residents and "kênh đã có trong kế hoạch nạo vét quý II" in residents
    assert "0909123456" not in residents
    trucks_page = (await client.get("/xa/demo/theo-doi", params={"ma": ids[f"code:{TRUCKS}"]})).text
    assert "không đặt ra việc giải quyết" in trucks_page and REASON in trucks_page
    settled = {
        r["service_request_id"]: r for r in (await client.get("/open311/v2/demo/requests.json")).json()
    }
    assert settled[ids[CANAL]]["status"] == "closed" and "quý II" in settled[ids[CANAL]]["status_notes"]
    for text in (page, str(rows), str(data), str(open311)):
        assert "0909123456" not in text and "ông Tư" not in text
        assert CANAL not in text and TRUCKS not in text  # only the reviewed wording


async def test_residents_still_reach_last_years_conclusions_once_the_next_plan_is_open(system):
    """Seen from outside: /xa/demo/ket-luan showed only the newest plan, so once next year's was
    open it said "Chưa có kết luận" and last year's conclusions, still followed up, were out of
    reach. The page names the other years whose meeting was held; `?dot=` opens one."""
    from tests.integration.test_bad_input import plan

    client, ids = system
    await _conclude(client, {"Kênh thủy lợi": (CANAL_SUMMARY, {"kind": "answered", "text": ANSWER})})
    issued = await client.post(f"{D}/documents/thong-bao-ket-luan", json={"issued_on": "2017-04-05"})
    assert issued.status_code == 201, issued.text
    created = await client.post(f"{BASE}/dialogues", json=plan("demo-2018", 2018, "2018-03-24"))
    assert created.status_code == 201, created.text
    opened = await client.post(f"{BASE}/dialogues/demo-2018/transitions", json={"to": "collecting"})
    assert opened.status_code == 200, opened.text

    newest = (await client.get("/xa/demo/ket-luan")).text
    assert "Chưa có kết luận" in newest and 'href="/xa/demo/ket-luan?dot=demo-2017"' in newest
    last_year = await client.get("/xa/demo/ket-luan", params={"dot": "demo-2017"})
    assert last_year.status_code == 200 and "kế hoạch nạo vét quý II" in last_year.text
    assert (await client.get("/xa/demo/ket-luan", params={"dot": "no-such-plan"})).status_code == 404
