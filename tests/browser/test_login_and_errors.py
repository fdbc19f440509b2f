"""Error pages and the login, as a resident and a clerk meet them on a phone (360 px) and a desktop
(1280 px): an unknown address under /xa/… or /staff/… is a Vietnamese page with the 404 status
and a way back, never `{"detail":"Not Found"}`; the password fields are as large as the text
fields; an office user who logs in 8 times and mistypes twice is never locked out.
Screenshots: errors-*-360.png, login-*-1280.png."""

from __future__ import annotations

import re

from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, shot

USER, PASSWORD = "demo.kinhte", "demo-kinhte-2017"


def box(page, selector: str) -> dict:
    return page.eval_on_selector(
        selector,
        "el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);"
        " return {width: r.width, height: r.height, border: s.borderTopWidth, font: s.fontSize}; }",
    )


def submit_login(page, password: str) -> None:
    page.fill("#f-username", USER)
    page.fill("#f-password", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()


def test_errors_in_vietnamese_styled_passwords_and_no_lockout(server, browser):
    base = server.url
    phone = browser.new_context(viewport=PHONE, locale="vi-VN")
    try:
        page = phone.new_page()
        for area, path, back in (
            ("xa", "/xa/demo/trang-khong-co", "/"),
            ("staff", "/staff/trang-khong-co", "/login"),
        ):
            response = page.goto(base + path)
            assert response is not None and response.status == 404, path
            assert "Not Found" not in page.content() and '"detail"' not in page.content()
            assert page.locator("h1").inner_text() == "Không tìm thấy trang"
            assert page.locator("html").get_attribute("lang") == "vi"
            assert page.locator(f".links a[href='{back}']").is_visible()
            assert fits_the_screen(page), path
            shot(page, f"errors-{area}-404-360")
        page.click(".links a[href='/login']")  # the way back from the staff area's 404 works
        page.wait_for_url(re.compile(r"/login"))
        assert page.locator("#f-password").is_visible()
    finally:
        phone.close()

    desktop = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    try:
        page = desktop.new_page()
        page.goto(f"{base}/login?next=/staff/mat-khau")
        text, password = box(page, "#f-username"), box(page, "#f-password")
        assert password["height"] >= 36 and abs(password["height"] - text["height"]) <= 1, (text, password)
        assert abs(password["width"] - text["width"]) <= 1 and password["font"] == text["font"]
        assert password["border"] == text["border"]
        assert page.get_attribute("#f-password", "autocomplete") == "current-password"
        assert page.get_attribute("#f-username", "autocomplete") == "username"
        shot(page, "login-form-1280")
        page.fill("#f-password", "xem-thu")
        page.check("#f-show-passwords")  # "Hiện mật khẩu" shows what was typed, same size
        assert page.get_attribute("#f-password", "type") == "text"
        assert abs(box(page, "#f-password")["height"] - text["height"]) <= 1
        page.uncheck("#f-show-passwords")
        assert page.get_attribute("#f-password", "type") == "password"

        # 8 good logins and 2 wrong ones from one address: the next right password still gets in.
        for attempt, password_typed in enumerate([PASSWORD] * 8 + ["sai-mat-khau"] * 2 + [PASSWORD]):
            page.goto(f"{base}/login?next=/staff/mat-khau")
            submit_login(page, password_typed)
            if password_typed == PASSWORD:  # the next login replaces this session
                assert page.url.endswith("/staff/mat-khau"), (attempt, page.url)
            else:
                assert "Tên đăng nhập hoặc mật khẩu không đúng." in page.content(), attempt
                assert "quá nhiều lần" not in page.content()
                if attempt == 9:
                    shot(page, "login-wrong-password-1280")

        page.goto(f"{base}/login?next=/staff/mat-khau")
        submit_login(page, PASSWORD)
        text = box(page, "#f-username")  # whose password: shown, read only
        assert page.input_value("#f-username") == USER
        for name in ("current", "new", "again"):
            field = box(page, f"#f-{name}")
            assert field["height"] >= 36 and abs(field["height"] - text["height"]) <= 1, (name, field)
            assert abs(field["width"] - text["width"]) <= 1, (name, field, text)
        assert [page.get_attribute(f"#f-{n}", "autocomplete") for n in ("current", "new", "again")] == [
            "current-password",
            "new-password",
            "new-password",
        ]
        page.check("#f-show-passwords")
        assert {page.get_attribute(f"#f-{n}", "type") for n in ("current", "new", "again")} == {"text"}
        page.uncheck("#f-show-passwords")
        shot(page, "login-change-password-1280")
    finally:
        desktop.close()
