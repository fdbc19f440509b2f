"""Render a `DocumentData` to HTML, PDF or DOCX bytes.

- HTML: Jinja2 (autoescape, StrictUndefined) from the kind's ``templates/documents/<kind>.html``, which
  extends the shared ``base.html`` (header, number, date line, title, signature, Nơi nhận).
- PDF: WeasyPrint from that HTML: A4, margins 20/15/20/30 mm (top/right/bottom/left), the
  bundled Tinos fonts (Times New Roman metrics, full Vietnamese) loaded by ``@font-face`` from
  file URLs, so no system font is needed.
- DOCX: docxtpl from ``templates/documents/<kind>.docx`` (made by
  ``scripts/make_docx_templates.py``); charts become `InlineImage`s.

`template_dirs` are searched first, so a commune overrides ``base.html``, one kind's
``.html`` or its ``.docx`` by placing a file of the same name in its own folder.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, StrictUndefined

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


def render_html(data: DocumentData, *, template_dirs: Sequence[Path] = ()) -> str:
    env = _environment(tuple(_dirs(template_dirs)))
    return env.get_template(spec_of(data.kind).html_template).render(d=data, fonts_url=FONTS_URL)


@lru_cache(maxsize=1)
def _font_config() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_pdf(data: DocumentData, *, template_dirs: Sequence[Path] = ()) -> bytes:
    from weasyprint import HTML

    html = render_html(data, template_dirs=template_dirs)
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


def _docx_environment() -> Environment:
    env = Environment(undefined=StrictUndefined, autoescape=True)
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
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


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
