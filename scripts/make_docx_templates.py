"""Generate the Word templates of the dialogue documents (docxtpl syntax) with python-docx.

    .venv/bin/python -m scripts.make_docx_templates [OUTPUT_DIR]

Writes ``services/reporting/templates/documents/<kind>.docx`` (or into OUTPUT_DIR): A4,
margins 20/20/30/15 mm, Times New Roman 14 pt (tables and Nơi nhận 12 pt), the HD 36-HD/VPTW
element order of ``base.html``: header table (province / committee / * / number | ĐẢNG CỘNG SẢN
VIỆT NAM / italic date line), type and subject, body, signature block on the right, ``Nơi
nhận:`` underlined. The output is byte-for-byte reproducible, so re-running it shows no diff
unless this script changed.

The office may edit the generated files in Word: keep the ``{{ … }}`` fields and the
``{%p … %}`` / ``{%tr … %}`` paragraphs and rows (docxtpl removes them when rendering); a
commune's own copy goes in its template folder, searched before this one.
"""

from __future__ import annotations

import io
import sys
import zipfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

ROOT = Path(__file__).resolve().parents[1]
OUTPUT = ROOT / "services" / "reporting" / "templates" / "documents"
FONT = "Times New Roman"
BODY_PT, TABLE_PT, SMALL_PT = 14, 12, 12
TEXT_WIDTH_MM = 210 - 30 - 15
FIXED_TIME = datetime(2025, 1, 1)
LANGUAGE = "vi-VN"
CENTER, JUSTIFY, LEFT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.JUSTIFY, WD_ALIGN_PARAGRAPH.LEFT


def _fonts(element, size: float | None = None) -> None:
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)


def para(
    container,
    text: str = "",
    *,
    bold=False,
    italic=False,
    underline=False,
    size: float = BODY_PT,
    align=JUSTIFY,
    indent=False,
    after: float = 3,
    runs=None,
    first=False,
):
    """A paragraph of one run (or of `runs`: (text, bold, italic) triples)."""
    p = container.paragraphs[0] if first else container.add_paragraph()
    p.alignment = align
    fmt = p.paragraph_format
    fmt.space_after = Pt(after)
    fmt.space_before = Pt(0)
    fmt.line_spacing = 1.1
    if indent:
        fmt.first_line_indent = Mm(10)
    for chunk, b, i in runs or [(text, bold, italic)]:
        run = p.add_run(chunk)
        run.bold, run.italic, run.underline = b, i, underline
        run.font.size = Pt(size)
        run.font.name = FONT
        _fonts(run._r)
    return p


def tag(container, text: str):
    """A control paragraph (`{%p … %}`), removed by docxtpl."""
    return para(container, text, align=LEFT, after=0)


# The schema's order of a table's and a paragraph's properties (Word refuses other orders).
TBL_PR_ORDER = (
    "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize tblW jc tblCellSpacing "
    "tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption tblDescription"
).split()
P_PR_ORDER = (
    "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr shd "
    "tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi "
    "adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc"
).split()


def _insert(parent, child, order: tuple[str, ...] | list[str]) -> None:
    """Put `child` among `parent`'s children where the schema's `order` wants it."""
    name = child.tag.split("}")[1]
    later = {qn(f"w:{n}") for n in order[order.index(name) + 1 :]}
    for index, existing in enumerate(parent):
        if existing.tag in later:
            parent.insert(index, child)
            return
    parent.append(child)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    _insert(tbl_pr, borders, TBL_PR_ORDER)


def _widths(table, widths_mm) -> None:
    table.autofit = False
    for column, width in zip(table.columns, widths_mm):
        column.width = Mm(width)
    for row in table.rows:
        cells = row.cells
        if len({id(c._tc) for c in cells}) < len(cells):  # a merged row keeps its span
            continue
        for cell, width in zip(cells, widths_mm):
            cell.width = Mm(width)


def _grid(table) -> None:
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER


