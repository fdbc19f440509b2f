"""A resident on a phone, in a real browser: Debian's Chromium driven by Playwright against the
four services served by uvicorn on a loopback port (real RabbitMQ, the session's wire store).

Opens the commune page, sends the form once with mistakes and once right, reads the tracking
code, follows the item until it is routed, registers to attend. Screenshots of every page at
360 px and 1280 px go to ./screenshots/ (not committed).

Never run `playwright install` here: the browser is Debian's (`make deps` installs it)."""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.conftest import DESKTOP, PHONE, SCREENSHOTS, fits_the_screen, shot

pytestmark = pytest.mark.browser

TEXT = "Cống thoát nước đường vào chợ bị nghẹt, mưa là ngập sâu, đề nghị xã nạo vét."


def submit_with_mistakes(page) -> None:
    page.fill("#f-text", "ngắn")
    page.fill("#f-phone", "gọi tôi")
    page.locator("form button[type=submit]").click()
    page.wait_for_selector(".error-summary")


def test_a_resident_submits_tracks_and_registers_on_a_phone(server, browser):
    base = server.url
    phone = browser.new_context(
        viewport=PHONE, device_scale_factor=1, locale="vi-VN", is_mobile=True, has_touch=True
    )
    phone.set_default_timeout(10_000)
    page = phone.new_page()

    page.goto(f"{base}/")
    assert "Nội dung trọng tâm" in page.content() and page.locator("ol.topics li").count() == 6
    assert fits_the_screen(page)
    shot(page, "home-360")

    submit_with_mistakes(page)
    summary = page.locator(".error-summary").inner_text()
    assert "Vui lòng chọn ấp" in summary and "Số điện thoại không hợp lệ" in summary
    assert page.input_value("#f-text") == "ngắn" and fits_the_screen(page)
    shot(page, "form-errors-360")

    page.select_option("#f-hamlet", "ấp Căn Cứ")
    page.check("input[name=kind][value=petition]")
    page.fill("#f-text", TEXT)
    page.fill("#f-phone", "")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/xa/demo/da-gui\?ma=DT-"))
    code = page.inner_text("#ma-theo-doi").strip()
    assert re.fullmatch(r"DT-[A-Z0-9]{8}", code) and fits_the_screen(page)
    receipt_url = page.url
    shot(page, "receipt-360")

    page.click("text=Xem tình trạng xử lý")
    page.wait_for_url(re.compile(r"/xa/demo/theo-doi\?ma="))
    deadline = time.monotonic() + 15
    while page.get_attribute("[data-status]", "data-status") not in ("routed", "office_notified"):
        assert time.monotonic() < deadline, "the item was not routed within 15 s"
        time.sleep(0.3)
        page.reload()
    item = page.locator("[data-status]").inner_text()
    # the demo plan is of 2017: the office is named as that year's documents name it
    assert (
        "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường" in item and "Phòng Kinh tế" not in item
    )
    assert "Huy động nguồn lực đầu tư công trình giao thông" in item
    assert page.inner_text("[data-topic-tentative]") == "(tạm xếp, chờ cán bộ xem xét)"  # not reviewed yet
    tracking_url = page.url
    shot(page, "tracking-360")

    page.click("header nav >> text=Đăng ký dự")
    page.fill("#f-name", "Lê Văn Tư")
    page.fill("#f-phone", "0912 345 678")
    page.select_option("#f-hamlet", "ấp Căn Cứ")
    page.check("input[name=wants_to_speak]")
    page.select_option("#f-topic", "3")
    page.locator("form button[type=submit]").click()
    page.wait_for_selector(".notice")
    assert "Cảm ơn bạn đã đăng ký" in page.inner_text(".notice") and "còn thiếu 69" in page.content()
    assert fits_the_screen(page)
    shot(page, "registration-360")

    page.click("header nav >> text=Kết luận")
    page.wait_for_url(re.compile(r"/xa/demo/ket-luan"))
    assert "Chưa có kết luận" in page.content() and fits_the_screen(page)
    shot(page, "conclusions-360")
    phone.close()

    desktop = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    desktop.set_default_timeout(10_000)
    page = desktop.new_page()
    page.goto(f"{base}/")
    shot(page, "home-1280")
    submit_with_mistakes(page)
    shot(page, "form-errors-1280")
    for url, name in (
        (receipt_url, "receipt-1280"),
        (tracking_url, "tracking-1280"),
        (f"{base}/xa/demo/dang-ky", "registration-1280"),
    ):
        page.goto(url)
        shot(page, name)
    desktop.close()
    assert len(list(SCREENSHOTS.glob("*-360.png"))) >= 5 and len(list(SCREENSHOTS.glob("*-1280.png"))) >= 5
