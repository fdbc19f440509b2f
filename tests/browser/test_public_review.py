"""Acceptance 1 of issue 16 in a real browser: nothing a resident typed is published before the
Party office reviewed it.

A resident posts, through the residents' form on a phone, a petition naming a neighbour with his
house number and phone. The Party office (1280 px) sees the item, finds the issue on the
documents page flagged as holding personal data, words its summary, goes through the issuing
confirmation and issues the conclusion notice. None of the phone number, the house number or the
neighbour's name is then on the public conclusions page(s), in the open data (CSV, XLSX), in
Open311 GET or in the issued notice (text of its PDF and DOCX); the reviewed summary is."""

from __future__ import annotations

import io
import re

import openpyxl
import pytest
from docx import Document
from pypdf import PdfReader

from tests.browser.conftest import DESKTOP, PHONE, fits_the_screen, shot
from tests.browser.test_staff_flows import log_in, wait_until

pytestmark = pytest.mark.browser

TYPED = (
    "Nhà ông Nguyễn Văn Tám số 12 đường Lê Lợi, ĐT 0909123456, xây lấn chiếm hẻm chung, "
    "xe cứu thương không vào được, đề nghị xã kiểm tra xử lý."
)
SECRETS = ("0909123456", "0909 123 456", "số 12", "Nguyễn Văn Tám", "Văn Tám")
REVIEWED = "Một hộ dân xây lấn chiếm hẻm chung cạnh đường Lê Lợi, đề nghị xã kiểm tra, xử lý."
REVIEWED_WORDS = "lấn chiếm hẻm chung cạnh đường Lê Lợi"
API = "/api/v1/communes/demo/dialogues/demo-2017"


def _pdf_text(content: bytes) -> str:
    return " ".join(" ".join((p.extract_text() or "").split()) for p in PdfReader(io.BytesIO(content)).pages)


def _docx_text(content: bytes) -> str:
    document = Document(io.BytesIO(content))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return " ".join(" ".join(p.text for p in document.paragraphs).split() + cells)


def _xlsx_text(content: bytes) -> str:
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return " ".join(str(c) for row in sheet.iter_rows(values_only=True) for c in row if c is not None)


def _public(request, base: str) -> dict[str, str]:
    """Everything public about the dialogue: its conclusions page(s), open data, Open311 GET."""
    texts = {}
    for path in ("/xa/demo/ket-luan", "/public/demo/dialogues/demo-2017"):
        reply = request.get(f"{base}{path}")
        if reply.status != 404:  # the public page moves into the residents' site: check each that exists
            assert reply.ok, (path, reply.status)
            texts[path] = reply.text()
    assert texts, "no public conclusions page"
    texts["csv"] = request.get(f"{base}{API}/open-data.csv").body().decode("utf-8-sig")
    texts["xlsx"] = _xlsx_text(request.get(f"{base}{API}/open-data.xlsx").body())
    texts["open311"] = request.get(f"{base}/open311/v2/demo/requests.json").text()
    return texts


def _assert_no_secret(texts: dict[str, str]) -> None:
    for where, text in texts.items():
        for secret in SECRETS:
            assert secret not in text, (where, secret)


def test_a_petition_with_personal_data_is_reviewed_before_anything_is_public(server, browser):
    base = server.url
    # -- a resident posts through the residents' form, on a phone ------------------------------
    phone = browser.new_context(
        viewport=PHONE, device_scale_factor=1, locale="vi-VN", is_mobile=True, has_touch=True
    )
    phone.set_default_timeout(15_000)
    resident = phone.new_page()
    resident.goto(f"{base}/")
    resident.select_option("#f-hamlet", "ấp Chợ")
    resident.check("input[name=kind][value=petition]")
    resident.fill("#f-text", TYPED)
    shot(resident, "public-review-form-360")
    resident.locator("form button[type=submit]").click()
    resident.wait_for_url(re.compile(r"/xa/demo/da-gui\?ma=DT-"))

    # -- the Party office sees the item, then reviews its summary on the documents page --------
    desktop = browser.new_context(viewport=DESKTOP, locale="vi-VN")
    desktop.set_default_timeout(15_000)
    page = log_in(desktop, base, "demo.vanphong")
    wait_until(page, lambda: page.locator("tr[data-item]").count() == 1, "the item on the dashboard")
    page.locator("tr[data-item] a").first.click()
    page.wait_for_selector("#noi-dung-y-kien")
    assert "lấn chiếm hẻm chung" in page.inner_text("main")  # staff read it as typed
    _assert_no_secret(_public(page.request, base))  # nothing public before the review

    page.goto(f"{base}/staff/van-ban")
    wait_until(page, lambda: page.locator("[data-printed-as-typed] li[data-issue]").count() == 1, "the issue")
    flagged = page.locator("[data-printed-as-typed] li[data-issue]")
    assert "personal_data" in flagged.get_attribute("data-warnings")
    key = flagged.get_attribute("data-issue")
    form = page.locator(f"form[id='tom-tat-{key}']")
    assert "lấn chiếm hẻm" in form.locator("textarea").input_value()  # prefilled from the item
    box = form.locator("input[type=checkbox][name=public]")
    assert not box.is_checked()  # not reviewed: nothing typed is published unless staff tick it
    assert "Chưa rà soát" in form.inner_text()
    shot(page, "public-review-documents-1280")
    form.locator("textarea").fill(REVIEWED)
    box.check()  # the reviewed summary goes public
    form.locator("button[type=submit]").click()
    page.wait_for_selector(".notice")
    assert "Đã lưu nội dung đã rà soát" in page.inner_text(".notice")
    assert page.locator("[data-printed-as-typed]").count() == 0

    # -- issuing goes through the confirmation ---------------------------------------------------
    page.locator("li[data-kind='thong-bao-ket-luan'] form button[type=submit]").click()
    page.wait_for_selector("[data-recipients]")
    assert page.locator("[data-problem='printed_as_typed']").count() == 0
    shot(page, "public-review-confirm-1280")
    page.locator("button:has-text('Xác nhận ban hành')").click()
    page.wait_for_selector(".notice")
    assert "Thông báo kết luận" in page.inner_text(".notice")
    links = page.locator("li[data-kind='thong-bao-ket-luan'] [data-issued] a")
    hrefs = {links.nth(n).inner_text(): links.nth(n).get_attribute("href") for n in range(links.count())}
    notice = {
        "pdf": _pdf_text(page.request.get(f"{base}{hrefs['PDF']}").body()),
        "docx": _docx_text(page.request.get(f"{base}{hrefs['DOCX']}").body()),
    }
    for fmt, text in notice.items():
        assert REVIEWED_WORDS in text, fmt  # the notice prints the reviewed summary
    _assert_no_secret(notice)
    shot(page, "public-review-issued-1280")
    desktop.close()

    # -- what the public sees ---------------------------------------------------------------------
    public = _public(resident.request, base)
    _assert_no_secret(public)
    for where in ("csv", "xlsx", *(p for p in public if p.startswith("/"))):
        assert REVIEWED_WORDS in public[where], where
    resident.goto(f"{base}/xa/demo/ket-luan")
    if resident.url.endswith("/ket-luan"):
        assert REVIEWED_WORDS in resident.inner_text("main") and fits_the_screen(resident)
        shot(resident, "public-review-conclusions-360")
    phone.close()