def new_document():
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(BODY_PT)
    _fonts(normal.element)
    _language(doc)
    _page_numbers(section)
    props = doc.core_properties  # render.py sets title, author and dates per document
    props.author = props.last_modified_by = ""
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    props.language = LANGUAGE
    props.comments = ""
    return doc


def _language(doc) -> None:
    """Proofing language vi-VN for every run (document defaults) and for the theme fonts."""
    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    lang = rpr_default.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr_default.append(lang)
    lang.set(qn("w:val"), LANGUAGE)
    lang.set(qn("w:eastAsia"), LANGUAGE)
    lang.set(qn("w:bidi"), "ar-SA")
    settings = doc.settings.element
    theme = settings.find(qn("w:themeFontLang"))
    if theme is None:
        theme = OxmlElement("w:themeFontLang")
        settings.append(theme)
    theme.set(qn("w:val"), LANGUAGE)


def _page_numbers(section) -> None:
    """The page number (a PAGE field) in the footer, right, from page 2: the first page has a
    footer of its own, left empty."""
    section.different_first_page_header_footer = True
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), str(BODY_PT * 2))
    rpr.append(size)
    run.append(rpr)
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    p._p.append(field)
    section.first_page_footer.paragraphs[0].text = ""


def _boxed(p) -> None:
    """The DỰ THẢO mark: a framed 30 mm box at the top left, as in the PDF."""
    ppr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    for edge in ("top", "left", "bottom", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single")
        el.set(qn("w:sz"), "12")
        el.set(qn("w:space"), "1")
        el.set(qn("w:color"), "000000")
        borders.append(el)
    _insert(ppr, borders, P_PR_ORDER)
    p.paragraph_format.right_indent = Mm(TEXT_WIDTH_MM - 30)


def header(doc) -> None:
    tag(doc, "{%p if d.draft %}")
    _boxed(para(doc, "DỰ THẢO", bold=True, size=13, align=CENTER))
    tag(doc, "{%p endif %}")
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, (80, TEXT_WIDTH_MM - 80))
    left, right = table.rows[0].cells
    para(left, "{{ d.province_line }}", align=CENTER, after=0, first=True)
    para(left, "{{ d.committee_line }}", bold=True, align=CENTER, after=0)
    para(left, "*", align=CENTER, after=0)
    tag(left, "{%p if d.number_line %}")
    para(left, "{{ d.number_line }}", align=CENTER, after=0)
    tag(left, "{%p endif %}")
    tag(left, "{%p if d.vv_line %}")
    para(left, "{{ d.vv_line }}", size=SMALL_PT, align=CENTER, after=0)
    tag(left, "{%p endif %}")
    para(
        right, "ĐẢNG CỘNG SẢN VIỆT NAM", bold=True, underline=True, size=15, align=CENTER, after=8, first=True
    )
    para(right, "{{ d.date_line }}", italic=True, align=CENTER, after=0)


def title(doc) -> None:
    tag(doc, "{%p if d.type_title %}")
    p = para(doc, "{{ d.type_title }}", bold=True, size=15, align=CENTER, after=0)
    p.paragraph_format.space_before = Pt(14)
    para(doc, "{{ d.subject }}", bold=True, align=CENTER, after=0)
    para(doc, "-----", align=CENTER, after=6)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if d.addressees %}")
    p = para(doc, '{{ "Kính gửi: " ~ d.addressees | join("; ") }}', align=CENTER, after=8)
    p.paragraph_format.space_before = Pt(12)
    tag(doc, "{%p endif %}")
    loop_paragraphs(doc, "line in d.intro", "{{ line }}")


def loop_paragraphs(doc, loop: str, text: str, **kwargs) -> None:
    tag(doc, "{%p for " + loop + " %}")
    para(doc, text, indent=kwargs.pop("indent", True), **kwargs)
    tag(doc, "{%p endfor %}")


