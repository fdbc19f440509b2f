"""The follow-up board in a real browser (issue 16), at 1280 px and 360 px: tasks numbered as the
issued conclusion notice numbers them, dates dd/mm/yyyy; no status preselected, keeping the status
asks a progress note; "Không giải quyết" asks its reason on
the same form (a hint in the browser; without the script the server answers next to the field,
keeping what was chosen); a resolved task shows its note, who and when, and is reopened with a
reason that its history shows; the board fits a phone's screen.

Items go in through intake's API and the notice is issued through reporting's (the issuing pages
are covered by test_public_review.py); everything after is the staff page."""

from __future__ import annotations

import re
import time

import pytest

from tests.auth import staff_headers
from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, shot
from tests.browser.test_staff_flows import log_in

pytestmark = pytest.mark.browser

API = "/api/v1/communes/demo"
PETITIONS = (
    ("ấp Chợ", "Cống thoát nước trước chợ bị nghẹt, mưa là ngập cả đoạn đường, đề nghị nạo vét."),
    ("ấp Căn Cứ", "Xe tải chở cát chạy tốc độ cao qua trường học, đề nghị lắp biển báo và gờ giảm tốc."),
    ("ấp Căn Cứ", "Đề nghị tỉnh sớm chi trả tiền bồi thường giải phóng mặt bằng đường tỉnh 741."),
)
DAY = re.compile(r"\d{2}/\d{2}/\d{4}")
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _issue_notice(request, base: str) -> str:
    """Posts the petitions, waits until reporting's read model has them routed, issues the
    conclusion notice; returns the issued notice's HTML."""
    for hamlet, text in PETITIONS:
        body = {"source": "citizen", "kind": "petition", "hamlet": hamlet, "text": text}
        assert request.post(f"{base}{API}/submissions", data=body, headers=staff_headers()).status == 202
    deadline = time.monotonic() + 20
    while True:
        items = request.get(f"{base}{API}/dialogues/demo-2017/items", headers=staff_headers()).json()["items"]
        if sum(i.get("topic") is not None for i in items) == len(PETITIONS):
            break
        assert time.monotonic() < deadline, "the petitions were not routed within 20 s"
        time.sleep(0.3)
    issued = request.post(
        f"{base}{API}/dialogues/demo-2017/documents/thong-bao-ket-luan",
        data={"issued_on": "2017-04-05"},
        headers=staff_headers(),
    )
    assert issued.status == 201, issued.text()
    return request.get(f"{base}{issued.json()['links']['html']}", headers=staff_headers()).text()


def _printed_numbers(notice_html: str) -> dict[str, int]:
    """The number the notice prints before each issue's text (its first words)."""
    return {
        text[:30]: int(number)
        for number, text in re.findall(r'data-number="(\d+)">\d+\. [^“]*“([^”]*)”', notice_html)
    }


