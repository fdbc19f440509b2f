"""The demo meeting recorded through reporting's API with the real broker and store, the four
services in one process: residents checked in at the door (intake), the facts, the programme as
held, interventions with their answers, one new item raised on the floor (through intake and
routing), the Secretary's conclusion on each issue (one of each kind); then the minutes and the
notice (PDF and DOCX) carry each conclusion's own text, office and deadline, and issuing the
notice opens one follow-up task per conclusion that needs action, with its own due date."""

from __future__ import annotations

import io
from datetime import date

import docx
import httpx
import pytest
from pypdf import PdfReader

from services.demo.seed import demo_commune, seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
D = f"{BASE}/dialogues/demo-2017"
M = f"{D}/meeting"
ISSUED_ON = date(2017, 4, 5)
PETITIONS = [
    ("Cống thoát nước trước chợ bị nghẹt, mưa là ngập cả đoạn đường.", "ấp Chợ"),
    ("Xe tải chở cát chạy tốc độ cao qua trường học, đề nghị lắp biển báo và gờ giảm tốc.", "ấp Căn Cứ"),
    (
        "Đề nghị tỉnh sớm chi trả tiền bồi thường giải phóng mặt bằng đường tỉnh 741 cho các hộ dân.",
        "ấp Căn Cứ",
    ),
    ("Cảm ơn Đảng ủy đã quan tâm làm đường bê tông ấp Chợ, bà con rất phấn khởi.", "ấp Chợ"),
]
FLOOR = "Đèn chiếu sáng đường vào ấp Căn Cứ bị hư nhiều tháng, buổi tối đi lại rất nguy hiểm."
ASSIGNED_TEXT = "Khảo sát, lập dự toán nạo vét cống thoát nước trước chợ và tổ chức thi công trong quý II"
DATED_TEXT = "Phối hợp ngành giao thông lắp biển báo, gờ giảm tốc trước cổng trường"
LIGHT_TEXT = "Kiểm tra, thay bóng đèn chiếu sáng đường vào ấp Căn Cứ"
RECOMMENDED_TEXT = "Kiến nghị sớm chi trả tiền bồi thường giải phóng mặt bằng đường tỉnh 741"
HIGHER_BODY = "Ủy ban nhân dân tỉnh Đồng Tháp"
ANSWER_TEXT = "Đã giải thích tại hội nghị: đường bê tông ấp Chợ được nghiệm thu, đưa vào sử dụng"
REASON = "Ý kiến cảm ơn, không có yêu cầu giải quyết"


@pytest.fixture
async def system(make_settings, mail_capture):
    settings = make_settings(
        SMTP_URL=mail_capture.url,
        DOITHOAI_SCHEDULER_INTERVAL_S=3600,
        DOITHOAI_INTAKE_URL="inprocess",
        DOITHOAI_REPORTING_URL="inprocess",
    )
    app = build_app(settings, [intake, routing, notification, reporting], title="t")
    async with running(app):
        await seed_demo(app.state.runtime.db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers(), timeout=60
        ) as client:
            for text, hamlet in PETITIONS:
                body = {"source": "citizen", "kind": "petition", "hamlet": hamlet, "text": text}
                assert (await client.post(f"{BASE}/submissions", json=body)).status_code == 202
            await eventually(lambda: _routed(client, len(PETITIONS)), timeout=30)
            yield client, app


async def _items(client) -> list[dict]:
    return (await client.get(f"{D}/items")).json()["items"]


async def _routed(client, n: int) -> bool:
    return sum(i["topic"] is not None for i in await _items(client)) >= n


async def _issue(client, fragment: str) -> dict:
    record = (await client.get(M)).json()
    return next(i for i in record["issues"] if fragment in i["summary"])


async def _check_in(client) -> None:
    """Residents who came without registering, checked in at the door (intake's check-in API)."""
    for hamlet, count in (("ap Cho", 3), ("ap Can Cu", 2)):
        response = await client.post(f"{D}/check-ins", json={"walk_in": {"hamlet": hamlet, "count": count}})
        assert response.status_code == 201, response.text


