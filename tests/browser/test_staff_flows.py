"""Staff in a real browser (Debian's Chromium, Playwright) against the four services:

- the hamlet party cell of ấp Chợ bulk-imports a CSV of its meeting with one bad row, watches the
  progress bar and reads the row reported;
- the Party office sees the dashboard (timeline, charts), reclassifies an imported item and
  issues the conclusion notice, then opens the follow-up board;
- an office user sees its office's items without who sent them.

Screenshots of every staff page go to ./screenshots/ (not committed)."""

from __future__ import annotations

import re
import time

import pytest

from tests.auth import staff_headers
from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, shot

pytestmark = pytest.mark.browser

NAME, PHONE_NO = "Nguyễn Văn Bảy", "0912 345 678"
ROAD = "Cống thoát nước đường vào chợ bị nghẹt, mưa là ngập sâu, đề nghị xã nạo vét."
PAPERS = (
    "Thủ tục cấp giấy chứng nhận quyền sử dụng đất còn chậm, đề nghị rút ngắn thời gian giải quyết hồ sơ."
)
MEETING_CSV = (
    "Ấp,Loại,Nội dung,Họ tên,Điện thoại,Lĩnh vực\n"
    f'ấp Chợ,kiến nghị,"{ROAD}",{NAME},{PHONE_NO},\n'
    f'ap Cho,y kien,"{PAPERS}",,,\n'
    "ấp Chợ,kiến nghị,,Lê Văn Chín,,\n"  # row 4: no text -> reported, not imported
)


def log_in(context, base: str, username: str):
    page = context.new_page()
    page.goto(f"{base}/staff/")
    page.wait_for_url(re.compile(r"/login\?next="))
    page.fill("#f-username", username)
    page.fill("#f-password", f"{username.replace('.', '-')}-2017")
    page.locator("form button[type=submit]").click()
    page.wait_for_url(f"{base}/staff/")
    return page


