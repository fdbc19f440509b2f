"""The meeting-day page in a real browser (Debian's Chromium, Playwright) at 1280 px, as the
minute-taker of the Party office uses it during the dialogue: check a registered resident in,
record an intervention linked to an item (by its tracking code) and one raised from the floor,
enter an answer (saved by the page's autosave script under its own CSP), set conclusions of
two kinds, reload and find everything kept. Screenshots at 1280 px and 360 px go to
./screenshots/ (`make screenshots`)."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.auth import staff_headers
from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, shot
from tests.browser.test_staff_flows import log_in

pytestmark = pytest.mark.browser

C = "/api/v1/communes/demo"
D = f"{C}/dialogues/demo-2017"
ROAD = "Cống thoát nước đường vào chợ bị nghẹt, mưa là ngập sâu, đề nghị xã nạo vét."
PAPERS = "Thủ tục cấp giấy chứng nhận quyền sử dụng đất còn chậm, đề nghị rút ngắn thời gian."
FLOOR = "Đèn đường ấp Căn Cứ hư đã hai tháng, ban đêm trộm cắp nhiều, đề nghị sửa sớm."
SPEAKERS = (
    ("Nguyễn Thị Bảy", "0912 000 007", "ấp Chợ", 3),
    ("Trần Văn Sáu", "0912 000 006", "ấp Căn Cứ", 6),
)


# Each field's placeholder (every <details> opened) against the room inside the field: the text
# measured in the field's own font on a canvas, wider than the box between its paddings is cut.
CUT_PLACEHOLDERS_JS = """() => {
  document.querySelectorAll('details').forEach((d) => { d.open = true; });
  const context = document.createElement('canvas').getContext('2d');
  const cut = [];
  for (const field of document.querySelectorAll('input[placeholder], textarea[placeholder]')) {
    if (!field.placeholder || !field.getClientRects().length) continue;
    const style = getComputedStyle(field);
    context.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = field.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const needed = context.measureText(field.placeholder).width;
    if (needed > room) cut.push(`${field.id}: ${Math.ceil(needed)} > ${Math.floor(room)} px`);
  }
  return cut;
}"""


def cut_placeholders(page) -> list[str]:
    """The fields whose placeholder does not fit inside them (id: needed > room)."""
    return page.evaluate(CUT_PLACEHOLDERS_JS)


def prepare(request, base: str) -> dict[str, str]:
    """Two items sent by residents and two registered speakers, through the public API; returns
    the tracking code of each item once reporting's meeting record lists both as issues."""
    codes = {}
    for text in (ROAD, PAPERS):
        sent = request.post(
            f"{base}{C}/submissions",
            data={"source": "citizen", "kind": "petition", "text": text, "hamlet": "ấp Chợ"},
        )
        assert sent.status in (201, 202), sent.text()
        codes[text] = sent.json()["tracking_code"]
    for name, phone, hamlet, topic in SPEAKERS:
        registered = request.post(
            f"{base}{D}/registrations",
            data={"name": name, "phone": phone, "hamlet": hamlet, "topic": topic, "wants_to_speak": True},
        )
        assert registered.status == 201, registered.text()
    deadline = time.monotonic() + 30
    while len(record(request, base)["issues"]) < 2:
        assert time.monotonic() < deadline, "the items did not reach reporting's read model"
        time.sleep(0.3)
    return codes


def record(request, base: str) -> dict:
    response = request.get(f"{base}{D}/meeting", headers=staff_headers())
    assert response.ok, response.text()
    return response.json()


