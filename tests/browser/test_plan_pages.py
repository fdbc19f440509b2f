"""The plan pages in a real browser (Debian's Chromium, Playwright), as the Party office uses
them: who registered, per hamlet against the quota, with names and the speaking order; a duty
marked done (and another undone) on the plan page and no longer red on the dashboard; the plan
moved to "held" through its confirmation. At 360 px the pages fit the screen, and an office's
staff member sees the names but no phone. Screenshots `plan-*-1280.png` / `plan-*-360.png`."""

from __future__ import annotations

import pytest

from tests.auth import staff_headers
from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, shot
from tests.browser.test_staff_flows import log_in

pytestmark = pytest.mark.browser

D = "/api/v1/communes/demo/dialogues/demo-2017"
RESIDENTS = (  # name, phone, hamlet, topic, wants to speak
    ("Lê Thị Tư", "0912 000 004", "ấp Chợ", None, False),
    ("Nguyễn Thị Bảy", "0912 000 007", "ấp Chợ", 3, True),
    ("Trần Văn Sáu", "0912 000 006", "ap Can Cu", 1, True),
)


def register(request, base: str) -> None:
    for name, phone, hamlet, topic, speaks in RESIDENTS:
        body = {"name": name, "phone": phone, "hamlet": hamlet, "wants_to_speak": speaks}
        if topic is not None:
            body["topic"] = topic
        sent = request.post(f"{base}{D}/registrations", data=body)
        assert sent.status == 201, sent.text()


def states(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        "[data-deadline]", "els => Object.fromEntries(els.map(e => [e.dataset.deadline, e.dataset.state]))"
    )