def marked_paragraphs(doc, name: str, issues: str, number: str, rest: str) -> None:
    """One paragraph per issue: its number, the repeat mark in bold when it was raised more than
    once (`Issue.repeat_mark`), then `rest`; the mark's run opens with its space (see the notice's
    spacing test: a space ending a regular run before a bold one is stretched when justified)."""
    tag(doc, "{%p for " + f"{name} in {issues}" + " %}")
    mark = "{% if " + name + ".repeat_mark %} [{{ " + name + ".repeat_mark }}]{% endif %}"
    para(doc, runs=[(number, False, False), (mark, True, False), (rest, False, False)], indent=True)
    tag(doc, "{%p endfor %}")


def heading(doc, text: str, *, italic=False) -> None:
    """A heading, kept on the page of the paragraph after it (never last on a page alone)."""
    para(doc, text, bold=True, italic=italic, align=LEFT, after=3).paragraph_format.keep_with_next = True


BAND = "band"  # the last band's table description; render.py keeps the paragraphs before it with it
SIGNATURE_MM, RECIPIENTS_MM = 95, TEXT_WIDTH_MM - 95


def _band_table(doc, widths_mm, *, right_to_left: bool):
    """A borderless one-row table that never splits across pages (cantSplit). With
    `right_to_left` (w:bidiVisual) its first cell shows on the right: the signature block comes
    first in reading order (as in HD 36's element order) yet stands right of "Nơi nhận"."""
    table = doc.add_table(rows=1, cols=len(widths_mm))
    _no_borders(table)
    _widths(table, widths_mm)
    tbl_pr = table._tbl.tblPr
    if right_to_left:
        _insert(tbl_pr, OxmlElement("w:bidiVisual"), TBL_PR_ORDER)
    description = OxmlElement("w:tblDescription")
    description.set(qn("w:val"), BAND)
    _insert(tbl_pr, description, TBL_PR_ORDER)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    return table


def _signature_block(cell, prefix: str) -> None:
    """Authority (if any), title, room for the signature and seal when a name is signed, name."""
    para(cell, "{%p if " + prefix + ".authority %}", align=LEFT, after=0, first=True)
    para(cell, "{{ " + prefix + ".authority }}", bold=True, align=CENTER, after=0)
    tag(cell, "{%p endif %}")
    para(cell, "{{ " + prefix + ".title }}", bold=True, align=CENTER, after=0)
    tag(cell, "{%p if " + prefix + ".source %}")
    para(cell, "", align=CENTER, after=60)
    tag(cell, "{%p endif %}")
    para(cell, "{{ " + prefix + ".name }}", bold=True, align=CENTER, after=0)


def _recipients_block(cell) -> None:
    para(
        cell,
        "Nơi nhận:",
        bold=True,
        italic=True,
        underline=True,
        size=SMALL_PT,
        align=LEFT,
        after=0,
        first=True,
    )
    loop_paragraphs(
        cell, "line in d.recipient_lines", "{{ line }}", size=SMALL_PT, align=LEFT, after=0, indent=False
    )


def signature(doc) -> None:
    """The closing lines, then the last band (HD 36-HD/VPTW), one table that never splits: the
    signature block on the right with "Nơi nhận" beside it at the bottom left; the minutes sign
    THƯ KÝ (left) and CHỦ TRÌ HỘI NGHỊ (right), "Nơi nhận" in the row under them."""
    loop_paragraphs(doc, "line in d.closing", "{{ line }}")
    tag(doc, "{%p if d.left_signature %}")
    pair = _band_table(doc, (TEXT_WIDTH_MM / 2, TEXT_WIDTH_MM / 2), right_to_left=False)
    left, right = pair.rows[0].cells
    _signature_block(left, "d.left_signature")
    _signature_block(right, "d.signature")
    under = pair.add_row()
    under._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    _recipients_block(under.cells[0])
    tag(doc, "{%p else %}")
    band = _band_table(doc, (SIGNATURE_MM, RECIPIENTS_MM), right_to_left=True)
    sign, send = band.rows[0].cells
    _signature_block(sign, "d.signature")
    _recipients_block(send)
    tag(doc, "{%p endif %}")


