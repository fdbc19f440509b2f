"""The signable layout of the six documents, as an office reads them before signing: the
signer's name under the title, and the last band (signature block beside "Nơi nhận") never on
a page of its own, in the PDF (WeasyPrint) and in the DOCX converted by LibreOffice; the DOCX's
page numbers from page 2, proofing language and file properties. A long conclusion notice, whose
band falls at every position around a page end, shows the band moving with the paragraph
before it rather than splitting off."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import httpx
import pytest
from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from services.demo.documents import demo_document
from services.demo.seed import seed_demo
from services.deployment import build_app
from services.intake.app import build_service as intake
from services.reporting.app import build_service as reporting
from services.reporting.documents import KINDS, build_data, render
from services.reporting.documents.model import DocumentData
from services.routing.app import build_service as routing
from shared.directory import COMMUNES
from tests.auth import staff_headers
from tests.integration.helpers import running
from tests.unit.test_documents import squash

RADIO = "thong-bao-truyen-thanh"


# --- reading the band off the pages --------------------------------------------------------


def pages(blob: bytes) -> list[str]:
    """Each page's text, its page number (a line of its own, from page 2) left out."""
    out = []
    for number, page in enumerate(PdfReader(io.BytesIO(blob)).pages, start=1):
        lines = [line for line in (page.extract_text() or "").splitlines() if line.strip() != str(number)]
        out.append("\n".join(lines))
    return out


def band_start(data: DocumentData) -> str:
    """The band's first words in reading order: the signature block's first line."""
    first = data.left_signature or data.signature
    return first.authority or first.title


def assert_band_not_alone(blob: bytes, data: DocumentData, where: str) -> None:
    texts = [squash(t) for t in pages(blob)]
    start = squash(band_start(data))
    with_band = [i for i, t in enumerate(texts) if "Nơi nhận:" in t]
    assert with_band == [len(texts) - 1], f"{where}: Nơi nhận on pages {with_band} of {len(texts)}"
    last = texts[-1]
    assert start in last, f"{where}: the signature ({start}) is not on the page of Nơi nhận"
    before = last[: last.rfind(start)].strip()
    assert len(before) > 20, f"{where}: the last page holds only the signature and Nơi nhận: {last[:200]!r}"
    if data.signature.name:
        assert squash(data.signature.name) in last, where
    assert last.endswith(squash(data.recipient_lines[-1])), where


def assert_signed(text: str, data: DocumentData, where: str) -> None:
    text = squash(text)
    if data.kind == RADIO:  # a script read on air: no number, no Party signature
        assert "T/M BAN THƯỜNG VỤ" not in text and "BÍ THƯ Nguyễn" not in text and "-TB/ĐU" not in text, where
        assert squash(data.signature.title) in text, where
        return
    for block in (data.left_signature, data.signature):
        if block is not None:
            assert block.name, f"{where}: {block.title} has no name"
            assert squash(f"{block.title}") in text and squash(block.name) in text, where
    assert data.number_line and squash(data.number_line) in text, where


# --- the six kinds ---------------------------------------------------------------------------


def test_every_signed_document_names_its_signer(documents) -> None:
    signers = {
        kind: (d.signature.authority, d.signature.title, d.signature.name) for kind, d in documents.items()
    }
    assert signers["giay-moi"] == signers["thong-bao-ket-luan"] == signers["kien-nghi-cap-tren"]
    assert signers["thong-bao-ket-luan"] == ("T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nguyễn Văn Minh")
    assert signers["bao-cao-tong-hop"] == ("VĂN PHÒNG ĐẢNG ỦY", "CHÁNH VĂN PHÒNG", "Võ Thị Hạnh")
    assert signers["bien-ban"] == ("", "CHỦ TRÌ HỘI NGHỊ", "Nguyễn Văn Minh")
    assert documents["bien-ban"].left_signature.name == "Trần Thị Thu"
    assert documents[RADIO].number_line is None and not documents[RADIO].signature.authority


@pytest.mark.parametrize("kind", KINDS)
def test_pdf_band_is_signed_and_never_alone(kind, documents, pdfs) -> None:
    assert_signed("\n".join(pages(pdfs[kind])), documents[kind], f"{kind}.pdf")
    assert_band_not_alone(pdfs[kind], documents[kind], f"{kind}.pdf")


@pytest.mark.parametrize("kind", KINDS)
def test_docx_through_libreoffice_band_is_signed_and_never_alone(kind, documents, converted) -> None:
    assert_signed("\n".join(pages(converted[kind])), documents[kind], f"{kind}.docx→pdf")
    assert_band_not_alone(converted[kind], documents[kind], f"{kind}.docx→pdf")


