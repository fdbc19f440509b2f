"""Render a `DocumentData` to HTML, PDF or DOCX bytes.

- HTML: Jinja2 (autoescape, StrictUndefined) from the kind's ``templates/documents/<kind>.html``, which
  extends the shared ``base.html`` (header, number, date line, title, signature, Nơi nhận).
- PDF: WeasyPrint from that HTML: A4, margins 20/15/20/30 mm (top/right/bottom/left), the
  bundled Tinos fonts (Times New Roman metrics, full Vietnamese) loaded by ``@font-face`` from
  file URLs, so no system font is needed. HTML served over HTTP has no ``@font-face``
  (`render_html`, `served_html`): no file URL reaches a browser.
- DOCX: docxtpl from ``templates/documents/<kind>.docx`` (made by
  ``scripts/make_docx_templates.py``); charts become `InlineImage`s. Then `_finish_docx`: the
  paragraph before the last band (the table described ``band``: signature and Nơi nhận) keeps
  with it and the band's rows keep together, so the band never stands alone on a page; the
  file's properties name the document (title, subject) and its author, the Party committee,
  dated the day of issue, language vi-VN.

`template_dirs` are searched first, so a commune overrides ``base.html``, one kind's
``.html`` or its ``.docx`` by placing a file of the same name in its own folder.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from datetime import datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined
from markupsafe import Markup

from services.reporting.documents.kinds import spec_of
from services.reporting.documents.model import DocumentData, check_format
from shared.templates import date_line, make_environment, vn_date, vn_weekday

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "documents"
FONTS = Path(__file__).resolve().parents[1] / "fonts"
FONTS_URL = FONTS.as_uri() + "/"
CHART_WIDTH_MM = 150


def _dirs(template_dirs: Sequence[Path]) -> list[Path]:
    return [Path(d) for d in template_dirs] + [TEMPLATES]


@lru_cache(maxsize=32)
def _environment(dirs: tuple[Path, ...]) -> Environment:
    return make_environment(list(dirs))


def render_html(data: DocumentData, *, template_dirs: Sequence[Path] = (), fonts_url: str = "") -> str:
    """The document as HTML. Served HTML (`fonts_url` empty) has no ``@font-face``: a browser
    refuses the bundled fonts' file URLs and they would show the server's paths, so it prints in
    the fallback stack (Times New Roman, Tinos, Liberation Serif); only the PDF renderer, which
    reads local files, gets `FONTS_URL`."""
    env = _environment(tuple(_dirs(template_dirs)))
    return env.get_template(spec_of(data.kind).html_template).render(d=data, fonts_url=fonts_url)


# An @font-face rule whose source is a local file, as HTML issued before served HTML had none
# carries it (`base.html`: one rule a line).
_LOCAL_FONT_FACE = re.compile(
    rb"[ \t]*@font-face\s*\{[^{}]*url\(\s*[\"']?file:[^{}]*\}[ \t]*\r?\n?", re.IGNORECASE
)


def served_html(html: bytes) -> bytes:
    """Stored HTML as served over HTTP: without the @font-face rules that load local files (the
    rest unchanged, so the fallback font stack applies)."""
    return _LOCAL_FONT_FACE.sub(b"", html)


@lru_cache(maxsize=1)
def _font_config() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_pdf(data: DocumentData, *, template_dirs: Sequence[Path] = ()) -> bytes:
    from weasyprint import HTML

    html = render_html(data, template_dirs=template_dirs, fonts_url=FONTS_URL)
    return HTML(string=html, base_url=str(TEMPLATES)).write_pdf(font_config=_font_config())


def docx_template(kind: str, template_dirs: Sequence[Path] = ()) -> Path:
    name = spec_of(kind).docx_template
    for directory in _dirs(template_dirs):
        path = directory / name
        if path.is_file():
            return path
    raise FileNotFoundError(
        f"no {name} template in {', '.join(map(str, _dirs(template_dirs)))}: "
        "run `python -m scripts.make_docx_templates`"
    )


# What docxtpl turns into layout when a value holds it (`DocxTemplate.resolve_listing`): "\n" a
# line break, "\a" a new paragraph, "\f" a page break, "\t" a tab; HTML (and so the PDF) prints
# each as a space.
_LAYOUT_CONTROLS = re.compile(r" *[\r\n\t\a\f\v\x85\u2028\u2029]+ *")


def _inline(value: Any) -> Any:
    """A value printed into the DOCX: a plain string on one line, its controls a space as in the
    HTML, so no text entered by someone breaks a numbered paragraph in the DOCX alone (the
    documents join the lines of what people type, `printed_text.one_paragraph`; this is the net
    for any other field). Markup and objects (images) are left to docxtpl."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return _LAYOUT_CONTROLS.sub(" ", value)
    return value