def test_the_minute_taker_records_the_meeting_day(server, browser):
    base = server.url
    desktop = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    desktop.set_default_timeout(15_000)
    page = log_in(desktop, base, "demo.vanphong")
    codes = prepare(page.request, base)
    keys = {
        text: next(i["key"] for i in record(page.request, base)["issues"] if code in i["tracking_codes"])
        for text, code in codes.items()
    }

    page.click("header nav >> text=Ngày hội nghị")
    page.wait_for_selector("[data-now-speaking]")
    assert page.get_attribute("[data-now-speaking]", "data-now-speaking") == "1"
    assert "Nguyễn Thị Bảy" in page.inner_text(".speaker-now")
    assert page.get_attribute("[data-next-speaker]", "data-next-speaker") == "2"

    # -- check a registered resident in ---------------------------------------------------------
    page.fill("#f-tim", "Bảy")
    page.click("form[role=search] button")
    page.locator("ul.found li[data-registration] button").click()
    page.wait_for_selector(".notice")
    assert page.get_attribute("tr[data-hamlet='ấp Chợ']", "data-checked-in") == "1"
    assert page.locator("ul.found [data-checked]").count() == 1

    # -- the programme: the clerk presses the plan's first item as it starts --------------------
    page.locator("button.agenda-item").first.click()
    page.wait_for_selector("ol.programme[data-programme='1']")

    # -- the first registered speaker, linked to the road item by its tracking code -------------
    page.goto(f"{base}/staff/hoi-nghi")
    assert page.input_value("#f-e-speaker") == "Nguyễn Thị Bảy"
    page.fill("#f-e-question", "Bao giờ xã nạo vét cống đường vào chợ?")
    page.fill("#f-e-link_0", codes[ROAD])
    page.click("text=Lưu ý kiến phát biểu")
    page.wait_for_selector(".notice")
    assert page.get_attribute("[data-now-speaking]", "data-now-speaking") == "2"  # the next one is called
    assert page.locator("li[data-speaker='1'].is-spoken").count() == 1

    # -- someone from the floor raises a new item -----------------------------------------------
    page.click("text=Người ở dưới hội trường phát biểu")
    assert page.get_attribute("[data-now-speaking]", "data-now-speaking") == "floor"
    page.fill("#f-e-speaker", "Lê Văn Tư")
    page.select_option("#f-e-hamlet", "ấp Căn Cứ")
    page.fill("#f-e-question", FLOOR)
    page.check("#f-e-moi")
    page.click("text=Lưu ý kiến phát biểu")
    page.wait_for_selector(".notice")
    assert page.locator("li[data-intervention]").count() == 2

    # -- the answer to the first question, saved by the autosave as it is typed -------------------
    first = record(page.request, base)["interventions"][0]
    card = page.locator(f"li[data-intervention='{first['id']}']")
    card.locator("summary").click()
    card.locator("input[name=answer_by_0]").fill("Trưởng phòng Kinh tế")
    card.locator("textarea[name=answer_text_0]").fill("Quý II năm 2017 khởi công nạo vét cống.")
    card.locator("[data-save-status][data-state=saved]").wait_for()
    assert "Đã tự động lưu" in card.locator("[data-save-status]").inner_text()

    # -- a conclusion refused (no text): the page opens at its issue, with the reason ------------
    road = page.locator(f"li[data-issue='{keys[ROAD]}']")
    road.locator("input[name=kind][value=answered]").check()
    road.locator("button[type=submit]").click()
    road.locator(".error-summary").wait_for()
    expect(road.locator(".error-summary")).to_be_in_viewport()

    # -- the Secretary's conclusions: assigned with office and deadline; answered ----------------
    road.locator("input[name=kind][value=assigned]").check()
    road.locator("select[name=office_id]").select_option("phong-kinh-te")
    road.locator("input[name=deadline_days]").fill("")
    road.locator("input[name=deadline_date]").fill("30/06/2017")
    road.locator("textarea[name=text]").fill(
        "Giao Phòng Kinh tế nạo vét cống đường vào chợ, xong trước mùa mưa."
    )
    road.locator("button[type=submit]").click()
    page.wait_for_selector(".notice")
    papers = page.locator(f"li[data-issue='{keys[PAPERS]}']")
    papers.locator("input[name=kind][value=answered]").check()
    papers.locator("textarea[name=text]").fill("Chủ tịch UBND xã đã trả lời; bà con thống nhất.")
    papers.locator("button[type=submit]").click()
    page.wait_for_selector(".notice")
    shot(page, "staff-meeting-1280")

    # -- reload: everything is kept ---------------------------------------------------------------
    page.reload()
    assert page.get_attribute(f"li[data-issue='{keys[ROAD]}']", "data-conclusion-kind") == "assigned"
    assert page.get_attribute(f"li[data-issue='{keys[PAPERS]}']", "data-conclusion-kind") == "answered"
    road = page.locator(f"li[data-issue='{keys[ROAD]}']")
    assert road.locator("input[name=deadline_date]").input_value() == "30/06/2017"
    assert road.locator("select[name=office_id]").input_value() == "phong-kinh-te"
    card = page.locator(f"li[data-intervention='{first['id']}']")
    assert card.locator("textarea[name=answer_text_0]").input_value().startswith("Quý II năm 2017")
    assert card.locator(f"text={codes[ROAD]}").count() >= 1  # the linked item stays linked
    assert page.get_attribute("tr[data-hamlet='ấp Chợ']", "data-checked-in") == "1"
    saved = record(page.request, base)
    floor = next(i for i in saved["interventions"] if i["speaker"] == "Lê Văn Tư")
    assert floor["registered"] is False and floor["question"] == FLOOR
    assert fits_the_screen(page)
    cut = cut_placeholders(page)
    assert not cut, cut
    desktop.close()

    # -- the same page on a phone: one column, nothing wider than the screen ----------------------
    phone = browser.new_context(
        viewport=PHONE, device_scale_factor=1, locale="vi-VN", is_mobile=True, has_touch=True
    )
    phone.set_default_timeout(15_000)
    page = log_in(phone, base, "demo.vanphong")
    page.goto(f"{base}/staff/hoi-nghi")
    assert fits_the_screen(page)
    shot(page, "staff-meeting-360")
    cut = cut_placeholders(page)
    assert not cut, cut  # every placeholder readable in full at 360 px
    phone.close()