def grid_table(doc, heads, widths, rows_builder) -> None:
    """A bordered table: the header row, then the rows `rows_builder(table)` adds."""
    table = doc.add_table(rows=1, cols=len(heads))
    _grid(table)
    table.rows[0]._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))  # repeated on each page
    for cell, text in zip(table.rows[0].cells, heads):
        para(cell, text, bold=True, size=TABLE_PT, align=CENTER, after=0, first=True)
    rows_builder(table)
    _widths(table, widths)


def add_row(table, texts, *, bold=False, italic=False, merge=False, align=LEFT):
    cells = table.add_row().cells
    if merge:
        merged = cells[0].merge(cells[-1])
        para(merged, texts[0], bold=bold, italic=italic, size=TABLE_PT, align=align, after=0, first=True)
        return
    for cell, text in zip(cells, texts):
        if isinstance(text, tuple):
            para(cell, "", size=TABLE_PT, align=LEFT, after=0, first=True, runs=list(text))
        else:
            para(cell, text, bold=bold, italic=italic, size=TABLE_PT, align=align, after=0, first=True)


def counts_table(doc, rows_expr: str, head: str) -> None:
    def rows(table):
        add_row(table, ["{%tr for r in " + rows_expr + " %}", ""])
        add_row(table, ["{{ r.label }}", "{{ r.count }}"])
        add_row(table, ["{%tr endfor %}", ""])

    grid_table(doc, [head, "Số ý kiến"], (120, 45), rows)
    para(doc, "", after=3)


# --- bodies -------------------------------------------------------------------------------


def body_invitation(doc) -> None:
    loop_paragraphs(doc, "who in d.invitation.invitees", "- {{ who }};")
    para(doc, runs=[("Thời gian: ", True, False), ("{{ d.invitation.when }}.", False, False)], indent=True)
    para(doc, runs=[("Địa điểm: ", True, False), ("{{ d.invitation.venue }}.", False, False)], indent=True)
    para(doc, runs=[("Nội dung:", True, False)], indent=True)
    loop_paragraphs(doc, "line in d.invitation.content", "{{ line }}")
    para(doc, "{{ d.invitation.closing }}", indent=True)


