"""A large dialogue's lists page in a real browser (Debian's Chromium, Playwright) at 360 px and
1280 px: the meeting page's conclusions, the documents page's reviews and the residents'
conclusions, each with "Trang trước", "Trang sau" and "Trang N/M" links that fit the screen and
move through the pages; the meeting page's filter keeps the Secretary's list to one topic.
Screenshots go to ./screenshots/ (`make screenshots`)."""

from __future__ import annotations

import re

import pytest

from services.reporting.repository import ITEMS
from shared.mongo import create_client, database
from tests.browser.conftest import DESKTOP, PHONE, ServerThread, fits_the_screen, seeded_settings, shot
from tests.browser.test_staff_flows import log_in
from tests.conftest import run_apart
from tests.integration.test_large_plan_pages import _items

pytestmark = pytest.mark.browser
COUNT = 130  # issues: 7 pages of the meeting's conclusions, 6 of reviews, 3 of residents' rows


@pytest.fixture
def paged_server(make_settings, mail_capture):
    settings = seeded_settings(make_settings, mail_capture)

    async def items() -> None:
        client = create_client(settings)
        try:
            await database(client, settings)[ITEMS].insert_many(_items(COUNT))
        finally:
            await client.close()

    run_apart(items())
    with ServerThread(settings) as running:
        yield running


def at(page) -> str:
    return page.inner_text("nav.pager .pager-at")


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["360", "1280"])
def test_long_lists_page_with_vietnamese_links_on_a_phone_and_a_desktop(paged_server, browser, viewport):
    base = paged_server.url
    width = viewport["width"]
    context = browser.new_context(viewport=viewport, locale="vi-VN")
    context.set_default_timeout(15_000)
    page = log_in(context, base, "demo.vanphong")

    # -- the meeting page: the Secretary's conclusions, 20 issues a page ----------------------
    page.goto(f"{base}/staff/hoi-nghi")
    pager = page.locator("#ket-luan nav.pager").first
    assert pager.inner_text().count("Trang 1/7") == 1 and pager.is_visible()
    assert page.locator("#ket-luan ol.conclusions > li").count() == 20
    assert fits_the_screen(page), f"the meeting page is wider than {width} px"
    pager.locator("text=Trang sau").click()
    page.wait_for_url(re.compile(r"trang=2"))
    assert "Trang 2/7" in page.locator("#ket-luan nav.pager").first.inner_text()
    pager = page.locator("#ket-luan nav.pager").first
    pager.scroll_into_view_if_needed()
    shot(page, f"paged-meeting-{width}")
    pager.locator("text=Trang trước").click()
    page.wait_for_url(re.compile(r"/staff/hoi-nghi\?dot=demo-2017#ket-luan$"))
    assert "Trang 1/7" in page.locator("#ket-luan nav.pager").first.inner_text()
    page.select_option("#f-chu-de", "3")
    page.locator("form[data-issue-filter] button").click()
    page.wait_for_url(re.compile(r"chu-de=3"))
    topics = page.locator("#ket-luan ol.conclusions > li .hint").all_inner_texts()
    assert topics and all("giao thông" in t.lower() for t in topics[:20] if t)
    assert fits_the_screen(page)

    # -- the documents page: each issue's reviewed summary, 25 a page -------------------------
    page.goto(f"{base}/staff/van-ban")
    pager = page.locator("section[data-summaries] nav.pager").first
    assert "Trang 1/6" in pager.inner_text()
    assert page.locator("form[data-review-issue]").count() == 25
    pager.locator("text=Trang sau").click()
    page.wait_for_url(re.compile(r"trang=2"))
    assert "Trang 2/6" in page.locator("section[data-summaries] nav.pager").first.inner_text()
    assert fits_the_screen(page), f"the documents page is wider than {width} px"

    # -- the residents' conclusions page: 50 rows a page -------------------------------------
    resident = context.new_page()
    resident.goto(f"{base}/xa/demo/ket-luan")
    assert resident.locator("ol.conclusions-list > li").count() == 50
    assert "Trang 1/3" in at(resident)
    resident.locator("nav.pager >> text=Trang sau").first.click()
    resident.wait_for_url(re.compile(r"trang=2"))
    assert "Trang 2/3" in at(resident)
    first = resident.locator("ol.conclusions-list > li h2").first.inner_text()
    assert first.startswith("51. ")
    assert fits_the_screen(resident), f"the conclusions page is wider than {width} px"
    resident.locator("nav.pager").first.scroll_into_view_if_needed()
    shot(resident, f"paged-conclusions-{width}")
    context.close()
