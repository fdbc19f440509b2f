"""The residents' site in a real browser at 360 and 1280 px (issue 16): the conclusions page is
reached from the home page, has the site's header and says "Chưa có kết luận"; the text box shows
its limit and a live counter, and a pasted 10,000-character text is refused by name and kept
whole; once the meeting is held the forms give way to a notice pointing to the conclusions.
Screenshots: screenshots/resident-*-360.png and resident-*-1280.png.

Never run `playwright install` here: the browser is Debian's (`make deps` installs it)."""

from __future__ import annotations

import re

import httpx
import pytest

from services.intake.schemas import TEXT_MAX
from tests.auth import staff_headers
from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, shot

pytestmark = pytest.mark.browser

SENTENCE = "Đường vào ấp Chợ ngập nước mỗi khi mưa, đề nghị xã nạo vét cống thoát nước. "
LONG_TEXT = (SENTENCE * (10_000 // len(SENTENCE) + 1))[:10_000]


def _contexts(browser):
    phone = browser.new_context(
        viewport=PHONE, device_scale_factor=1, locale="vi-VN", is_mobile=True, has_touch=True
    )
    desktop = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    for context in (phone, desktop):
        context.set_default_timeout(10_000)
    return (phone, "360"), (desktop, "1280")


def test_conclusions_text_limit_and_closed_dialogue_at_both_widths(server, browser):
    base = server.url
    contexts = _contexts(browser)
    for context, width in contexts:
        page = context.new_page()
        page.goto(f"{base}/xa/demo")

        # the conclusions page, from the home page and back
        page.locator("main a[href='/xa/demo/ket-luan']").first.click()
        page.wait_for_url(re.compile(r"/xa/demo/ket-luan$"))
        assert "Chưa có kết luận" in page.title() and "Chưa có kết luận" in page.inner_text("h1")
        assert page.locator("header.site nav >> text=Gửi ý kiến").is_visible()  # the site's header
        assert fits_the_screen(page), width
        shot(page, f"resident-conclusions-{width}")
        page.click("main a.button >> text=Về trang đối thoại")
        page.wait_for_url(re.compile(r"/xa/demo$"))

        # the text box: limit and counter, a long paste refused by name and kept whole
        assert f"Tối đa {TEXT_MAX} ký tự" in page.inner_text("#h-text")
        assert page.inner_text("#c-text").startswith(f"0/{TEXT_MAX}")
        page.fill("#f-text", SENTENCE)
        assert page.inner_text("#c-text .count") == str(len(SENTENCE.strip()))
        page.fill("#f-text", LONG_TEXT)
        assert page.get_attribute("#c-text", "class") == "counter over"
        assert f"vượt quá {len(LONG_TEXT.strip()) - TEXT_MAX} ký tự" in page.inner_text("#c-text")
        page.select_option("#f-hamlet", "ấp Chợ")
        page.check("input[name=kind][value=petition]")
        page.locator("#gui-y-kien form button[type=submit]").click()
        page.wait_for_selector(".error-summary")
        summary = page.inner_text(".error-summary")
        assert "Nội dung ý kiến" in summary and f"tối đa {TEXT_MAX} ký tự" in summary
        assert page.input_value("#f-text") == LONG_TEXT.strip()
        assert page.locator("#c-text.over").is_visible() and fits_the_screen(page), width
        shot(page, f"resident-text-limit-{width}")
        if width == "360":  # a paste past the request size limit: stopped in the browser, kept
            huge = "đường ngập " * 6_000
            page.fill("#f-text", huge)
            page.locator("#gui-y-kien form button[type=submit]").click()
            page.wait_for_selector("#c-text >> text=quá dài nên chưa gửi được")
            assert page.input_value("#f-text") == huge and "/gui-y-kien" in page.url
        page.close()

    # the meeting is held: the plan moves step by step through intake's API, as the office does
    with httpx.Client(base_url=base, headers=staff_headers(), timeout=20) as api:
        for status in ("classified", "invited", "held"):
            moved = api.post("/api/v1/communes/demo/dialogues/demo-2017/transitions", json={"to": status})
            assert moved.status_code == 200, moved.text

    for context, width in contexts:
        page = context.new_page()
        page.goto(f"{base}/xa/demo")
        notice = page.inner_text(".closed-notice")
        assert "đã kết thúc nhận ý kiến" in notice and "đã tổ chức ngày 25/03/2017" in notice
        assert page.locator("#f-text").count() == 0 and fits_the_screen(page), width
        shot(page, f"resident-closed-{width}")
        page.click("header.site nav >> text=Đăng ký dự")
        page.wait_for_url(re.compile(r"/xa/demo/dang-ky$"))
        assert "đã kết thúc nhận ý kiến" in page.inner_text(".closed-notice")
        assert page.locator("#f-name").count() == 0
        page.click(".closed-notice a.button >> text=Xem kết luận")
        page.wait_for_url(re.compile(r"/xa/demo/ket-luan$"))
        assert "đã tổ chức ngày 25/03/2017" in page.inner_text("main") and fits_the_screen(page)
        page.close()
    for context, _ in contexts:
        context.close()
