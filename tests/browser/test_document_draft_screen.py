"""A document's HTML draft read in Chromium on a phone (360 px): its text keeps a margin on both
sides and the page does not scroll sideways. Seen from outside: the screen rule's margins were
overridden and the text touched both edges. The draft is rendered from the demo data set and
opened as a file (no server needed for what is measured)."""

from __future__ import annotations

import pytest

from services.demo.documents import demo_document
from services.reporting.documents import render
from tests.browser.conftest import PHONE, fits_the_screen

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("kind", ["thong-bao-ket-luan", "bien-ban"])
def test_the_draft_keeps_a_margin_on_a_phone(browser, tmp_path, kind: str) -> None:
    draft = tmp_path / f"{kind}.html"
    draft.write_bytes(render(kind, "html", demo_document(kind, number=5)))
    page = browser.new_context(viewport=PHONE).new_page()
    page.goto(draft.as_uri())
    left, right = page.evaluate(
        "() => { const r = document.querySelector('body > p, main p, p').getBoundingClientRect();"
        " return [r.left, r.right]; }"
    )
    assert left >= 8 and right <= PHONE["width"] - 8, (left, right)
    assert fits_the_screen(page)