async def test_the_recorded_meeting_makes_the_minutes_the_notice_and_the_follow_up(system):
    client, app = system
    await _check_in(client)
    await eventually(lambda: _attended(client), timeout=20)

    record = (await client.get(M)).json()
    facts = {
        "revision": record["revision"],
        "started_at": "2017-03-25T00:35:00Z",
        "chair": "Nguyễn Văn Minh, Bí thư Đảng ủy xã",
        "minute_taker": "Trần Thị Thu, cán bộ Văn phòng Đảng ủy",
        "delegates_present": ["Đồng chí Phó Bí thư Thường trực Đảng ủy", "Đại diện Ủy ban MTTQ xã"],
    }
    put = await client.put(M, json=facts)
    assert put.status_code == 200, put.text
    stale = await client.put(M, json=facts)  # the same revision again: someone else changed it
    assert stale.status_code == 409

    for title, at in (
        ("Tuyên bố lý do, giới thiệu đại biểu", "2017-03-25T00:35:00Z"),
        ("Bí thư Đảng ủy phát biểu khai mạc", "2017-03-25T00:45:00Z"),
        ("Nhân dân phát biểu, các cơ quan trả lời", "2017-03-25T01:10:00Z"),
    ):
        assert (await client.post(f"{M}/programme", json={"title": title, "at": at})).status_code == 201

    culvert = await _issue(client, "Cống thoát nước")
    trucks = await _issue(client, "Xe tải")
    compensation = await _issue(client, "bồi thường")
    thanks = await _issue(client, "Cảm ơn")
    spoken = await client.post(
        f"{M}/interventions",
        json={
            "speaker": "Ông Lê Văn Tư",
            "registered": True,
            "hamlet": "ấp Chợ",
            "organisation": "Hội Nông dân",
            "question": "Cống trước chợ nghẹt đã lâu, khi nào nạo vét?",
            "issue_keys": [culvert["key"]],
            "answers": [{"by": "Phòng Kinh tế", "text": "Sẽ khảo sát và nạo vét trong quý II"}],
        },
    )
    assert spoken.status_code == 201, spoken.text
    floor = await client.post(
        f"{M}/interventions",
        json={
            "speaker": "Bà Nguyễn Thị Hoa",
            "registered": False,
            "hamlet": "ấp Căn Cứ",
            "question": "Đèn đường hư, đề nghị sửa.",
            "new_issues": [{"text": FLOOR}],
        },
    )
    assert floor.status_code == 201, floor.text
    intervention = floor.json()
    assert len(intervention["tracking_codes"]) == 1 and len(intervention["issue_keys"]) == 1
    edited = await client.put(
        f"{M}/interventions/{intervention['id']}",
        json={"answers": [{"by": "Văn phòng HĐND-UBND", "text": "Sẽ kiểm tra trong tuần"}]},
    )
    assert edited.status_code == 200 and edited.json()["answers"][0]["text"] == "Sẽ kiểm tra trong tuần"
    await eventually(lambda: _routed(client, len(PETITIONS) + 1), timeout=30)
    light = await _issue(client, "Đèn chiếu sáng")
    assert light["tracking_codes"] == intervention["tracking_codes"]

    # the meeting ends (intake then holds the plan: no new item is taken for this dialogue)
    ended = await client.put(
        M, json={"revision": (await client.get(M)).json()["revision"], "ended_at": "2017-03-25T04:05:00Z"}
    )
    assert ended.status_code == 200 and ended.json()["started_at"].startswith("2017-03-25T00:35")

    summary = await client.put(
        f"{M}/issues/{culvert['key']}", json={"summary": "Cống thoát nước trước chợ bị nghẹt"}
    )
    assert summary.status_code == 200

    invalid = await client.put(
        f"{M}/conclusions/{culvert['key']}", json={"kind": "assigned", "text": "Làm ngay"}
    )
    assert invalid.status_code == 422
    assert invalid.json()["detail"][0]["field"] == "office_id" and invalid.json()["message_vi"]
    conclusions = {
        culvert["key"]: {
            "kind": "assigned",
            "text": ASSIGNED_TEXT,
            "office_id": "phong-kinh-te",
            "coordinating_office_ids": ["van-phong-hdnd-ubnd"],
            "deadline_working_days": 45,
        },
        trucks["key"]: {
            "kind": "assigned",
            "text": DATED_TEXT,
            "office_id": "cong-an-xa",
            "deadline_date": "2017-05-31",
        },
        light["key"]: {
            "kind": "assigned",
            "text": LIGHT_TEXT,
            "office_id": "van-phong-hdnd-ubnd",
            "deadline_working_days": 10,
        },
        compensation["key"]: {"kind": "recommended", "text": RECOMMENDED_TEXT, "higher_body": HIGHER_BODY},
        thanks["key"]: {"kind": "answered", "text": ANSWER_TEXT},
    }
    for key, body in conclusions.items():
        response = await client.put(f"{M}/conclusions/{key}", json=body)
        assert response.status_code == 200, response.text
    # the thank-you is then explained instead: every edit is kept in the audit trail
    explained = await client.put(
        f"{M}/conclusions/{thanks['key']}", json={"kind": "no_action", "text": ANSWER_TEXT, "reason": REASON}
    )
    assert explained.status_code == 200 and explained.json()["revision"] == 2
    db = app.state.runtime.db
    edits = await db["reporting_audit"].find({"action": "meeting.conclusion"}).to_list()
    assert len(edits) == len(conclusions) + 1
    assert any(
        e["before"] and e["before"]["kind"] == "answered" and e["after"]["kind"] == "no_action" for e in edits
    )
    # the culvert is answered at the meeting after all, so one issue of each kind
    answered = await client.put(
        f"{M}/conclusions/{culvert['key']}",
        json={"kind": "answered", "text": "Phòng Kinh tế đã trả lời: nạo vét xong trong quý II"},
    )
    assert answered.status_code == 200
    kinds = {c["issue_key"]: c["kind"] for c in (await client.get(M)).json()["conclusions"]}
    assert sorted(kinds.values()) == ["answered", "assigned", "assigned", "no_action", "recommended"]

    # --- the documents ---------------------------------------------------------------------------------
    minutes_pdf = await client.get(f"{D}/documents/bien-ban/preview.pdf")
    assert minutes_pdf.status_code == 200
    minutes = _pdf_text(minutes_pdf.content)
    for needle in (
        "Nguyễn Văn Minh",
        "Trần Thị Thu",
        "07 giờ 35",
        "Bí thư Đảng ủy phát biểu khai mạc",
        "Ông Lê Văn Tư",
        "Hội Nông dân",
        "Sẽ khảo sát và nạo vét trong quý II",
        "Sẽ kiểm tra trong tuần",
        DATED_TEXT,
        LIGHT_TEXT,
        HIGHER_BODY,
        "tối thiểu 70",
        "11 giờ 05",
    ):
        assert needle in minutes, needle
    minutes_docx = _docx_text((await client.get(f"{D}/documents/bien-ban/preview.docx")).content)
    assert DATED_TEXT in minutes_docx and "Sẽ kiểm tra trong tuần" in minutes_docx

    issued = await client.post(f"{D}/documents/thong-bao-ket-luan", json={"issued_on": ISSUED_ON.isoformat()})
    assert issued.status_code == 201, issued.text
    links = issued.json()["links"]
    notice_pdf = _pdf_text((await client.get(links["pdf"])).content)
    notice_docx = _docx_text((await client.get(links["docx"])).content)
    calendar = demo_commune().working_calendar()
    light_due = calendar.nth_working_day_after(ISSUED_ON, 10)
    for text in (notice_pdf, notice_docx):
        for needle in (
            DATED_TEXT,
            "Công an xã",
            "31/05/2017",
            LIGHT_TEXT,
            "Công chức Văn phòng - Thống kê",  # the 2017 title of the Văn phòng HĐND và UBND
            "10 ngày làm việc",
            light_due.strftime("%d/%m/%Y"),
            RECOMMENDED_TEXT,
            HIGHER_BODY,
            "Giao Văn phòng Đảng ủy tham mưu",
            "nạo vét xong trong quý II",
            REASON,
        ):
            assert needle in text, needle
        assert "Giao Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường tham mưu" not in text
    letter = _docx_text((await client.get(f"{D}/documents/kien-nghi-cap-tren/preview.docx")).content)
    assert HIGHER_BODY in letter and RECOMMENDED_TEXT in letter

    # --- follow-up: one task per conclusion that needs action, with its own due date; those closed
    # at the meeting open settled -----------------------------------------------------------------
    board = (await client.get(f"{D}/follow-up")).json()
    tasks = {t["cluster_id"]: t for t in board["tasks"]}
    settled = {k: t["status"] for k, t in tasks.items() if t["status"] in ("resolved", "rejected")}
    assert set(tasks) - set(settled) == {trucks["key"], light["key"], compensation["key"]}
    assert sorted(settled.values()) == ["rejected", "resolved"]
    assert tasks[trucks["key"]]["text"] == DATED_TEXT and tasks[trucks["key"]]["due"] == "2017-05-31"
    assert tasks[trucks["key"]]["office_id"] == "cong-an-xa" and tasks[trucks["key"]]["status"] == "assigned"
    assert tasks[light["key"]]["due"] == light_due.isoformat()
    assert tasks[compensation["key"]]["status"] == "awaiting_higher_level"
    assert tasks[compensation["key"]]["authority_body"] == HIGHER_BODY
    assert tasks[compensation["key"]]["office_id"] == "van-phong-dang-uy"

    locked = await client.put(f"{M}/conclusions/{trucks['key']}", json=conclusions[trucks["key"]])
    assert locked.status_code == 409 and (await client.get(M)).json()["locked"] is True


async def _attended(client) -> bool:
    return (await client.get(M)).json()["attendance"]["total"] > 0


def _pdf_text(content: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(content)).pages
    )


def _docx_text(content: bytes) -> str:
    document = docx.Document(io.BytesIO(content))
    return "\n".join(p.text for p in document.paragraphs)
