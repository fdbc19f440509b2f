"""A conclusion that opens with the verb the documents' own wording puts before it is printed in
place of that wording, not after it. Seen from outside: the notice's section III printed
"Đã được trả lời tại hội nghị: Đã trả lời…" and the minutes "kiến nghị Sở…: Kiến nghị Sở…", as
clerks naturally type the verb themselves. Compared folded (`shared.text.fold`), as the rule for
"Giao" is (`record.assigned_task`, tests/unit/test_conclusion_verb.py)."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from docx import Document

from services.demo.documents import demo_dataset
from services.reporting.documents import build_data, render
from services.reporting.documents.model import opens_with_lead
from shared.text import fold
from tests.unit.test_notice_spacing import concluded

NOTICE = "thong-bao-ket-luan"
MINUTES = "bien-ban"
BODY = "Sở Giao thông vận tải"


@pytest.mark.parametrize(
    ("text", "kind", "opens"),
    [
        ("Đã trả lời: xã nạo vét trong quý II", "answered", True),
        ("Đã được trả lời tại hội nghị, xã nạo vét", "answered", True),
        ("ĐÃ TRẢ LỜI TẠI HỘI NGHỊ", "answered", True),
        ("da tra loi, xa nao vet", "answered", True),  # typed without diacritics
        (unicodedata.normalize("NFD", "Đã trả lời xong"), "answered", True),
        ("  đã trả lời.", "answered", True),
        ("Đã trả lời", "answered", True),
        ("Đã trả lờii", "answered", False),
        ("Xã sẽ nạo vét; đã trả lời", "answered", False),
        ("Kiến nghị Sở Giao thông vận tải sửa đường", "recommended", True),
        ("kien nghi tinh bo tri von", "recommended", True),
        ("Đề nghị tỉnh bố trí vốn", "recommended", False),
        ("Kiến nghị Sở Xây dựng", "answered", False),
        ("Kiến nghị Sở Xây dựng", "assigned", False),
        ("Không đặt ra việc giải quyết vì đã có dự án", "no_action", True),
        ("Đã có dự án", "no_action", False),
        ("", "answered", False),
    ],
)
def test_opens_with_lead(text: str, kind: str, opens: bool) -> None:
    assert opens_with_lead(text, kind) is opens


def _closed_paragraphs(key: str, data) -> tuple[str, list[str]]:
    """The issue's paragraph in the notice's HTML and its paragraph in the DOCX."""
    [issue] = [c for c in data.notice.closed if c.key == key]
    html = render(NOTICE, "html", data).decode()
    [paragraph] = re.findall(rf'<p class="closed" data-number="{issue.number}">(.*?)</p>', html, re.S)
    start = f"{issue.number}. Ý kiến của"
    docx = [p.text for p in Document(io.BytesIO(render(NOTICE, "docx", data))).paragraphs]
    return paragraph, [p for p in docx if p.startswith(start)]


def test_an_answer_that_says_so_itself_is_printed_once() -> None:
    key, data = concluded({"kind": "answered", "text": "Đã trả lời: xã nạo vét cống trong quý II"})
    html, docx = _closed_paragraphs(key, data)
    for paragraph in [html, *docx]:
        assert "Đã trả lời: xã nạo vét cống trong quý II. Nội dung này kết thúc tại hội nghị." in paragraph
        assert fold(paragraph).count("tra loi") == 1, paragraph
    assert len(docx) == 1


def test_an_answer_that_does_not_keeps_the_wording() -> None:
    key, data = concluded({"kind": "answered", "text": "xã nạo vét cống trong quý II"})
    html, [docx] = _closed_paragraphs(key, data)
    expected = (
        "Đã được trả lời tại hội nghị: xã nạo vét cống trong quý II. Nội dung này kết thúc tại hội nghị."
    )
    assert expected in html and expected in docx


def test_a_reason_that_says_so_itself_is_printed_once() -> None:
    reason = "không đặt ra việc giải quyết vì tuyến đường đã có dự án"
    key, data = concluded({"kind": "no_action", "reason": reason})
    html, [docx] = _closed_paragraphs(key, data)
    for paragraph in (html, docx):
        assert "Không đặt ra việc giải quyết vì tuyến đường đã có dự án." in paragraph
        assert fold(paragraph).count("khong dat ra") == 1, paragraph


def _minutes_line(conclusion: dict) -> str:
    key, notice = concluded(conclusion)
    commune, dialogue, items, _ = demo_dataset()
    data = build_data(
        MINUTES,
        commune,
        dialogue,
        items,
        number=1,
        issued_on=notice.issued_on,
        meeting={"conclusions": {key: conclusion}},
    )
    assert data.minutes is not None
    [line] = [line for line in data.minutes.conclusion if line[:1].isdigit()]
    html = render(MINUTES, "html", data).decode()
    assert line in html.replace("&#34;", '"')
    return line


@pytest.mark.parametrize(
    ("conclusion", "said", "verb"),
    [
        (
            {"kind": "recommended", "higher_body": BODY, "text": f"Kiến nghị {BODY} sửa chữa đường tỉnh"},
            f"”: kiến nghị {BODY} sửa chữa đường tỉnh.",
            "kien nghi",
        ),
        (
            {"kind": "recommended", "higher_body": BODY, "text": "Kiến nghị tỉnh bố trí vốn"},
            f"”: kiến nghị tỉnh bố trí vốn. Thẩm quyền: {BODY}.",
            "kien nghi",
        ),
        (
            {"kind": "recommended", "higher_body": BODY, "text": "Sửa chữa đường tỉnh"},
            f"”: kiến nghị {BODY}: Sửa chữa đường tỉnh.",
            "kien nghi",
        ),
        (
            {"kind": "answered", "text": "Đã trả lời: xã nạo vét trong quý II"},
            "”: đã trả lời: xã nạo vét trong quý II.",
            "tra loi",
        ),
        (
            {"kind": "no_action", "reason": "Không đặt ra việc giải quyết vì đã có dự án"},
            "”: không đặt ra việc giải quyết vì đã có dự án.",
            "khong dat ra",
        ),
    ],
)
def test_the_minutes_say_the_verb_once(conclusion: dict, said: str, verb: str) -> None:
    line = _minutes_line(conclusion)
    assert line.endswith(said), line
    assert fold(line).count(verb) == 1, line