def body_report(doc) -> None:
    heading(doc, "1. Số lượng ý kiến theo nguồn tiếp nhận")
    para(
        doc,
        "Tổng số ý kiến, kiến nghị, phản ánh tiếp nhận: {{ d.report.total_items }}, sau khi gộp các ý kiến trùng lặp còn {{ d.report.new_issues }} vấn đề{% if d.report.pending %}; {{ d.report.pending }} ý kiến đang phân loại{% endif %}{% if d.report.carried_issues %}; ngoài ra {{ d.report.carried_issues }} vấn đề kéo dài từ các năm trước chưa được giải quyết dứt điểm được tổng hợp tiếp (tổng cộng {{ d.report.total_issues }} vấn đề){% endif %}.",
        indent=True,
    )
    counts_table(doc, "d.report.by_source", "Nguồn tiếp nhận")
    counts_table(doc, "d.report.by_kind", "Loại")
    counts_table(doc, "d.report.by_hamlet", "Địa bàn")
    tag(doc, "{%p if d.report.deadlines %}")
    para(doc, "Tình hình gửi báo cáo tổng hợp ý kiến theo kế hoạch:", indent=True)
    tag(doc, "{%p endif %}")

    def deadline_rows(table):
        add_row(table, ["{%tr for row in d.report.deadlines %}", "", "", ""])
        add_row(table, ["{{ row.body }}", "{{ row.due }}", "{{ row.received }}", "{{ row.status }}"])
        add_row(table, ["{%tr endfor %}", "", "", ""])

    grid_table(
        doc, ["Cơ quan, đơn vị", "Thời hạn", "Số ý kiến", "Tình trạng"], (62, 50, 20, 33), deadline_rows
    )
    tag(doc, "{%p for c in charts %}")
    para(doc, "{{ c.image }}", align=CENTER)
    tag(doc, "{%p endfor %}")

    heading(doc, "2. Tổng hợp ý kiến theo nội dung")
    tag(doc, "{%p if d.report.repeated_note %}")
    para(doc, "{{ d.report.repeated_note }}", indent=True)
    tag(doc, "{%p endif %}")

    def issue_rows(table):
        add_row(table, ["{%tr for g in d.report.groups %}", "", "", "", ""])
        add_row(table, ["{{ g.heading }}"], bold=True, italic=True, merge=True)
        add_row(table, ["{%tr for i in g.issues %}", "", "", "", ""])
        add_row(
            table,
            [
                "{{ i.number }}",
                (
                    ("{% if i.repeat_mark %}[{{ i.repeat_mark }}] {% endif %}", True, False),
                    ("{{ i.text }}", False, False),
                    (
                        "{% if i.prepared_answer %} Nội dung trả lời đã chuẩn bị: "
                        "“{{ i.prepared_answer }}”{% endif %}",
                        False,
                        True,
                    ),
                ),
                "{{ i.hamlet }} – {{ i.submitters }}",
                '{{ i.office_cell }}{% if i.coordinating %}; phối hợp: {{ i.coordinating | join(", ") }}{% endif %}',
                "{{ i.authority }}",
            ],
        )
        add_row(table, ["{%tr endfor %}", "", "", "", ""])
        add_row(table, ["{%tr endfor %}", "", "", "", ""])

    grid_table(
        doc,
        ["TT", "Nội dung ý kiến, kiến nghị", "Ấp / người gửi", "Cơ quan chủ trì", "Thẩm quyền"],
        (10, 62, 27, 30, 36),
        issue_rows,
    )
    heading(doc, "3. Các vấn đề vượt thẩm quyền cấp xã")
    loop_paragraphs(
        doc,
        "i in d.report.above",
        "- Vấn đề số {{ i.number }} ({{ i.hamlet }}): {{ i.text }} – thẩm quyền: {{ i.authority }}.",
    )
    tag(doc, "{%p if not d.report.above %}")
    para(doc, "Không có.", indent=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if d.report.long_running %}")
    heading(doc, "Các vấn đề kéo dài từ các năm trước", italic=True)
    tag(doc, "{%p endif %}")
    loop_paragraphs(
        doc,
        "i in d.report.long_running",
        "- Vấn đề số {{ i.number }} ({{ i.hamlet }}, {{ i.repeat_mark | lower }}): {{ i.text }}{% for line in i.earlier_lines %} {{ line }}{% endfor %}",
    )
    heading(doc, "4. Đề xuất")
    loop_paragraphs(doc, "line in d.report.proposals", "- {{ line }}")


