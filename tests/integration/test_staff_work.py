"""The Party office's and offices' work on items through the staff pages, on the real broker
and store (intake, routing and reporting in one app; the pages reach routing and reporting in
process): a change without a reason is refused and changes nothing, reclassify / reassign /
merge by tracking code land as routing revisions that intake follows, an office prepares the
answer of its own item but cannot reclassify, documents are previewed and issued, the follow-up
board takes an office's status change, and every action is audited."""

from __future__ import annotations

import re

import pytest

from services.demo.seed import seed_demo
from services.demo.staff import seed_demo_staff
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.intake.repository import SUBMISSIONS
from services.intake.web.staff.users import STAFF_AUDIT
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.conftest import eventually
from tests.integration.helpers import running
from tests.integration.test_web_staff import client_for, logged_in, token_of

pytestmark = pytest.mark.integration

ROAD = "Cống thoát nước đường vào chợ bị nghẹt, mưa là ngập sâu, đề nghị xã nạo vét."
ROAD_AGAIN = "Đường vào chợ ấp Chợ mưa xuống là ngập vì cống nghẹt, đề nghị nạo vét cống thoát nước."
PAPERS = (
    "Thủ tục cấp giấy chứng nhận quyền sử dụng đất còn chậm, đề nghị rút ngắn thời gian giải quyết hồ sơ."
)


@pytest.fixture
async def system(make_settings):
    settings = make_settings(DOITHOAI_ROUTING_URL="inprocess", DOITHOAI_REPORTING_URL="inprocess")
    app = build_app(settings, [intake, routing, reporting], title="t")
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        await seed_demo_staff(db, must_change_password=False)
        ids = []
        async with client_for(app) as api:
            for text in (ROAD, ROAD_AGAIN, PAPERS):
                response = await api.post(
                    "/api/v1/communes/demo/submissions",
                    json={
                        "source": "citizen",
                        "kind": "petition",
                        "hamlet": "ấp Chợ",
                        "text": text,
                        "submitter_name": "Trần Văn Mười",
                    },
                )
                assert response.status_code == 202
                ids.append(response.json()["id"])
        await eventually(lambda: _routed(db, ids), timeout=15)
        yield app, db, ids


async def _routed(db, ids: list[str]) -> bool:
    return await db[SUBMISSIONS].count_documents(
        {"_id": {"$in": ids}, "routing_revision": {"$gte": 0}}
    ) == len(ids)


async def test_reclassify_needs_a_reason_and_then_lands_in_intake(system):
    app, db, (road, _, papers) = system
    async with logged_in(app, "demo.vanphong") as client:
        token = await token_of(client, f"/staff/items/{papers}")
        refused = await client.post(
            f"/staff/items/{papers}/phan-loai",
            data={"csrf_token": token, "action": "reclassify", "topic": "6", "reason": ""},
        )
        assert (
            refused.status_code == 422
            and "Vui lòng ghi lý do" in refused.text
            and 'value="6" selected' in refused.text
        )
        assert (await db[SUBMISSIONS].find_one({"_id": papers}))["routing_revision"] == 0
        ok = await client.post(
            f"/staff/items/{papers}/phan-loai",
            data={
                "csrf_token": token,
                "action": "reclassify",
                "topic": "6",
                "reason": "Thuộc cải cách hành chính",
            },
        )
        assert ok.status_code == 303 and ok.headers["location"] == f"/staff/items/{papers}?xong=1"
        doc = await eventually(lambda: db[SUBMISSIONS].find_one({"_id": papers, "routing_revision": 1}))
        assert doc["topic"] == 6
        page = await client.get(f"/staff/items/{papers}")
        assert 'data-decision-topic="6"' in page.text and "Thuộc cải cách hành chính" in page.text
        reassigned = await client.post(
            f"/staff/items/{road}/phan-loai",
            data={"csrf_token": token, "action": "reassign", "office_id": "nowhere", "reason": "thử"},
        )
        assert reassigned.status_code == 422 and "Vui lòng chọn cơ quan" in reassigned.text
    audit = await db[STAFF_AUDIT].find({"action": "routing_reclassify"}).to_list()
    assert [a["status"] for a in audit] == [422, 303] and audit[1]["target"]["topic"] == 6