def wait_until(page, check, what: str, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"{what} did not happen within {timeout_s:.0f} s"
        time.sleep(0.3)
        page.reload()


def test_hamlet_import_party_office_reclassifies_and_issues_office_sees_no_identity(
    server, browser, tmp_path
):
    base = server.url
    desktop = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    desktop.set_default_timeout(15_000)

    # -- the hamlet cell of ấp Chợ imports its meeting's opinions, on a phone ------------------
    phone = browser.new_context(
        viewport=PHONE, device_scale_factor=1, locale="vi-VN", is_mobile=True, has_touch=True
    )
    phone.set_default_timeout(15_000)
    page = log_in(phone, base, "demo.apcho")
    page.click("header nav >> text=Nhập từ tệp")
    assert fits_the_screen(page)
    shot(page, "staff-import-360")
    upload = tmp_path / "hop-ap-cho.csv"
    upload.write_text(MEETING_CSV, encoding="utf-8")
    page.set_input_files("#f-file", str(upload))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/nhap/imp-"))
    wait_until(page, lambda: page.get_attribute("[data-job-state]", "data-job-state") == "done", "the import")
    assert page.inner_text("[data-stored]") == "2" and page.inner_text("[data-errors]") == "1"
    bad = page.locator("table.row-errors tr[data-row]")
    assert bad.count() == 1 and bad.get_attribute("data-row") == "4" and "Thiếu nội dung" in bad.inner_text()
    assert page.get_attribute("#thanh-tien-do", "value") == "2" and fits_the_screen(page)
    shot(page, "staff-import-report-360")
    phone.close()

    # -- the Party office: dashboard, reclassify, issue the conclusion notice -------------------
    page = log_in(desktop, base, "demo.vanphong")
    wait_until(
        page,
        lambda: page.locator("tr[data-item] td[data-status='office_notified']").count() >= 2,
        "routing of the imported rows",
    )
    assert page.locator("#theo-noi-dung-cap").count() == 1
    assert page.locator(".bars .bar-row svg.bar").count() >= 1
    assert page.locator("ol.deadlines li[data-deadline]").count() >= 5
    assert NAME in page.content()  # the Party office sees who sent it
    shot(page, "staff-dashboard-1280")

    page.locator("tr[data-item]", has_text="Không để tên").first.locator(
        "a"
    ).click()  # the land-papers row, sent without a name
    page.wait_for_selector("[data-decision-topic]")
    assert PAPERS in page.content()
    target = "2" if page.get_attribute("[data-decision-topic]", "data-decision-topic") == "6" else "6"
    item_url = page.url
    page.check("input[name=action][value=reclassify]")
    page.select_option("#f-topic", target)
    page.fill("#f-reason", "Kiến nghị thuộc cải cách hành chính, chuyển Văn phòng HĐND và UBND.")
    page.locator("form[action$='/phan-loai'] button[type=submit]").click()
    page.wait_for_selector(".notice")
    assert page.get_attribute("[data-decision-topic]", "data-decision-topic") == target
    assert "Kiến nghị thuộc cải cách hành chính" in page.inner_text("section[data-decision-revision]")
    shot(page, "staff-item-1280")

    page.goto(f"{base}/staff/xem-lai")
    shot(page, "staff-review-1280")
    # the conclusion notice is built from reporting's read model, which follows routing on its own queue
    read_model = f"{base}/api/v1/communes/demo/dialogues/demo-2017/items"
    wait_until(
        page,
        lambda: (
            sum(
                1
                for i in page.request.get(read_model, headers=staff_headers()).json()["items"]
                if i.get("topic") == int(target)
            )
            == 1
        ),
        "the read model's copy of the change",
    )
    page.goto(f"{base}/staff/van-ban")
    page.locator("li[data-kind='thong-bao-ket-luan'] form button[type=submit]").click()
    page.wait_for_selector("[data-recipients]")  # the confirmation: not ready, signer, Nơi nhận
    shot(page, "staff-issue-confirm-1280")
    page.locator("button:has-text('Xác nhận ban hành')").click()
    page.wait_for_selector(".notice")
    assert "Thông báo kết luận" in page.inner_text(".notice")
    issued = page.locator("li[data-kind='thong-bao-ket-luan'] [data-issued]")
    assert issued.count() == 1 and re.search(r"\d+-TB/ĐU", issued.inner_text())
    shot(page, "staff-documents-1280")
    page.goto(f"{base}/staff/theo-doi")
    items = page.request.get(read_model, headers=staff_headers()).json()["items"]
    assert (
        page.locator("li[data-task]").count() == len({i.get("cluster_id") or i["id"] for i in items}) == 2
    ), items
    shot(page, "staff-followup-1280")
    page.goto(item_url)
    assert page.get_attribute("[data-decision-topic]", "data-decision-topic") == target
    page.goto(f"{base}/staff/?chu_de=3")  # the road item: its sender is shown to the Party office
    page.locator("tr[data-item] a").first.click()
    assert NAME in page.inner_text("[data-identity]") and PHONE_NO in page.inner_text("[data-identity]")

    # -- an office user: its items, never who sent them -----------------------------------------
    office = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    office.set_default_timeout(15_000)
    page = log_in(office, base, "demo.kinhte")
    assert page.locator("tr[data-item]").count() >= 1 and "Người gửi" not in page.inner_text(
        "table.items thead"
    )
    assert NAME not in page.content() and PHONE_NO not in page.content()
    shot(page, "staff-office-dashboard-1280")
    page.goto(f"{base}/staff/?chu_de=3")
    page.locator("tr[data-item] a").first.click()
    page.wait_for_selector("#noi-dung-y-kien")
    content = page.content()
    assert ROAD in content and "ấp Chợ" in content
    assert page.locator("[data-identity]").count() == 0 and NAME not in content and PHONE_NO not in content
    shot(page, "staff-office-item-1280")
    office.close()
    desktop.close()

    # -- the Party office's pages on a phone -----------------------------------------------------
    phone = browser.new_context(
        viewport=PHONE, device_scale_factor=1, locale="vi-VN", is_mobile=True, has_touch=True
    )
    phone.set_default_timeout(15_000)
    page = log_in(phone, base, "demo.vanphong")
    for path, name in (
        ("/staff/", "staff-dashboard-360"),
        (item_url.replace(base, ""), "staff-item-360"),
        ("/staff/van-ban", "staff-documents-360"),
        ("/staff/van-ban/thong-bao-ket-luan/ban-hanh", "staff-issue-reconfirm-360"),
        ("/staff/theo-doi", "staff-followup-360"),
        ("/staff/y-kien-moi", "staff-entry-360"),
    ):
        page.goto(f"{base}{path}")
        assert fits_the_screen(page), path
        shot(page, name)
        if path == "/staff/":  # a long topic's label wraps inside its chart, never cut off
            assert page.locator(".bars .bar-label").count() >= 1
            assert page.evaluate(
                """[...document.querySelectorAll('.bars .bar-label')].every(label =>
                    label.getBoundingClientRect().right
                        <= label.closest('.bars').getBoundingClientRect().right + 1)"""
            )
    phone.close()
