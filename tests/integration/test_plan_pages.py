"""The plan pages (`/staff/ke-hoach`, `/staff/dang-ky`) server-side, on the real store and
broker: only the Party office and the commune admin mark duties done, undo them or move the plan
(others get 403 and nothing changes); a form without its CSRF token is refused; every change is
in the staff audit trail with the duty or the move; refusals are in Vietnamese; a mark the system
made on issuing is not undone by hand; a hamlet cell sees its own hamlet's registrations, no
phones."""

from __future__ import annotations

import re
from html import unescape

import pytest

from services.demo.seed import seed_demo
from services.demo.staff import seed_demo_staff
from services.deployment import build_app
from services.intake.app import build_service as intake
from shared.audit import STAFF_AUDIT
from shared.directory import DEADLINE_MARKS
from tests.auth import staff_headers
from tests.integration.helpers import running
from tests.integration.test_web_staff import client_for, logged_in, token_of

pytestmark = pytest.mark.integration
D = "/api/v1/communes/demo/dialogues/demo-2017"
PLAN = "/staff/ke-hoach"


@pytest.fixture
async def app(make_settings):
    settings = make_settings(DOITHOAI_INTAKE_URL="inprocess")
    app = build_app(settings, [intake], title="plan pages")
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        await seed_demo_staff(db, must_change_password=False)
        async with client_for(app) as api:
            for name, phone, hamlet in (
                ("Lê Thị Tư", "0912 000 004", "ấp Chợ"),
                ("Trần Văn Sáu", "0912 000 006", "ấp Căn Cứ"),
            ):
                sent = await api.post(
                    f"{D}/registrations", json={"name": name, "phone": phone, "hamlet": hamlet}
                )
                assert sent.status_code == 201, sent.text
        yield app


def text_of(html: str) -> str:
    return unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


async def test_duties_and_moves_by_the_party_office_only_with_csrf_and_audit(app):
    db = app.state.runtime.db
    async with logged_in(app, "demo.vanphong") as client:
        page = await client.get(PLAN)
        assert page.status_code == 200
        key = re.search(r'data-duty="([^"]+)"', page.text).group(1)
        token = await token_of(client, PLAN)

        forged = await client.post(f"{PLAN}/viec-xong", data={"dot": "demo-2017", "key": key})
        assert forged.status_code == 403 and await db[DEADLINE_MARKS].count_documents({}) == 0

        done = await client.post(
            f"{PLAN}/viec-xong", data={"csrf_token": token, "dot": "demo-2017", "key": key, "note": "Đã nhận"}
        )
        assert done.status_code == 303, done.text
        mark = await db[DEADLINE_MARKS].find_one({"key": key})
        assert (mark["by"], mark["note"]) == ("demo.vanphong", "Đã nhận")
        plan = (await client.get(PLAN)).text
        assert f'data-duty="{key}" data-state="done"' in plan

        undone = await client.post(
            f"{PLAN}/viec-xong/hoan-tac", data={"csrf_token": token, "dot": "demo-2017", "key": key}
        )
        assert undone.status_code == 303 and await db[DEADLINE_MARKS].count_documents({}) == 0
        again = await client.post(
            f"{PLAN}/viec-xong/hoan-tac", data={"csrf_token": token, "dot": "demo-2017", "key": key}
        )
        assert again.status_code == 409 and "chưa được ghi là đã xong" in text_of(again.text)
        unknown = await client.post(
            f"{PLAN}/viec-xong", data={"csrf_token": token, "dot": "demo-2017", "key": "khong-co"}
        )
        assert unknown.status_code == 404 and "Không có việc này" in text_of(unknown.text)

        # a duty the system recorded on issuing a document stays done
        await db[DEADLINE_MARKS].insert_one(
            {
                "_id": f"demo/demo-2017:{key}",
                "commune_id": "demo",
                "dialogue_id": "demo-2017",
                "key": key,
                "by": "system",
                "note": "Văn bản số 12-TB/ĐU ngày 04/04/2017",
                "done_at": "2017-04-04T01:00:00+00:00",
            }
        )
        kept = await client.post(
            f"{PLAN}/viec-xong/hoan-tac", data={"csrf_token": token, "dot": "demo-2017", "key": key}
        )
        assert kept.status_code == 409 and "ghi tự động khi ban hành" in text_of(kept.text)
        assert await db[DEADLINE_MARKS].count_documents({}) == 1

        # moves: one step at a time, refusals named as staff know the statuses
        skipped = await client.post(
            f"{PLAN}/chuyen",
            data={"csrf_token": token, "dot": "demo-2017", "tu": "collecting", "den": "held"},
        )
        assert skipped.status_code == 409
        assert "từ “Đang tiếp nhận ý kiến” sang “Đã tổ chức đối thoại”" in text_of(skipped.text)
        stale = await client.post(
            f"{PLAN}/chuyen", data={"csrf_token": token, "dot": "demo-2017", "tu": "invited", "den": "held"}
        )
        assert stale.status_code == 409 and "vừa được chuyển" in text_of(stale.text)
        confirm = await client.get(f"{PLAN}/chuyen?dot=demo-2017&den=classified")
        assert confirm.status_code == 200 and 'data-confirm-move="classified"' in confirm.text
        assert (await client.get(D, headers=staff_headers())).json()["status"] == "collecting"
        moved = await client.post(
            f"{PLAN}/chuyen",
            data={"csrf_token": token, "dot": "demo-2017", "tu": "collecting", "den": "classified"},
        )
        assert moved.status_code == 303
        assert (await client.get(D, headers=staff_headers())).json()["status"] == "classified"

    audit = await db[STAFF_AUDIT].find({"username": "demo.vanphong"}).to_list()
    actions = [(a["action"], a["target"].get("key") or a["target"].get("to"), a["status"]) for a in audit]
    assert ("plan_duty_done", key, 303) in actions and ("plan_duty_undone", key, 303) in actions
    assert ("plan_transition", "classified", 303) in actions and ("plan_transition", "held", 409) in actions


async def test_others_cannot_act_on_the_plan_and_a_hamlet_cell_sees_its_own_hamlet(app):
    db = app.state.runtime.db
    for username in ("demo.kinhte", "demo.apcho", "demo.mattran"):
        async with logged_in(app, username) as client:
            assert (await client.get(PLAN)).status_code == 403
            token = await token_of(client, "/staff/mat-khau")
            for path, data in (
                ("/viec-xong", {"key": "organisation_reports:hoi-nong-dan"}),
                ("/chuyen", {"den": "classified"}),
            ):
                response = await client.post(f"{PLAN}{path}", data={"csrf_token": token, **data})
                assert response.status_code == 403, (username, path)
    assert await db[DEADLINE_MARKS].count_documents({}) == 0
    async with logged_in(app, "demo.operator") as client:
        assert (await client.get("/staff/dang-ky")).status_code == 403
    async with logged_in(app, "demo.apcho") as client:
        page = text_of((await client.get("/staff/dang-ky")).text)
        assert "Lê Thị Tư" in page and "Trần Văn Sáu" not in page and "000 004" not in page
    async with logged_in(app, "demo.admin") as client:
        page = text_of((await client.get("/staff/dang-ky")).text)
        assert "Lê Thị Tư" in page and "Trần Văn Sáu" in page and "0912" in page