def body_minutes(doc) -> None:
    para(doc, "{{ d.minutes.opening }}", indent=True)
    heading(doc, "I. THÀNH PHẦN")
    para(doc, "{{ d.minutes.chair }}", indent=True)
    para(doc, "{{ d.minutes.secretary }}", indent=True)
    para(doc, "{{ d.minutes.attendance }}", indent=True)
    tag(doc, "{%p if d.minutes.delegates_heading %}")
    para(doc, "{{ d.minutes.delegates_heading }}", indent=True)
    tag(doc, "{%p endif %}")
    loop_paragraphs(doc, "line in d.minutes.delegates", "- {{ line }}.")
    tag(doc, "{%p if d.minutes.residents_heading %}")
    para(doc, "{{ d.minutes.residents_heading }}", indent=True)
    tag(doc, "{%p endif %}")
    loop_paragraphs(doc, "line in d.minutes.attendance_lines", "- {{ line }}.")
    heading(doc, "II. NỘI DUNG")
    para(doc, "Chương trình hội nghị:", indent=True)
    loop_paragraphs(doc, "line in d.minutes.agenda", "{{ loop.index }}. {{ line }}.")
    para(doc, "Ý kiến phát biểu của nhân dân và trả lời tại hội nghị:", indent=True)
    tag(doc, "{%p for s in d.minutes.speeches %}")
    para(
        doc,
        runs=[
            ("{{ loop.index }})", False, False),
            ("{% if s.repeat_mark %} [{{ s.repeat_mark }}]{% endif %}", True, False),
            (" {{ s.name }}{% if s.where %} ({{ s.where }}){% endif %}: {{ s.issue }}", False, False),
        ],
        indent=True,
    )
    tag(doc, "{%p for a in s.answers %}")
    para(
        doc,
        runs=[
            ("Trả lời{% if a.by %} ({{ a.by }}){% endif %}:", False, True),
            (" {{ a.text }}", False, False),
        ],
        indent=True,
    )
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not s.answers %}")
    para(
        doc,
        runs=[
            ("Trả lời{% if s.answered_by %} ({{ s.answered_by }}){% endif %}:", False, True),
            (' {{ s.answer or "……………………" }}', False, False),
        ],
        indent=True,
    )
    tag(doc, "{%p endif %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not d.minutes.speeches %}")
    para(doc, "1) ……………………………………………………………", indent=True)
    para(doc, runs=[("Trả lời:", False, True), (" ……………………………………………………", False, False)], indent=True)
    tag(doc, "{%p endif %}")
    heading(doc, "III. KẾT LUẬN CỦA ĐỒNG CHÍ BÍ THƯ ĐẢNG ỦY")
    loop_paragraphs(doc, "line in d.minutes.conclusion", "{{ line }}")
    para(doc, "{{ d.minutes.closing }}", indent=True)


def body_notice(doc) -> None:
    heading(doc, "I. CÁC VẤN ĐỀ THUỘC THẨM QUYỀN CẤP XÃ")
    tag(doc, "{%p for g in d.notice.groups %}")
    heading(doc, "{{ g.heading }}", italic=True)
    tag(doc, "{%p for c in g.issues %}")
    para(
        doc,
        runs=[
            ("{{ c.number }}.", False, False),
            ("{% if c.repeat_mark %} [{{ c.repeat_mark }}]{% endif %}", True, False),
            (
                " Ý kiến của {{ c.residents }}: “{{ c.text }}”{{ c.stop }}{% for line in c.earlier_lines %} {{ line }}{% endfor %} Giao ",
                False,
                False,
            ),
            ("{{ c.office }}", True, False),
            (
                ' chủ trì{% if c.coordinating %}, phối hợp {{ c.coordinating | join(", ") }}{% endif %}{% if c.conclusion %}: {{ c.conclusion_line }} Thời hạn: {{ c.deadline_phrase }}.{% else %} kiểm tra, giải quyết{% if c.long_running %} dứt điểm{% endif %} và trả lời cho nhân dân; thời hạn {{ c.deadline_working_days }} ngày làm việc, chậm nhất ngày {{ c.deadline | vn_date }}.{% endif %}',
                False,
                False,
            ),
        ],
        indent=True,
    )
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not d.notice.groups %}")
    para(doc, "Không có.", indent=True)
    tag(doc, "{%p endif %}")
    heading(doc, "II. KIẾN NGHỊ CẤP TRÊN (VƯỢT THẨM QUYỀN CẤP XÃ)")
    marked_paragraphs(
        doc,
        "e",
        "d.notice.escalations",
        "{{ e.number }}.",
        " Ý kiến của {{ e.residents }}: “{{ e.text }}”{{ e.stop }}{% for line in e.earlier_lines %} {{ line }}{% endfor %} Thẩm quyền: {{ e.authority }}.{% if e.conclusion %} {{ e.conclusion_line }}{% endif %} Giao Văn phòng Đảng ủy tham mưu văn bản kiến nghị cấp trên xem xét, giải quyết{% if e.deadline and e.conclusion %}; thời hạn: {{ e.deadline_phrase }}{% endif %}.",
    )
    tag(doc, "{%p if not d.notice.escalations %}")
    para(doc, "Không có.", indent=True)
    tag(doc, "{%p endif %}")
    tag(doc, "{%p if d.notice.closed %}")
    heading(doc, "III. CÁC Ý KIẾN ĐÃ ĐƯỢC TRẢ LỜI, GIẢI THÍCH TẠI HỘI NGHỊ")
    marked_paragraphs(
        doc,
        "c",
        "d.notice.closed",
        "{{ c.number }}.",
        " Ý kiến của {{ c.residents }}: “{{ c.text }}”{{ c.stop }}{% for line in c.earlier_lines %} {{ line }}{% endfor %}{% if c.conclusion_kind == 'answered' %} {{ c.answered_line }} Nội dung này kết thúc tại hội nghị.{% else %} {{ c.explained_line }}{% endif %}",
    )
    tag(doc, "{%p endif %}")
    heading(doc, "{{ d.notice.implementation_number }}. TỔ CHỨC THỰC HIỆN")
    loop_paragraphs(doc, "line in d.notice.follow_up", "{{ loop.index }}. {{ line }}")