def test_follow_up_reason_inline_resolved_note_reopen_and_numbers(server, browser):
    base = server.url
    desktop = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    desktop.set_default_timeout(15_000)
    page = log_in(desktop, base, "demo.vanphong")
    printed = _printed_numbers(_issue_notice(page.request, base))
    assert sorted(printed.values()) == [1, 2, 3], printed

    page.goto(f"{base}/staff/theo-doi")
    tasks = page.locator("li[data-task]")
    assert tasks.count() == 3
    # Numbered as the notice prints them, in the notice's order; dates dd/mm/yyyy, never ISO.
    shown = {}
    for n in range(tasks.count()):
        card = tasks.nth(n)
        text = card.locator("p").nth(1).inner_text()
        shown[text[:30]] = int(card.get_attribute("data-number"))
        assert f"Kết luận số {shown[text[:30]]}" in card.inner_text()
        assert DAY.fullmatch(card.locator("[data-due]").inner_text())
    assert shown == printed
    assert [int(tasks.nth(n).get_attribute("data-number")) for n in range(3)] == [1, 2, 3]
    assert not ISO_DAY.search(page.inner_text("main"))

    # Nothing is preselected; keeping the status asks the progress note on the same form.
    drain = page.locator("li[data-task]", has_text="Cống thoát nước")
    task_id = drain.get_attribute("data-task")
    assert drain.locator("select[name=status]").input_value() == ""
    drain.locator("select[name=status]").select_option("giu-nguyen")
    assert "bắt buộc: nội dung tiến độ" in drain.locator("[data-reason-label]").inner_text()
    assert "tiến độ" in drain.locator("[data-reason-hint]").inner_text()
    assert drain.locator("textarea[name=note]").get_attribute("required") is not None

    # "Không giải quyết": the reason is asked on the same form, before anything is sent.
    drain.locator("select[name=status]").select_option("rejected")
    assert drain.locator("[data-reason-hint]").is_visible()
    assert "bắt buộc: lý do" in drain.locator("[data-reason-label]").inner_text()
    assert drain.locator("textarea[name=note]").get_attribute("required") is not None
    shot(page, "followup-reason-hint-1280")
    drain.locator("button[type=submit]").click()
    assert page.url.endswith("/staff/theo-doi")  # the browser kept the form: the reason is missing

    # Resolved with a note: who and when (dd/mm/yyyy) are shown with it.
    drain.locator("select[name=status]").select_option("resolved")
    drain.locator("textarea[name=note]").fill("Đã nạo vét cống, dân xác nhận hết ngập.")
    drain.locator("button[type=submit]").click()
    page.wait_for_selector(".notice")
    drain = page.locator(f"li[data-task='{task_id}']")
    settled = drain.locator("[data-settled]").inner_text()
    assert "Đã giải quyết" in settled and "Đã nạo vét cống" in settled and "demo.vanphong" in settled
    assert DAY.fullmatch(drain.locator("[data-settled-on]").inner_text())
    shot(page, "followup-resolved-1280")

    # Reopened with a reason: the history says who, when and why; the task is at work again.
    drain.locator("details.reopen summary").click()
    drain.locator("textarea[name=reason]").fill("Mưa lớn ngày 02/05 lại ngập, cần nạo vét tiếp.")
    drain.locator("details.reopen button[type=submit]").click()
    page.wait_for_selector(".notice")
    drain = page.locator(f"li[data-task='{task_id}']")
    assert drain.get_attribute("data-status") == "in_progress"
    entry = drain.locator("[data-history='reopened']").inner_text()
    assert "mở lại" in entry and "Mưa lớn ngày 02/05" in entry and "demo.vanphong" in entry
    assert re.match(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", entry)
    assert drain.locator("[data-history='resolved']").count() == 1  # the earlier note stays
    shot(page, "followup-reopened-1280")
    desktop.close()

    # A phone without the script: the server asks the reason next to the field, keeping the choice.
    phone = browser.new_context(
        viewport=PHONE, device_scale_factor=1, locale="vi-VN", is_mobile=True, java_script_enabled=False
    )
    phone.set_default_timeout(15_000)
    page = log_in(phone, base, "demo.vanphong")
    page.goto(f"{base}/staff/theo-doi")
    assert fits_the_screen(page)
    shot(page, "followup-board-360")
    signs = page.locator("li[data-task]", has_text="gờ giảm tốc")
    signs.locator("select[name=status]").select_option("rejected")
    signs.locator("button[type=submit]").click()
    page.wait_for_selector("[data-field-error='note']")
    signs = page.locator("li[data-task]", has_text="gờ giảm tốc")
    assert "Vui lòng ghi lý do không giải quyết" in signs.locator("[data-field-error='note']").inner_text()
    assert signs.locator("select[name=status]").input_value() == "rejected"
    assert "Thiếu thông tin bắt buộc" not in page.content()
    assert fits_the_screen(page)
    shot(page, "followup-reason-360")
    signs.locator("textarea[name=note]").fill("Tuyến đường do tỉnh quản lý, đã chuyển Sở Giao thông vận tải.")
    signs.locator("button[type=submit]").click()
    page.wait_for_selector(".notice")
    signs = page.locator("li[data-task]", has_text="gờ giảm tốc")
    assert signs.get_attribute("data-status") == "rejected"
    assert "Sở Giao thông vận tải" in signs.locator("[data-settled]").inner_text()
    assert fits_the_screen(page)
    shot(page, "followup-rejected-360")
    phone.close()
