"""The staff pages that run after the meeting find its plan without `?dot=`, over the real store
(intake, routing and reporting in one app, as the pages call reporting in process): once the
meeting's end moved the plan to held and cleared the commune's open plan, "Văn bản" and "Theo
dõi kết luận" opened on "no dialogue" (404), exactly when the minutes and the notice are issued.
With next year's plan already open, the follow-up board stays on the plan held last, whose
conclusions still run, and both pages offer every plan of the commune."""

from __future__ import annotations

from datetime import datetime

import pytest

from services.demo.seed import seed_demo
from services.demo.staff import seed_demo_staff
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.routing.app import build_service as routing
from tests.integration.helpers import running
from tests.integration.test_web_staff import logged_in

pytestmark = pytest.mark.integration


@pytest.fixture
async def app(make_settings):
    settings = make_settings(
        DOITHOAI_INTAKE_URL="inprocess", DOITHOAI_ROUTING_URL="inprocess", DOITHOAI_REPORTING_URL="inprocess"
    )
    app = build_app(settings, [intake, routing, reporting], title="pages after the meeting")
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        await seed_demo_staff(db, must_change_password=False)
        # what the meeting's end does: the plan is held, the commune has no open plan
        await db["dialogues"].update_one({"_id": "demo/demo-2017"}, {"$set": {"status": "held"}})
        await db["communes"].update_one({"_id": "demo"}, {"$set": {"current_dialogue_id": None}})
        yield app


async def test_documents_and_follow_up_open_on_the_plan_held_without_naming_it(app):
    title = (await app.state.runtime.db["dialogues"].find_one({"_id": "demo/demo-2017"}))["title"]
    async with logged_in(app, "demo.vanphong") as client:
        for path in ("/staff/van-ban", "/staff/theo-doi", "/staff/van-ban/thong-bao-ket-luan/du-thao.html"):
            page = await client.get(path)
            assert page.status_code == 200, (path, page.text[-300:])
        listing = await client.get("/staff/van-ban")
        assert title in listing.text and "data-plan-switch" not in listing.text  # one plan: no choice
    async with logged_in(app, "demo.kinhte") as client:  # an office's board too
        assert (await client.get("/staff/theo-doi")).status_code == 200


async def test_with_next_years_plan_open_the_board_stays_on_the_plan_held_and_both_pages_offer_each(app):
    db = app.state.runtime.db
    held = await db["dialogues"].find_one({"_id": "demo/demo-2017"})
    following = {
        **held,
        "_id": "demo/demo-2018",
        "id": "demo-2018",
        "year": 2018,
        "title": "Đối thoại năm 2018 (kiểm thử)",
        "status": "collecting",
        "meeting_date": datetime(2018, 3, 24),
    }
    await db["dialogues"].insert_one(following)
    await db["communes"].update_one({"_id": "demo"}, {"$set": {"current_dialogue_id": "demo-2018"}})
    async with logged_in(app, "demo.vanphong") as client:
        board = await client.get("/staff/theo-doi")
        assert board.status_code == 200
        assert f'<strong aria-current="page">{held["title"]}</strong>' in board.text
        assert 'href="/staff/theo-doi?dot=demo-2018"' in board.text
        documents = await client.get("/staff/van-ban")  # the documents of the open plan first
        assert f'<strong aria-current="page">{following["title"]}</strong>' in documents.text
        assert 'href="/staff/van-ban?dot=demo-2017"' in documents.text
        chosen = await client.get("/staff/van-ban?dot=demo-2017")
        assert f'<strong aria-current="page">{held["title"]}</strong>' in chosen.text
        assert (await client.get("/staff/van-ban?dot=no-such-plan")).status_code == 404


async def test_the_entry_form_after_the_meeting_says_why_no_plan_takes_opinions(app):
    """Once the only plan's meeting was held, entering a resident's opinion is refused with why
    (not "Xã chưa mở đợt đối thoại nào", which an outside walkthrough saw while a plan existed)."""
    async with logged_in(app, "demo.vanphong") as client:
        page = await client.get("/staff/y-kien-moi")
    assert page.status_code == 409
    assert "chưa mở đợt đối thoại nào" not in page.text
    assert "hội nghị của đợt gần nhất đã tổ chức" in page.text
