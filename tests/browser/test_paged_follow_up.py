"""A large plan's follow-up board pages in a real browser (Debian's Chromium, Playwright) at
360 px and 1280 px: "Trang N/M" with "Trang sau" and "Trang trước" that fit the screen, the
notice's numbers' order carried from page to page, and a task changed on a later page coming back
on that page. Screenshots go to ./screenshots/ (`make screenshots`)."""

from __future__ import annotations

import re

import pytest

from services.demo.documents import demo_dataset
from services.reporting.followup_repository import TASK_HISTORY, TASKS
from services.reporting.repository import ITEMS
from shared.mongo import create_client, database
from tests.browser.conftest import DESKTOP, PHONE, ServerThread, fits_the_screen, seeded_settings, shot
from tests.browser.test_staff_flows import log_in
from tests.conftest import run_apart
from tests.integration.test_large_followup_board import _tasks
from tests.integration.test_large_plan_pages import _items

pytestmark = pytest.mark.browser
COUNT = 60  # tasks: 3 pages of 25


@pytest.fixture
def board_server(make_settings, mail_capture):
    settings = seeded_settings(make_settings, mail_capture)
    dialogue_id = demo_dataset()[1].id

    async def rows() -> None:
        client = create_client(settings)
        try:
            db = database(client, settings)
            items = _items(COUNT)
            tasks, history = _tasks(items, dialogue_id)
            await db[ITEMS].insert_many(items)
            await db[TASKS].insert_many(tasks)
            await db[TASK_HISTORY].insert_many(history)
        finally:
            await client.close()

    run_apart(rows())
    with ServerThread(settings) as running:
        yield running, dialogue_id


def numbers(page) -> list[int]:
    return [
        int(n) for n in page.locator("ol.tasks > li").evaluate_all("els => els.map(e => e.dataset.number)")
    ]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_the_follow_up_board_pages_on_a_phone_and_a_desktop(board_server, browser, viewport):
    server, dialogue_id = board_server
    base, width = server.url, viewport["width"]
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = log_in(context, base, "demo.vanphong")
    page.goto(f"{base}/staff/theo-doi?dot={dialogue_id}")
    pager = page.locator("nav.pager").first
    assert pager.is_visible() and "Trang 1/3" in pager.inner_text()
    assert numbers(page) == list(range(1, 26))
    assert page.locator("[data-tasks-shown]").inner_text() == "Việc 1–25 trong 60"
    assert fits_the_screen(page), f"the follow-up board is wider than {width} px"
    pager.locator("text=Trang sau").click()
    page.wait_for_url(re.compile(r"trang=2"))
    assert "Trang 2/3" in page.locator("nav.pager").first.inner_text()
    assert numbers(page) == list(range(26, 51))
    assert fits_the_screen(page)
    page.locator("nav.pager").first.scroll_into_view_if_needed()
    shot(page, f"paged-follow-up-{width}")

    # a task of page 2 changed: the board comes back on page 2 at that task
    card = page.locator('ol.tasks > li[data-number="30"]')
    card.locator("select[name=status]").select_option("in_progress")
    card.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"xong=1"))
    assert "Trang 2/3" in page.locator("nav.pager").first.inner_text()
    assert page.locator('ol.tasks > li[data-number="30"]').get_attribute("data-status") == "in_progress"
    page.locator("nav.pager").first.locator("text=Trang trước").click()
    page.wait_for_url(re.compile(r"/staff/theo-doi\?dot=demo-2017#viec-dau$"))
    assert numbers(page)[:3] == [1, 2, 3]
    context.close()
