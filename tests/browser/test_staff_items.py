"""The staff item pages in a real browser (Debian's Chromium) at 360 and 1280 px:

- the dashboard's item list is one compact card per item on a phone (no column squeezed to one
  letter per line) and a table whose codes and dates never wrap on a desktop;
- an opinion entered by the Party office: its page agrees with its history as soon as routing
  answered ("Đang phân loại…" and a refresh before), explains the routing in Vietnamese with the
  terms as the resident wrote them, and offers "Nhập tiếp" with the hamlet and kind kept;
- a reclassification: the page says a person decided it; the staff reason never reaches the
  resident's tracking page, the note meant for the resident does;
- dates read dd/mm/yyyy.

Screenshots: screenshots/staff-items-*-{360,1280}.png."""

from __future__ import annotations

import re
import time

import pytest

from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, shot
from tests.browser.test_staff_flows import log_in, wait_until

pytestmark = pytest.mark.browser

DRAIN = "Cống thoát nước đường vào chợ bị nghẹt, mưa là ngập sâu, đề nghị xã nạo vét."
REASON = "Nội bộ: ông Tám báo riêng, không công khai"
NOTE = "Ý kiến của bà con đã được chuyển đúng cơ quan."
ROWS = [
    "Đèn đường ấp Chợ hư đã lâu, ban đêm tối om, đề nghị sửa.",
    "Xe gom rác một tuần mới tới một lần, rác để lâu bốc mùi.",
    "Trộm cắp xe máy ban đêm ở đầu ấp, đề nghị tăng cường tuần tra.",
    "Thủ tục cấp giấy chứng nhận quyền sử dụng đất còn chậm.",
    "cong thoat nuoc cau ong Ba ko dc nao vet, nuoc ngap.",
    "Xin cho biết lịch họp, cảm ơn cán bộ.",
]
ISO_DAY = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
VN_DAY = re.compile(r"\b\d{2}/\d{2}/\d{4}\b")


def one_line(page, selector: str) -> bool:
    """Every element matching `selector` is rendered on a single line."""
    return page.evaluate(
        """sel => [...document.querySelectorAll(sel)].every(e => {
            const r = e.getClientRects(); return r.length === 1 && r[0].height < 30; })""",
        selector,
    )