def test_a_long_notice_keeps_the_band_with_its_last_paragraph(long_notices, converted) -> None:
    page_counts = set()
    for n, data in long_notices.items():
        blob = render("thong-bao-ket-luan", "pdf", data)
        page_counts.add(len(pages(blob)))
        assert_band_not_alone(blob, data, f"long notice, {n} issues, pdf")
        assert_band_not_alone(converted[f"long-{n}"], data, f"long notice, {n} issues, docx→pdf")
    assert len(page_counts) > 1  # the sizes do take the band across a page end


@pytest.mark.parametrize("number", [None, 5], ids=["draft", "numbered"])
@pytest.mark.parametrize("made", ["pdf", "docx→pdf"])
def test_the_demo_invitation_is_one_page(made, number, dataset, converted) -> None:
    """A commune office hands out the invitation on one A4 sheet: the demo's, as a draft (its
    DỰ THẢO mark takes a line) and numbered, in the PDF and in the DOCX opened by LibreOffice,
    has one page that still carries the header, number, date line and the whole band."""
    data = demo_document("giay-moi", dataset, number=number)
    if made == "pdf":
        blob = render("giay-moi", "pdf", data)
    else:
        blob = converted["giay-moi" if number else "giay-moi-draft"]
    texts = pages(blob)
    assert len(texts) == 1, f"the invitation ({made}) has {len(texts)} pages"
    text = squash(texts[0])
    assert squash("ĐẢNG CỘNG SẢN VIỆT NAM") in text and squash(data.date_line) in text
    assert squash("Tân Phước, ngày 20 tháng 03 năm 2017") in text and "25/03/2017" in text
    assert (data.number_line == "Số 05-GM/ĐU") if number else ("DỰ THẢO" in text)
    assert_signed(texts[0], data, f"giay-moi, {made}")
    assert text.endswith(squash(data.recipient_lines[-1]))


# --- DOCX ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
def test_docx_page_numbers_language_and_properties(kind, documents, docxs) -> None:
    data, doc = documents[kind], Document(io.BytesIO(docxs[kind]))
    section = doc.sections[0]
    assert section.different_first_page_header_footer  # no number on page 1
    footer = section.footer._element
    assert any("PAGE" in (f.get(qn("w:instr")) or "") for f in footer.iter(qn("w:fldSimple")))
    assert not list(section.first_page_footer._element.iter(qn("w:fldSimple")))
    lang = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:lang')}")
    assert lang.get(qn("w:val")) == "vi-VN"
    props = doc.core_properties
    assert props.title == data.full_title and data.subject in props.title
    assert props.author == props.last_modified_by == "Đảng ủy xã Tân Phước"
    assert props.language == "vi-VN" and props.created.date() == data.issued_on
    assert "python-docx" not in f"{props.author}{props.comments}{props.last_modified_by}{props.title}"


@pytest.mark.parametrize("kind", KINDS)
def test_docx_band_is_kept_together_with_the_paragraph_before_it(kind, docxs) -> None:
    body = Document(io.BytesIO(docxs[kind])).element.body
    bands = [
        t
        for t in body.iter(qn("w:tbl"))
        if (d := t.find(f"{qn('w:tblPr')}/{qn('w:tblDescription')}")) is not None
        and d.get(qn("w:val")) == "band"
    ]
    assert len(bands) == 1
    band = bands[0]
    assert all(row.find(f"{qn('w:trPr')}/{qn('w:cantSplit')}") is not None for row in band.iter(qn("w:tr")))
    previous = band.getprevious()
    while previous is not None and not "".join(previous.itertext()).strip():
        previous = previous.getprevious()
    assert previous is not None and previous.find(f"{qn('w:pPr')}/{qn('w:keepNext')}") is not None
    cells = [c for c in band.iter(qn("w:tc"))]
    if kind != "bien-ban":  # signature first in reading order, shown right of Nơi nhận
        assert band.find(f"{qn('w:tblPr')}/{qn('w:bidiVisual')}") is not None
        assert "Nơi nhận:" in "".join(cells[1].itertext())


def test_draft_docx_keeps_its_mark(dataset, tmp_path: Path) -> None:
    commune, dialogue, items, _ = dataset
    draft = build_data("giay-moi", commune, dialogue, items, number=None, issued_on=date(2017, 3, 20))
    doc = Document(io.BytesIO(render("giay-moi", "docx", draft)))
    mark = doc.paragraphs[0]
    assert mark.text == "DỰ THẢO" and mark._p.find(f"{qn('w:pPr')}/{qn('w:pBdr')}") is not None
    assert doc.core_properties.comments == "Dự thảo"


# --- the small print ---------------------------------------------------------------------------


