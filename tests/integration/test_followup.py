"""Documents and follow-up through the real broker and store: issuing numbers and freezes a
document and sends it to its recipients; every conclusion becomes a task that is reminded,
escalated when late, told to the resident when resolved, published as open data, and carried
into the next dialogue's report when still open."""

from __future__ import annotations

import asyncio
import io
from datetime import date, timedelta

import httpx
import openpyxl
import pytest
from pypdf import PdfReader

from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.notification.app import build_service as notification
from services.reporting.app import build_service as reporting
from services.reporting.numbering import DocumentNumbers
from services.routing.app import build_service as routing
from tests.auth import staff_headers
from tests.conftest import eventually
from tests.integration.helpers import running

pytestmark = pytest.mark.integration
BASE = "/api/v1/communes/demo"
PETITIONS = [
    ("Cống thoát nước trước chợ bị nghẹt, mưa là ngập cả đoạn đường.", "ấp Chợ", "dan.cho@example.org"),
    (
        "Xe tải chở cát chạy tốc độ cao qua trường học, đề nghị lắp biển báo và gờ giảm tốc.",
        "ấp Căn Cứ",
        None,
    ),
    (
        "Đề nghị tỉnh sớm chi trả tiền bồi thường giải phóng mặt bằng đường tỉnh 741 cho các hộ dân.",
        "ấp Căn Cứ",
        "0909123456",
    ),
]


@pytest.fixture
async def system(make_settings, mail_capture):
    # One process serves the four services: notification reads residents' contacts and issued
    # PDFs through intake's and reporting's APIs in this same process.
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
            ids = []
            for text, hamlet, contact in PETITIONS:
                body = {
                    "source": "citizen",
                    "kind": "petition",
                    "hamlet": hamlet,
                    "text": text,
                    **({"contact": contact} if contact else {}),
                }
                ids.append((await client.post(f"{BASE}/submissions", json=body)).json())
            await eventually(lambda: _routed_items(client, len(PETITIONS)), timeout=20)
            yield client, app, ids


async def _routed_items(client, n: int) -> bool:
    items = (await client.get(f"{BASE}/dialogues/demo-2017/items")).json()["items"]
    return sum(i["topic"] is not None for i in items) == n


