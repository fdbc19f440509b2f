"""The programme as held put right in a real browser with scripts turned off (Debian's Chromium,
Playwright): the plan's items pressed out of order are moved with "Lên"/"Xuống" and one pressed
by mistake removed with "Xóa", plain forms only; the list reads in the order held, the removed
plan item can be pressed again, and the section fits a 360 px phone."""

from __future__ import annotations

import pytest

from services.demo.seed import SEED_AGENDA
from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen
from tests.browser.test_meeting_day import record
from tests.browser.test_staff_flows import log_in

pytestmark = pytest.mark.browser


def test_items_pressed_out_of_order_are_moved_and_removed_without_scripts(server, browser):
    base = server.url
    context = browser.new_context(viewport=DESKTOP, locale="vi-VN", java_script_enabled=False)
    context.set_default_timeout(15_000)
    page = log_in(context, base, "demo.vanphong")
    page.goto(f"{base}/staff/hoi-nghi#chuong-trinh")
    for n in (0, 2, 1, 3):  # the plan's items 1, 3, 2, 4 pressed as remembered
        page.locator("button.agenda-item", has_text=SEED_AGENDA[n][:40]).click()
        page.wait_for_selector(".notice")
    assert [p["title"] for p in record(page.request, base)["programme"]] == [
        SEED_AGENDA[n] for n in (0, 2, 1, 3)
    ]

    third = page.locator("ol.programme > li").nth(2)
    third.get_by_role("button", name="Lên:").click()  # item 2 up, to the second place
    page.wait_for_selector(".notice")
    page.locator("ol.programme > li").nth(3).get_by_role("button", name="Xóa:").click()  # item 4 was early
    page.wait_for_selector(".notice")
    assert "Đã xóa mục chương trình" in page.inner_text(".notice")
    assert [p["title"] for p in record(page.request, base)["programme"]] == list(SEED_AGENDA[:3])
    assert page.locator("ol.programme > li").count() == 3
    assert page.locator("ol.programme > li").first.get_by_role("button", name="Lên:").count() == 0
    assert page.locator("ol.programme > li").last.get_by_role("button", name="Xuống:").count() == 0
    # the removed plan item is offered again, to be pressed as it starts
    assert page.locator("button.agenda-item", has_text=SEED_AGENDA[3][:40]).count() == 1

    page.set_viewport_size(PHONE)
    page.goto(f"{base}/staff/hoi-nghi#chuong-trinh")
    assert fits_the_screen(page)