def test_the_printed_text_has_no_double_stops_capital_toan_or_nested_parentheses(documents) -> None:
    for kind in ("bao-cao-tong-hop", "thong-bao-ket-luan", "kien-nghi-cap-tren"):
        text = squash(render(kind, "html", documents[kind]).decode())
        assert ".”." not in text and "nhân dân Toàn" not in text, kind
        issues = [
            i for g in (documents[kind].report.groups if documents[kind].report else ()) for i in g.issues
        ]
        for issue in issues:
            inner = issue.authority[issue.authority.find("(") + 1 :]
            assert "(" not in inner.split(")")[0], issue.authority  # no "(… (…))"
    notice = documents["thong-bao-ket-luan"].notice
    whole = [c for c in notice.conclusions if c.hamlet == "Toàn xã"]
    assert whole and all(c.residents == "nhân dân toàn xã" for c in whole)
    report = documents["bao-cao-tong-hop"].report
    offices = {i.office: i.office_cell for g in report.groups for i in g.issues}
    # the 2017 demo prints the offices' 2017 titles; never "Nông / nghiệp" in a column
    assert (
        offices["Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường"]
        == "Công chức Địa chính - Nông\u00a0nghiệp - Xây dựng và Môi trường"
    )
    assert offices["Bộ phận Tiếp nhận và Trả kết quả"] == "Bộ phận Tiếp nhận và Trả kết quả"


# --- issuing refuses a document without its signer's name ------------------------------------


@pytest.fixture
async def client(make_settings):
    app = build_app(make_settings(), [intake, routing, reporting], title="t")
    async with running(app):
        db = app.state.runtime.db
        await seed_demo(db)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t", headers=staff_headers()
        ) as client:
            yield client, db


@pytest.mark.integration
async def test_issuing_without_a_signers_name_is_refused_until_the_office_enters_it(client) -> None:
    client, db = client
    url = "/api/v1/communes/demo/dialogues/demo-2017/documents/thong-bao-ket-luan"
    await db[COMMUNES].update_one({"_id": "demo"}, {"$set": {"office_holders.secretary": ""}})
    refused = await client.post(url, json={"issued_on": "2017-04-05"})
    assert refused.status_code == 409, refused.text
    body = refused.json()
    assert body["error"] == "signer_missing" and body["field"] == "office_holders.secretary"
    assert "BÍ THƯ" in body["message_vi"] and "Secretary" in body["message_en"]
    assert (await client.get("/api/v1/communes/demo/dialogues/demo-2017/documents")).json()["documents"] == []
    holders = {
        "secretary": "  Nguyễn  Văn Minh ",
        "deputy_secretaries": ["Lê Văn Hai", " "],
        "chief_of_office": "",
    }
    entered = await client.put("/api/v1/communes/demo/office-holders", json=holders)
    assert entered.status_code == 200, entered.text
    assert entered.json() == {
        "secretary": "Nguyễn Văn Minh",
        "deputy_secretaries": ["Lê Văn Hai"],
        "chief_of_office": "",
    }
    assert (await client.get("/api/v1/communes/demo/office-holders")).json() == entered.json()
    issued = await client.post(url, json={"issued_on": "2017-04-05"})
    assert issued.status_code == 201, issued.text
    assert issued.json()["number"] == 1  # the refusal took no number from the register
    report = await client.post(url.replace("thong-bao-ket-luan", "bao-cao-tong-hop"), json={})
    assert report.status_code == 409 and report.json()["field"] == "office_holders.chief_of_office"
    for partial in ({}, {"secretary": " "}, {"deputy_secretaries": []}):
        erased = await client.put("/api/v1/communes/demo/office-holders", json=partial)
        assert erased.status_code == 422, erased.text  # a partial body never erases the signers
    assert (await client.get("/api/v1/communes/demo/office-holders")).json() == entered.json()
    unknown = await client.put("/api/v1/communes/nowhere/office-holders", json=holders)
    assert unknown.status_code in (403, 404)


def test_docx_headings_stay_with_what_follows_them(documents, docxs) -> None:
    """Seen by an outside walkthrough: the notice's DOCX ended page 1 with the topic heading
    "4. Vệ sinh môi trường…" alone, its issues on page 2 (the PDF was right). Every section and
    topic heading keeps with the next paragraph."""
    notice = documents["thong-bao-ket-luan"]
    assert notice.notice is not None and notice.notice.groups
    headings = {g.heading for g in notice.notice.groups} | {"I. CÁC VẤN ĐỀ THUỘC THẨM QUYỀN CẤP XÃ"}
    paragraphs = {p.text.strip(): p for p in Document(io.BytesIO(docxs["thong-bao-ket-luan"])).paragraphs}
    for heading in headings:
        assert paragraphs[heading].paragraph_format.keep_with_next is True, heading