def test_registrations_duties_and_moving_the_plan(server, browser):
    base = server.url
    desktop = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    desktop.set_default_timeout(15_000)
    page = log_in(desktop, base, "demo.vanphong")
    register(page.request, base)

    # -- who registered, per hamlet, with names, phones (Party office) and the speaking order --
    page.click("header nav >> text=Đăng ký tham dự")
    page.wait_for_selector("[data-quota]")
    assert page.get_attribute("[data-hamlet-count=ap-cho] [data-registered]", "data-registered") == "2"
    assert page.get_attribute("[data-hamlet-count=ap-can-cu] [data-registered]", "data-registered") == "1"
    assert page.get_attribute("[data-hamlet-count=ap-cho] [data-missing]", "data-missing") == "68"
    cho = page.inner_text("[data-hamlet=ap-cho]")
    assert "Lê Thị Tư" in cho and "Nguyễn Thị Bảy" in cho and "Trần Văn Sáu" not in cho
    assert page.locator("[data-hamlet=ap-cho] [data-phone]").count() == 2  # the Party office sees phones
    assert "Trần Văn Sáu" in page.inner_text("[data-hamlet=ap-can-cu]")
    order = page.locator("[data-speaking-order] li").all_inner_texts()
    # the plan's topic order: topic 1 before topic 3, whatever the registration time
    assert len(order) == 2 and "1." in order[0] and "Trần Văn Sáu" in order[0]
    assert "Nguyễn Thị Bảy" in order[1]
    assert "Lê Thị Tư" not in " ".join(order)
    shot(page, "plan-registrations-1280")

    # -- a duty marked done on the plan page is no longer red on the dashboard ----------------
    page.goto(f"{base}/staff/")
    before = states(page)
    assert before and all(state == "overdue" for state in before.values())  # the 2017 plan: all late
    page.click("[data-plan-links] >> text=Ghi việc đã xong")
    page.wait_for_selector("[data-duty]")
    first, second = page.eval_on_selector_all("[data-duty]", "els => els.map(e => e.dataset.duty)")[:2]
    duty = page.locator(f'[data-duty="{first}"]')
    duty.locator("summary").click()
    duty.locator("input[name=note]").fill("Đã nhận đủ báo cáo ngày 10/02/2017")
    duty.locator("[data-mark-done]").click()
    page.wait_for_selector("[data-notice]")
    assert duty.get_attribute("data-state") == "done"
    assert "demo.vanphong" in duty.inner_text() and "Đã nhận đủ báo cáo" in duty.inner_text()
    # another one marked by mistake, then undone: it counts as late again
    page.locator(f'[data-duty="{second}"] [data-mark-done]').click()
    page.wait_for_selector(f'[data-duty="{second}"][data-state=done]')
    page.locator(f'[data-duty="{second}"] [data-undo]').click()
    page.wait_for_selector(f'[data-duty="{second}"][data-state=overdue]')
    shot(page, "plan-duties-1280")

    page.goto(f"{base}/staff/")
    after = states(page)
    assert after[first] == "done" and after[second] == "overdue"
    assert sum(state == "overdue" for state in after.values()) == len(before) - 1
    pill = page.locator(f'[data-deadline="{first}"] .pill')
    assert "pill-done" in (pill.get_attribute("class") or "") and "Đã xong" in pill.inner_text()
    assert page.locator(f'[data-dashboard-done="{first}"]').count() == 0  # done: no button
    # a duty marked done straight from the dashboard's deadline list, back on the dashboard
    page.click(f'[data-dashboard-done="{second}"]')
    page.wait_for_selector(f'[data-deadline="{second}"][data-state=done]')
    assert page.url.split("#")[0].endswith("/staff/")
    assert sum(state == "overdue" for state in states(page).values()) == len(before) - 2
    shot(page, "plan-dashboard-1280")

    # -- the plan moved to "held", through its confirmation ------------------------------------
    for step in ("classified", "invited"):  # the steps before the meeting, as the API takes them
        moved = page.request.post(f"{base}{D}/transitions", data={"to": step}, headers=staff_headers())
        assert moved.ok, moved.text()
    page.goto(f"{base}/staff/")  # from the dashboard's plan card
    assert page.get_attribute("[data-plan-status]", "data-plan-status") == "invited"
    page.click("[data-plan-links] [data-move=held]")
    page.wait_for_selector("[data-confirm-move=held]")
    assert "Đã tổ chức đối thoại" in page.inner_text("h1")
    assert page.locator("[data-plan-status]").count() == 0  # the confirmation, nothing moved yet
    plan = page.request.get(f"{base}{D}", headers=staff_headers()).json()
    assert plan["status"] == "invited"
    shot(page, "plan-confirm-1280")
    page.click("[data-confirm]")
    page.wait_for_selector("[data-notice]")
    assert page.get_attribute("[data-plan-status]", "data-plan-status") == "held"
    assert "Đã tổ chức đối thoại" in page.inner_text("[data-notice]")
    assert page.request.get(f"{base}{D}", headers=staff_headers()).json()["status"] == "held"
    page.goto(f"{base}/staff/")  # held: no more submissions, but its duties still show
    assert page.get_attribute("[data-plan-status]", "data-plan-status") == "held"
    assert states(page)[first] == "done"
    heading = page.inner_text("#dot-doi-thoai")
    assert "đang mở" not in heading and "đã tổ chức đối thoại" in heading
    # a step the plan does not allow is refused in Vietnamese
    page.goto(f"{base}/staff/ke-hoach/chuyen?dot=demo-2017&den=collecting")
    assert "Không chuyển được kế hoạch từ “Đã tổ chức đối thoại”" in page.inner_text("[data-error]")
    desktop.close()

    # -- 360 px: the Party office's pages fit; an office's staff member sees no phone ------------
    phone = browser.new_context(
        viewport=PHONE, device_scale_factor=1, locale="vi-VN", is_mobile=True, has_touch=True
    )
    phone.set_default_timeout(15_000)
    page = log_in(phone, base, "demo.vanphong")
    for path, name in (("/staff/ke-hoach", "plan-duties"), ("/staff/dang-ky", "plan-registrations")):
        page.goto(f"{base}{path}")
        assert fits_the_screen(page), path
        shot(page, f"{name}-360")
    page.goto(f"{base}/staff/ke-hoach/chuyen?den=concluded")
    assert fits_the_screen(page)
    shot(page, "plan-confirm-360")
    phone.close()

    office = browser.new_context(viewport=PHONE, locale="vi-VN", is_mobile=True, has_touch=True)
    office.set_default_timeout(15_000)
    page = log_in(office, base, "demo.kinhte")
    page.goto(f"{base}/staff/dang-ky")
    text = page.inner_text("main")
    assert "Nguyễn Thị Bảy" in text and page.locator("[data-phone]").count() == 0
    assert "000 007" not in text and "000007" not in text
    page.goto(f"{base}/staff/ke-hoach")
    assert "Không có quyền" in page.inner_text("main")
    office.close()