def _docx_environment() -> Environment:
    env = Environment(undefined=StrictUndefined, autoescape=True, finalize=_inline)
    env.filters["vn_date"] = vn_date
    env.filters["vn_weekday"] = vn_weekday
    env.globals["date_line"] = date_line
    return env


def render_docx(data: DocumentData, *, template_dirs: Sequence[Path] = ()) -> bytes:
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage

    template = DocxTemplate(str(docx_template(data.kind, template_dirs)))
    charts = [
        {
            "name": c.name,
            "title": c.title,
            "image": InlineImage(template, io.BytesIO(c.png), width=Mm(CHART_WIDTH_MM)),
        }
        for c in data.charts
    ]
    template.render({"d": data, "charts": charts}, jinja_env=_docx_environment(), autoescape=True)
    _finish_docx(template.docx, data)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


BAND = "band"  # the w:tblDescription of the last band's table (scripts/make_docx_templates.py)
KEEP_WITH_BAND = 2  # paragraphs before the band that move with it to the next page if it must


def _keep_next(paragraph: Any) -> None:
    from docx.oxml.ns import qn

    ppr = paragraph.get_or_add_pPr()
    if ppr.find(qn("w:keepNext")) is None:
        ppr.keepNext_val = True


def _finish_docx(document: Any, data: DocumentData) -> None:
    from docx.oxml.ns import qn

    body = document.element.body
    for table in body.iterchildren(qn("w:tbl")):
        description = table.find(f"{qn('w:tblPr')}/{qn('w:tblDescription')}")
        if description is None or description.get(qn("w:val")) != BAND:
            continue
        rows = table.findall(qn("w:tr"))
        for row in rows[:-1]:  # every row keeps with the next: the band is one block
            for paragraph in row.iter(qn("w:p")):
                _keep_next(paragraph)
        kept, previous = 0, table.getprevious()
        while previous is not None and kept < KEEP_WITH_BAND:
            if previous.tag == qn("w:p"):
                if "".join(previous.itertext()).strip():
                    _keep_next(previous)
                    kept += 1
            elif previous.tag == qn("w:tbl"):
                break
            previous = previous.getprevious()
    issued = datetime.combine(data.issued_on, time(0, 0))
    props = document.core_properties
    props.title = data.full_title
    props.subject = data.subject
    props.author = props.last_modified_by = data.issuer
    props.created = props.modified = issued
    props.language = "vi-VN"
    props.keywords = data.number_line or ""
    props.comments = "Dự thảo" if data.draft else ""


def render(kind: str, fmt: str, data: DocumentData, *, template_dirs: Sequence[Path] = ()) -> bytes:
    """The document as bytes: UTF-8 HTML, PDF or DOCX. `kind` must be `data.kind`."""
    spec_of(kind)
    check_format(fmt)
    if data.kind != kind:
        raise ValueError(f"data was built for {data.kind!r}, not {kind!r}")
    if fmt == "html":
        return render_html(data, template_dirs=template_dirs).encode("utf-8")
    if fmt == "pdf":
        return render_pdf(data, template_dirs=template_dirs)
    return render_docx(data, template_dirs=template_dirs)
