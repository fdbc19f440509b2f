"""Every page staff and residents read prints dates as dd/mm/yyyy, never as the store keeps them
(2026-12-02): each page is fetched as the Party office (or as a resident) after items were
routed and changed, and its visible text (tags, attributes and form values left out) is searched
for an ISO date."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

from services.intake.repository import SUBMISSIONS
from tests.integration.test_staff_work import system  # noqa: F401  (the fixture)
from tests.integration.test_web_staff import client_for, logged_in

pytestmark = pytest.mark.integration

ISO_DATE = re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b")
STAFF_PAGES = (
    "/staff/",
    "/staff/xem-lai",
    "/staff/y-kien-moi",
    "/staff/nhap",
    "/staff/van-ban",
    "/staff/theo-doi",
    "/staff/ke-hoach",
    "/staff/dang-ky",
    "/staff/hoi-nghi",
)
RESIDENT_PAGES = ("/xa/demo", "/xa/demo/dang-ky", "/xa/demo/ket-luan")


class _VisibleText(HTMLParser):
    """The text a person reads: no tags, attributes, scripts or styles."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._hidden += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def iso_dates_in(html: str) -> list[str]:
    parser = _VisibleText()
    parser.feed(html)
    text = " ".join(parser.parts)
    return [text[max(0, m.start() - 40) : m.end() + 10] for m in ISO_DATE.finditer(text)]


def test_the_checker_finds_an_iso_date_only_in_visible_text():
    assert iso_dates_in('<p title="2026-12-02">ngày 2026-12-02</p>') == ["ngày 2026-12-02"]
    assert iso_dates_in('<input value="2026-12-02"><p>ngày 02/12/2026</p>') == []


async def test_no_page_prints_a_date_as_the_store_keeps_it(system):  # noqa: F811
    app, db, ids = system
    found: dict[str, list[str]] = {}
    async with logged_in(app, "demo.vanphong") as client:
        for path in (*STAFF_PAGES, *(f"/staff/items/{i}" for i in ids)):
            response = await client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            if dates := iso_dates_in(response.text):
                found[path] = dates
    code = (await db[SUBMISSIONS].find_one({"_id": ids[0]}))["tracking_code"]
    async with client_for(app) as resident:
        for path in (*RESIDENT_PAGES, f"/xa/demo/theo-doi?ma={code}"):
            response = await resident.get(path)
            assert response.status_code == 200, (path, response.status_code)
            if dates := iso_dates_in(response.text):
                found[path] = dates
    assert found == {}
