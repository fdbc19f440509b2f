"""The conclusion notice's assignment lines ("Giao <office> chủ trì…") read with single spaces in
every format. The office is printed bold: a space left at the end of the regular run before it
("Giao ", then the bold name) was stretched on a justified line and read back from the PDF as
"Giao  Công chức" (items 15 and 18 of the demo notice); the space now opens the bold run."""

from __future__ import annotations

import io
import re
from datetime import date
from html.parser import HTMLParser

import pytest
from docx import Document
from pypdf import PdfReader

from services.demo.documents import demo_dataset, demo_document
from services.reporting.documents import DocumentData, build_data, render

KIND = "thong-bao-ket-luan"
PARAGRAPH = re.compile(r'<p class="(?:conclusion|escalation|closed)"[^>]*>(.*?)</p>', re.S)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    return "".join(parser.parts)


def concluded(conclusion: dict, kind: str = KIND) -> tuple[str, DocumentData]:
    """The demo dataset's `kind` document with the notice's first issue concluded at the meeting
    as `conclusion`: that issue's key, and the document's data."""
    commune, dialogue, items, _ = demo_dataset()
    notice = demo_document(KIND, number=5).notice
    assert notice is not None
    key = notice.conclusions[0].key
    data = build_data(
        kind,
        commune,
        dialogue,
        items,
        number=5,
        issued_on=date(2017, 4, 5),
        meeting={"conclusions": {key: conclusion}},
    )
    return key, data


def _with_a_conclusion():
    """The demo notice with one issue concluded at the meeting: assigned with its own text, an
    office and two coordinating offices (the template's other assignment sentence)."""
    conclusion = {
        "kind": "assigned",
        "text": "Rà soát, công khai quy hoạch tại trụ sở ấp",
        "office_id": "phong-kinh-te",
        "coordinating_office_ids": ["cong-an-xa", "van-phong-hdnd-ubnd"],
        "deadline_working_days": 15,
    }
    return concluded(conclusion)[1]


@pytest.fixture(scope="module", params=["demo", "concluded"])
def notice(request):
    return demo_document(KIND, number=5) if request.param == "demo" else _with_a_conclusion()


def _assert_single_spaced(lines: list[str], where: str) -> None:
    assert lines, where
    for line in lines:
        assert "  " not in line, (where, line)
        assert line == line.strip(), (where, line)


def test_html_assignment_paragraphs(notice) -> None:
    paragraphs = [_text(p) for p in PARAGRAPH.findall(render(KIND, "html", notice).decode())]
    _assert_single_spaced(paragraphs, "html")
    assert sum(" Giao " in p for p in paragraphs) == len(paragraphs) - len(notice.notice.closed)


def test_pdf_lines_as_read_back(notice) -> None:
    reader = PdfReader(io.BytesIO(render(KIND, "pdf", notice)))
    lines = [line for page in reader.pages for line in (page.extract_text() or "").splitlines()]
    assigned = [line for line in lines if "Giao" in line]
    assert len(assigned) >= len(notice.notice.conclusions)
    _assert_single_spaced(lines, "pdf")


def test_docx_paragraphs(notice) -> None:
    document = Document(io.BytesIO(render(KIND, "docx", notice)))
    _assert_single_spaced([p.text for p in document.paragraphs if "Giao" in p.text], "docx")