def test_item_cards_explanations_entry_and_what_the_resident_sees(server, browser, tmp_path):
    base = server.url
    desktop = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    desktop.set_default_timeout(15_000)
    page = log_in(desktop, base, "demo.vanphong")

    # -- a few items from a file, so the list has something to lay out ----------------------------
    upload = tmp_path / "y-kien.csv"
    upload.write_text(
        "Ấp,Loại,Nội dung\n" + "".join(f'ấp Chợ,ý kiến,"{text}"\n' for text in ROWS), encoding="utf-8"
    )
    page.goto(f"{base}/staff/nhap")
    page.set_input_files("#f-file", str(upload))
    page.locator("form[enctype] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/nhap/imp-"))

    # -- one opinion entered by hand: its page right after entry ---------------------------------
    page.goto(f"{base}/staff/y-kien-moi")
    page.select_option("#f-hamlet", "ấp Chợ")
    page.check("input[name=kind][value='phan anh']")
    page.fill("#f-text", DRAIN)
    page.locator("form[action='/staff/y-kien-moi'] button[type=submit]").click()
    page.wait_for_url(re.compile(r"/staff/items/.+\?xong=moi"))
    item_url = page.url.split("?")[0]
    assert page.locator("[data-enter-next]").count() == 1
    # Until routing answers the headline says so (and refreshes), never "Chưa phân loại".
    assert "Chưa phân loại" not in page.inner_text("main")
    wait_until(page, lambda: page.locator("[data-explanation]").count() == 1, "routing of the entry", 15)
    office = page.inner_text("[data-office]")
    history = page.inner_text("#qua-trinh + ol")
    # the demo plan meets in 2017: its offices by their titles of that time, as the notice prints
    legacy = "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường"
    assert office == legacy and legacy in history and "Chưa giao" not in page.inner_text("main")
    assert "Phòng Kinh tế" not in page.inner_text("main")
    why = page.inner_text("[data-explanation]")
    assert "“Cống thoát nước”" in why and "“ngập sâu”" in why and "cong thoat nuoc" not in why
    assert f"Giao {legacy}: cơ quan mặc định của nội dung 3." in why and "Thẩm quyền: cấp xã" in why
    assert "Topic" not in page.inner_text("main") and "Office:" not in page.inner_text("main")
    main = page.inner_text("main")
    assert VN_DAY.search(main) and not ISO_DAY.search(main)
    code = page.inner_text("h1 .mono").strip()
    shot(page, "staff-items-item-1280")

    # "Nhập tiếp": the form again, hamlet and kind kept.
    page.click("[data-enter-next]")
    page.wait_for_url(re.compile(r"/staff/y-kien-moi\?"))
    assert page.eval_on_selector("#f-hamlet", "e => e.value") == "ấp Chợ"
    assert page.is_checked("input[name=kind][value='phan anh']")

    # -- a reclassification: the reason stays with staff, the note goes to the resident -----------
    page.goto(item_url)
    page.check("input[name=action][value=reclassify]")
    page.select_option("#f-topic", "2")
    page.fill("#f-reason", REASON)
    page.fill("#f-note_to_resident", NOTE)
    page.locator("form[action$='/phan-loai'] button[type=submit]").click()
    page.wait_for_selector(".notice")
    assert page.locator("[data-changed-by-staff]").count() == 1
    why = page.inner_text("[data-explanation]")
    assert why.startswith("Cán bộ đã phân loại lại") and "Cống thoát nước" not in why
    wait_until(page, lambda: page.get_attribute("[data-topic]", "data-topic") == "2", "the headline", 10)
    assert "Phân loại lại" in page.inner_text("#qua-trinh + ol")  # headline and history agree
    assert REASON in page.inner_text("section[data-decision-revision]")

    # -- the review queue: Vietnamese reasons ------------------------------------------------------
    page.goto(f"{base}/staff/xem-lai")
    wait_until(
        page, lambda: page.locator("li[data-item] [data-explanation]").count() >= 1, "the review queue"
    )
    queue = page.inner_text("main")
    assert "Topic" not in queue and "No topic terms" not in queue and not ISO_DAY.search(queue)
    # routing's reasons name the office as the row does: by the plan's era (2017), not today's name
    assigned = 0
    for row in page.locator("li[data-item]").all():
        office = row.locator("p.hint").first.inner_text().split("→ ", 1)[1].split(" · ")[0]
        for line in row.locator("[data-explanation] li").all_inner_texts():
            if line.startswith("Giao "):
                assigned += 1
                assert line.startswith(f"Giao {office}:"), (office, line)
    assert assigned >= 1
    shot(page, "staff-items-review-1280")

    # -- the dashboard at 1280 px: codes and dates on one line -------------------------------------
    page.goto(f"{base}/staff/")
    wait_until(page, lambda: page.locator("tr[data-item]").count() == len(ROWS) + 1, "the imported rows")
    assert one_line(page, "table.items td.item-code a") and one_line(page, "table.items td.date time")
    assert not ISO_DAY.search(page.inner_text("main"))
    shot(page, "staff-items-dashboard-1280")
    desktop.close()

    # -- on a phone: cards, and the resident's tracking page ----------------------------------------
    phone = browser.new_context(
        viewport=PHONE, device_scale_factor=1, locale="vi-VN", is_mobile=True, has_touch=True
    )
    phone.set_default_timeout(15_000)
    page = log_in(phone, base, "demo.vanphong")
    assert fits_the_screen(page)
    cards = page.locator("table.items tr[data-item]")
    assert cards.count() == len(ROWS) + 1
    assert (
        page.evaluate("getComputedStyle(document.querySelector('table.items thead')).position") == "absolute"
    )
    heights = page.evaluate(
        "[...document.querySelectorAll('table.items tr[data-item]')]"
        ".map(r => r.getBoundingClientRect().height)"
    )
    shot(page, "staff-items-dashboard-360")
    # compact cards, not a column one letter wide (a 2017 office title, 58 letters, takes 2 lines)
    assert max(heights) < 260, heights
    assert one_line(page, "table.items td.item-code a") and one_line(page, "table.items td.date time")
    shot(page, "staff-items-dashboard-360")
    page.goto(item_url)
    assert fits_the_screen(page)
    shot(page, "staff-items-item-360")

    resident = phone.new_page()
    tracking = f"{base}/xa/demo/theo-doi?ma={code}"
    resident.goto(tracking)
    deadline = time.monotonic() + 15
    while "Phân loại lại" not in resident.inner_text("ol.timeline"):
        assert time.monotonic() < deadline, "the change did not reach the tracking page"
        time.sleep(0.3)
        resident.reload()
    text = resident.inner_text("main")
    assert NOTE in text and REASON not in text and "ông Tám" not in text
    assert VN_DAY.search(text) and not ISO_DAY.search(text)
    assert fits_the_screen(resident)
    shot(resident, "staff-items-tracking-360")
    phone.close()
