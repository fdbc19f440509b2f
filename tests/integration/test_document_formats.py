"""The six dialogue documents as PDF (WeasyPrint) and DOCX (docxtpl): the HD 36 elements in
order in the extracted text, item texts intact, fonts embedded, and every DOCX converted by
LibreOffice headless. Each kind is rendered once per format for the run (tests/integration/conftest.py)."""

from __future__ import annotations

import io
import unicodedata
from dataclasses import replace

import pytest
from docx import Document
from docx.table import Table
from docx.text.paragraph import Paragraph
from pypdf import PdfReader

from services.demo.documents import DEMO_ISSUED_ON
from services.reporting.documents import KINDS, build_data, render
from tests.unit.test_documents import LAST_LINE, assert_layout, squash


def pdf_text(blob: bytes) -> str:
    """The pages' text without the page numbers printed at the top from page 2 (WeasyPrint
    draws the margin boxes last, so pypdf lists the number at the end of its page)."""
    pages = []
    for number, page in enumerate(PdfReader(io.BytesIO(blob)).pages, start=1):
        lines = (page.extract_text() or "").splitlines()
        if number > 1 and str(number) in lines:
            del lines[len(lines) - 1 - lines[::-1].index(str(number))]
        pages.append("\n".join(lines))
    return "\n".join(pages)


def _block_text(parent, out: list[str]) -> None:
    for child in parent.iterchildren():
        if child.tag.endswith("}p"):
            out.append(Paragraph(child, None).text)
        elif child.tag.endswith("}tbl"):
            table = Table(child, None)
            for row in table.rows:
                seen = set()
                for cell in row.cells:
                    if id(cell._tc) in seen:  # a merged cell is listed once per grid column
                        continue
                    seen.add(id(cell._tc))
                    _block_text(cell._tc, out)


def docx_text(blob: bytes) -> str:
    """Paragraphs and table cells in document order."""
    out: list[str] = []
    _block_text(Document(io.BytesIO(blob)).element.body, out)
    return "\n".join(out)


def _sample_texts(items, n: int = 6) -> list[str]:
    """Texts printed verbatim: the first of each issue, accented and unaccented ones."""
    firsts = [i["text"] for i in items if i["cluster_id"] == i["id"] or i["earlier"]]
    plain = [t for t in firsts if t.isascii()]
    return firsts[:n] + plain[:2]


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_layout(kind, documents, pdfs) -> None:
    blob = pdfs[kind]
    assert blob.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(blob))
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    fonts = {
        str(f["/BaseFont"])
        for page in reader.pages
        for f in (page["/Resources"].get("/Font") or {}).values()
        for f in [f.get_object()]
    }
    assert fonts and all("DT-Serif" in f for f in fonts), fonts  # only the bundled Tinos, embedded
    assert_layout(pdf_text(blob), documents[kind])


@pytest.mark.parametrize("kind", KINDS)
def test_docx_layout(kind, documents, docxs) -> None:
    blob = docxs[kind]
    text = docx_text(blob)
    assert "{{" not in text and "{%" not in text
    assert_layout(text, documents[kind])
    doc = Document(io.BytesIO(blob))
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert (
        round(section.top_margin.mm),
        round(section.bottom_margin.mm),
        round(section.left_margin.mm),
        round(section.right_margin.mm),
    ) == (20, 20, 30, 15)
    in_tables = (p for t in doc.tables for r in t.rows for c in r.cells for p in c.paragraphs)
    paragraphs = [*doc.paragraphs, *in_tables]
    label = next(p for p in paragraphs if p.text == "Nơi nhận:")  # beside the signature, in the band
    assert all(run.underline for run in label.runs if run.text.strip())
    date_runs = [
        r
        for t in doc.tables
        for c in t.rows[0].cells
        for p in c.paragraphs
        for r in p.runs
        if "ngày" in r.text
    ]
    assert date_runs and all(r.italic for r in date_runs)
    assert doc.styles["Normal"].font.name == "Times New Roman"


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_item_texts_survive(fmt, dataset, pdfs, docxs) -> None:
    _, _, items, _ = dataset
    for kind in ("bao-cao-tong-hop", "thong-bao-ket-luan"):
        text = squash(pdf_text(pdfs[kind]) if fmt == "pdf" else docx_text(docxs[kind]))
        for sample in _sample_texts(items):
            assert squash(unicodedata.normalize("NFC", sample)) in text, (kind, sample)
    minutes = squash(pdf_text(pdfs["bien-ban"]) if fmt == "pdf" else docx_text(docxs["bien-ban"]))
    for speech in dataset[3].speeches[:3]:
        assert squash(speech.issue) in minutes and squash(speech.answer) in minutes


def mark(issue) -> str:
    return f" [{issue.repeat_mark}]" if issue.repeat_mark else ""


def test_conclusion_notice_sections_in_pdf_and_docx(documents, pdfs, docxs) -> None:
    notice = documents["thong-bao-ket-luan"].notice
    for text in (
        squash(pdf_text(pdfs["thong-bao-ket-luan"])),
        squash(docx_text(docxs["thong-bao-ket-luan"])),
    ):
        needles = ["I. CÁC VẤN ĐỀ THUỘC THẨM QUYỀN CẤP XÃ"]
        # a repeated issue carries its mark between the number and the sentence
        needles += [f"{c.number}.{mark(c)} Ý kiến của {c.residents}" for c in notice.conclusions]
        needles += ["II. KIẾN NGHỊ CẤP TRÊN"] + [
            f"{e.number}.{mark(e)} Ý kiến của {e.residents}" for e in notice.escalations
        ]
        position = 0
        for needle in needles:
            found = text.find(needle, position)
            assert found >= 0, needle
            position = found + len(needle)


def test_report_charts_embedded(documents, pdfs, docxs) -> None:
    doc = Document(io.BytesIO(docxs["bao-cao-tong-hop"]))
    assert len(doc.inline_shapes) == 5
    reader = PdfReader(io.BytesIO(pdfs["bao-cao-tong-hop"]))
    images = {image.indirect_reference.idnum for page in reader.pages for image in page.images}
    assert not images  # the five charts are drawn as vectors (SVG in the HTML), none as a raster
    plain = render("bao-cao-tong-hop", "pdf", replace(documents["bao-cao-tong-hop"], charts=()))
    drawn = sum(len(p.get_contents().get_data()) for p in reader.pages)
    assert drawn > 5 * 2000 + sum(
        len(p.get_contents().get_data()) for p in PdfReader(io.BytesIO(plain)).pages
    )


def test_draft_docx(dataset) -> None:
    commune, dialogue, items, _ = dataset
    data = build_data(
        "thong-bao-ket-luan",
        commune,
        dialogue,
        items,
        number=None,
        issued_on=DEMO_ISSUED_ON["thong-bao-ket-luan"],
    )
    text = docx_text(render("thong-bao-ket-luan", "docx", data))
    assert "DỰ THẢO" in text and "Số    -TB/ĐU" in text
    assert text.splitlines()[-1] == LAST_LINE


def test_libreoffice_converts_every_docx(converted, docxs) -> None:
    for kind in docxs:
        assert kind in converted, f"{kind}: LibreOffice made no PDF of it"
        text = squash(pdf_text(converted[kind]))
        assert "ĐẢNG CỘNG SẢN VIỆT NAM" in text and text.endswith(LAST_LINE)