async def test_issuing_numbers_freezes_distributes_and_opens_follow_up(system, mail_capture):
    client, app, accepted = system
    first = await client.post(
        f"{BASE}/dialogues/demo-2017/documents/thong-bao-ket-luan",
        json={"by": "Văn phòng Đảng ủy", "issued_on": "2017-04-05"},
    )
    assert first.status_code == 201, first.text
    doc = first.json()
    assert (doc["number"], doc["code"], doc["version"], doc["term"]) == (1, "01-TB/ĐU", 1, "2015-2020")
    pdf = await client.get(doc["links"]["pdf"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    fonts = {
        str(f.get_object()["/BaseFont"]).split("+")[-1]
        for page in PdfReader(io.BytesIO(pdf.content)).pages
        for f in (page["/Resources"].get("/Font") or {}).values()
    }
    assert "DT-Serif" in fonts  # the PDF renderer still embeds the bundled fonts, read from their files
    # HTML served over HTTP carries no file URL (a browser refuses it; it would show server paths)
    for served in (
        await client.get(doc["links"]["html"]),
        await client.get(f"{BASE}/dialogues/demo-2017/documents/thong-bao-ket-luan/preview.html"),
    ):
        assert served.status_code == 200 and "file:" not in served.text and "@font-face" not in served.text
    again = (
        await client.post(
            f"{BASE}/dialogues/demo-2017/documents/thong-bao-ket-luan",
            json={"by": "Văn phòng Đảng ủy", "issued_on": "2017-04-06"},
        )
    ).json()
    assert (again["number"], again["version"]) == (2, 2)
    assert (await client.get(doc["links"]["pdf"])).content == pdf.content  # the first version stays as issued
    listing = (await client.get(f"{BASE}/dialogues/demo-2017/documents")).json()
    assert listing["conclusion_notice"]["state"] == "done" and len(listing["documents"]) == 2
    assert (listing["conclusion_notice"]["issued_on"], listing["conclusion_notice"]["late"]) == (
        doc["issued_on"],
        False,
    )

    # Distribution to every "Nơi nhận" with an address, the PDF attached.
    await eventually(
        lambda: sum("01-TB/ĐU" in str(m["Subject"]) for m in mail_capture.messages()) == 6, timeout=20
    )
    distributed = next(m for m in mail_capture.messages() if "01-TB/ĐU" in str(m["Subject"]))
    assert any(part.get_content_type() == "application/pdf" for part in distributed.iter_attachments())

    board = (await client.get(f"{BASE}/dialogues/demo-2017/follow-up")).json()
    statuses = sorted(t["status"] for t in board["tasks"])
    assert statuses == [
        "assigned",
        "assigned",
        "awaiting_higher_level",
    ]  # the compensation item goes up to the province
    await eventually(lambda: _deadline_state(client, "conclusion", "done"))  # intake records the duty as done

    # Resolving tells the resident (who left an e-mail) and shows on the tracking page.
    drain = next(t for t in board["tasks"] if "Cống" in t["text"])
    bad = await client.post(
        f"{BASE}/follow-up/{drain['id']}/status", json={"status": "rejected", "by": "Phòng Kinh tế"}
    )
    assert bad.status_code == 422
    done = await client.post(
        f"{BASE}/follow-up/{drain['id']}/status",
        json={"status": "resolved", "note": "Đã nạo vét cống ngày 20/04/2017.", "by": "Phòng Kinh tế"},
    )
    assert done.status_code == 200 and [h["status"] for h in done.json()["history"]] == ["resolved"]
    assert (
        await client.post(
            f"{BASE}/follow-up/{drain['id']}/status", json={"status": "in_progress", "by": "Phòng Kinh tế"}
        )
    ).status_code == 409
    tracked = await eventually(lambda: _followup_status(client, accepted[0]["tracking_code"], "resolved"))
    assert any(h["status"] == "followup_resolved" and "nạo vét" in h["note_vi"] for h in tracked["history"])
    mail = await eventually(
        lambda: next((m for m in mail_capture.messages() if m["To"] == "dan.cho@example.org"), None)
    )
    assert accepted[0]["tracking_code"] in mail.get_content()

    # Late tasks: the office is reminded before, then the Standing Committee is told.
    scanner = app.state.parts["reporting"].components["scanner"]
    due = date.fromisoformat(board["tasks"][0]["due"])
    assert await scanner.scan(today=due - timedelta(days=1)) == 1  # the road-sign task, due soon
    assert await scanner.scan(today=due + timedelta(days=1)) == 1  # now overdue: escalated
    assert await scanner.scan(today=due + timedelta(days=2)) == 0  # never twice
    signs = await eventually(lambda: _task_status(client, "gờ giảm tốc", "escalated"))
    assert signs["overdue"] is True
    await eventually(
        lambda: any(
            m["To"] == "thuongtruc@tanphuoc.example" and "[Quá hạn]" in str(m["Subject"])
            for m in mail_capture.messages()
        ),
        timeout=20,
    )

    # Open data, without personal data.
    csv_text = (await client.get(f"{BASE}/dialogues/demo-2017/open-data.csv")).content.decode("utf-8-sig")
    assert (
        "Đã giải quyết" in csv_text
        and "Chờ cấp trên giải quyết" in csv_text
        and "dan.cho@example.org" not in csv_text
    )
    workbook = openpyxl.load_workbook(
        io.BytesIO((await client.get(f"{BASE}/dialogues/demo-2017/open-data.xlsx")).content)
    )
    assert workbook.active.max_row == 2 + 3
    page = await client.get("/public/demo/dialogues/demo-2017")
    assert page.status_code == 200 and "Đã giải quyết" in page.text and "0909123456" not in page.text


async def test_an_item_still_open_is_carried_into_next_years_summary_report(system):
    client, _, _ = system
    assert (
        await client.post(
            f"{BASE}/dialogues/demo-2017/documents/thong-bao-ket-luan",
            json={"by": "VP", "issued_on": "2017-04-05"},
        )
    ).status_code == 201
    next_plan = {
        "id": "demo-2018",
        "year": 2018,
        "title": "Kế hoạch đối thoại năm 2018",
        "theme": "Xây dựng nông thôn mới",
        "meeting_date": "2018-03-24",
        "venue": "Nhà văn hóa xã",
        "hamlets": [{"hamlet": "ấp Chợ"}],
    }
    assert (await client.post(f"{BASE}/dialogues", json=next_plan)).status_code == 201
    report = await client.get(f"{BASE}/dialogues/demo-2018/documents/bao-cao-tong-hop/preview.html")
    assert report.status_code == 200
    assert "kéo dài" in report.text and "Cống thoát nước trước chợ" in report.text


async def test_numbers_never_repeat_within_a_term_under_concurrent_issuing(system):
    client, app, _ = system
    numbers = DocumentNumbers(app.state.runtime.db)
    drawn = await asyncio.gather(*(numbers.next("demo", "2015-2020", "BB") for _ in range(40)))
    assert sorted(drawn) == list(range(1, 41))
    issued = await asyncio.gather(
        *(
            client.post(f"{BASE}/dialogues/demo-2017/documents/kien-nghi-cap-tren", json={"by": "VP"})
            for _ in range(3)
        )
    )
    assert sorted(r.json()["number"] for r in issued) == [1, 2, 3] and sorted(
        r.json()["version"] for r in issued
    ) == [1, 2, 3]
    assert (await numbers.next("demo", "2020-2025", "BB")) == 1  # a new term starts again at 01


async def _deadline_state(client, key: str, expected: str) -> bool:
    plan = (await client.get(f"{BASE}/dialogues/demo-2017")).json()
    return {d["key"]: d["state"] for d in plan["deadlines"]}[key] == expected


async def _followup_status(client, code: str, expected: str):
    view = (await client.get(f"{BASE}/tracking/{code}")).json()
    return view if view["followup_status"] == expected else None


async def _task_status(client, fragment: str, expected: str):
    tasks = (await client.get(f"{BASE}/dialogues/demo-2017/follow-up")).json()["tasks"]
    task = next(t for t in tasks if fragment in t["text"])
    return task if task["status"] == expected else None
