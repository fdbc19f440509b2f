"""Summary report charts are drawn when a format needs them, once per format: the HTML (and the
PDF made from it) draws only the SVG, the DOCX only the PNG."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

from services.demo.documents import demo_dataset
from services.reporting.documents import build_data, render
from services.reporting.documents.model import Chart, DocumentData

KIND = "bao-cao-tong-hop"


def _recording(data: DocumentData) -> tuple[DocumentData, list[tuple[str, str]]]:
    drawn: list[tuple[str, str]] = []

    def spy(name: str, draw: Callable[[str], bytes]) -> Callable[[str], bytes]:
        def recorded(fmt: str) -> bytes:
            drawn.append((name, fmt))
            return draw(fmt)

        return recorded

    charts = tuple(Chart(c.name, c.title, spy(c.name, c.draw)) for c in data.charts)
    return replace(data, charts=charts), drawn


def _report() -> DocumentData:
    commune, dialogue, items, _ = demo_dataset()
    return build_data(KIND, commune, dialogue, items, number=3, issued_on=date(2017, 4, 5))


def test_html_draws_each_chart_once_as_svg_only() -> None:
    data, drawn = _recording(_report())
    assert data.charts and drawn == []  # building draws nothing
    html = render(KIND, "html", data).decode("utf-8")
    assert sorted(drawn) == sorted((c.name, "svg") for c in data.charts)
    assert html.count("data:image/svg+xml;base64,") == len(data.charts)
    render(KIND, "html", data)
    assert len(drawn) == len(data.charts)  # drawn once, kept for the next format


def test_docx_draws_png_only() -> None:
    data, drawn = _recording(_report())
    docx = render(KIND, "docx", data)
    assert docx[:2] == b"PK"
    assert sorted(drawn) == sorted((c.name, "png") for c in data.charts)
    assert all(c.png.startswith(b"\x89PNG") for c in data.charts)
    assert len(drawn) == len(data.charts)