def body_escalation(doc) -> None:
    tag(doc, "{%p for g in d.escalation.groups %}")
    heading(doc, "{{ loop.index }}. Thuộc thẩm quyền: {{ g.body }}", italic=True)
    marked_paragraphs(
        doc,
        "i",
        "g.issues",
        "{{ i.number }})",
        " Ý kiến của {{ i.residents }}: “{{ i.text }}”{{ i.stop }}{% for line in i.earlier_lines %} {{ line }}{% endfor %}{% if i.conclusion %} Kết luận tại hội nghị: {{ i.conclusion_line }}{% endif %}",
    )
    tag(doc, "{%p endfor %}")
    tag(doc, "{%p if not d.escalation.groups %}")
    para(doc, "Không có vấn đề vượt thẩm quyền cấp xã.", indent=True)
    tag(doc, "{%p endif %}")
    loop_paragraphs(doc, "line in d.escalation.closing", "{{ line }}")


def body_radio(doc) -> None:
    loop_paragraphs(doc, "line in d.radio.paragraphs", "{{ line }}")


BODIES: dict[str, Callable] = {
    "giay-moi": body_invitation,
    "bao-cao-tong-hop": body_report,
    "bien-ban": body_minutes,
    "thong-bao-ket-luan": body_notice,
    "kien-nghi-cap-tren": body_escalation,
    "thong-bao-truyen-thanh": body_radio,
}


# Kinds printed on one sheet (the invitation, as an office hands it out): single line spacing
# (Word's 1.0, the PDF's line-height 1.15 in base.html) instead of 1.1 in every paragraph.
SINGLE_SPACED = frozenset({"giay-moi"})


def _single_spaced(doc) -> None:
    cells = [c for t in doc.tables for row in t.rows for c in row.cells]
    for p in [*doc.paragraphs, *(p for c in cells for p in c.paragraphs)]:
        p.paragraph_format.line_spacing = 1.0


def build(kind: str) -> bytes:
    doc = new_document()
    header(doc)
    title(doc)
    BODIES[kind](doc)
    signature(doc)
    if kind in SINGLE_SPACED:
        _single_spaced(doc)
    raw = io.BytesIO()
    doc.save(raw)
    return _reproducible(raw.getvalue())


def _reproducible(blob: bytes) -> bytes:
    """The same zip with fixed member times and order."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out_dir = Path(args[0]) if args else OUTPUT
    out_dir.mkdir(parents=True, exist_ok=True)
    for kind in BODIES:
        path = out_dir / f"{kind}.docx"
        path.write_bytes(build(kind))
        print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