async def test_merge_by_tracking_code_and_unknown_codes_are_refused(system):
    app, db, (road, _, papers) = system
    code = (await db[SUBMISSIONS].find_one({"_id": road}))["tracking_code"]
    async with logged_in(app, "demo.vanphong") as client:
        token = await token_of(client, f"/staff/items/{papers}")
        unknown = await client.post(
            f"/staff/items/{papers}/phan-loai",
            data={"csrf_token": token, "action": "merge", "into": "DT-NOTHERE", "reason": "trùng"},
        )
        assert unknown.status_code == 422 and "Không tìm thấy ý kiến có mã này" in unknown.text
        merged = await client.post(
            f"/staff/items/{papers}/phan-loai",
            data={"csrf_token": token, "action": "merge", "into": code.lower(), "reason": "Cùng một việc"},
        )
        assert merged.status_code == 303, merged.text
    decision = await eventually(
        lambda: db["routing_decisions"].find_one({"_id": papers, "revision": {"$gte": 1}})
    )
    assert decision["cluster_id"] == (await db["routing_decisions"].find_one({"_id": road}))["cluster_id"]
    assert (await eventually(lambda: db[SUBMISSIONS].find_one({"_id": papers, "routing_revision": 1})))[
        "times_raised"
    ] >= 2


async def test_an_office_answers_its_own_item_but_cannot_reclassify_and_sees_no_identity(system):
    app, db, (road, _, _) = system
    async with logged_in(app, "demo.kinhte") as office:
        page = await office.get(f"/staff/items/{road}")
        assert (
            page.status_code == 200
            and "Trần Văn Mười" not in page.text
            and "Chuẩn bị nội dung trả lời" in page.text
        )
        assert 'action="/staff/items/' + road + '/phan-loai"' not in page.text
        token = await token_of(office, f"/staff/items/{road}")
        forbidden = await office.post(
            f"/staff/items/{road}/phan-loai",
            data={"csrf_token": token, "action": "reclassify", "topic": "6", "reason": "thử"},
        )
        assert forbidden.status_code == 403
        short = await office.post(f"/staff/items/{road}/tra-loi", data={"csrf_token": token, "answer": "x"})
        assert short.status_code == 422 and "Vui lòng viết nội dung trả lời" in short.text
        answer = "Xã đã đưa việc nạo vét cống vào kế hoạch quý II/2017."
        ok = await office.post(f"/staff/items/{road}/tra-loi", data={"csrf_token": token, "answer": answer})
        assert ok.status_code == 303
        assert answer in (await office.get(f"/staff/items/{road}")).text
    assert (await db["routing_decisions"].find_one({"_id": road}))["answer"] == answer


async def test_documents_are_previewed_and_issued_and_the_board_takes_an_offices_change(system):
    app, db, (road, _, _) = system
    await eventually(lambda: _in_read_model(db, 3), timeout=15)
    async with logged_in(app, "demo.vanphong") as client:
        page = await client.get("/staff/van-ban")
        assert page.status_code == 200 and "Thông báo kết luận" in page.text
        preview = await client.get("/staff/van-ban/thong-bao-ket-luan/du-thao.pdf")
        assert preview.status_code == 200 and preview.content.startswith(b"%PDF")
        token = await token_of(client, "/staff/van-ban")
        first = await client.post("/staff/van-ban/thong-bao-ket-luan", data={"csrf_token": token})
        assert first.status_code == 303 and "/ban-hanh" in first.headers["location"]  # confirmation first
        token = await token_of(client, first.headers["location"])
        issued = await client.post("/staff/van-ban/thong-bao-ket-luan/ban-hanh", data={"csrf_token": token})
        assert issued.status_code == 303
        listing = await client.get(issued.headers["location"])
        assert "Đã ban hành: Thông báo kết luận" in listing.text
        document_id = re.search(r'data-issued="([^"]+)"', listing.text).group(1)
        pdf = await client.get(f"/staff/van-ban/da-ban-hanh/{document_id}.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    async with logged_in(app, "demo.kinhte") as office:
        board = await office.get("/staff/theo-doi")
        tasks = re.findall(r'data-task="([^"]+)"', board.text)
        assert tasks and all("Phòng Kinh tế" in board.text for _ in tasks)
        token = await token_of(office, "/staff/theo-doi")
        changed = await office.post(
            f"/staff/theo-doi/{tasks[0]}",
            data={"csrf_token": token, "status": "in_progress", "note": "Đã khảo sát"},
        )
        assert changed.status_code == 303
        assert 'data-status="in_progress"' in (await office.get("/staff/theo-doi")).text
        assert (await office.get("/staff/van-ban")).status_code == 403  # documents are the Party office's


async def _in_read_model(db, n: int) -> bool:
    return await db["reporting_items"].count_documents({"topic": {"$exists": True}}) >= n
