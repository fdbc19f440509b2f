"""A conclusion the Secretary typed as an assignment ("Giao UBND xã kiểm tra…") is printed after
the documents' own "Giao <office> chủ trì…:" without its verb a second time, in the conclusion
notice (HTML, DOCX) and in the minutes; a conclusion where "giao" is not the assigning verb
("Giao thông…", "Giao đất…") is printed as typed."""

from __future__ import annotations

import io
import re
import unicodedata

import pytest
from docx import Document

from services.reporting.documents import render
from services.reporting.documents.record import assigned_task
from tests.unit.test_notice_spacing import concluded

KIND = "thong-bao-ket-luan"
TEXT = "Giao UBND xã kiểm tra, sửa chữa tuyến đường trước 30/6"


@pytest.mark.parametrize(
    ("typed", "printed"),
    [
        (TEXT, "UBND xã kiểm tra, sửa chữa tuyến đường trước 30/6"),
        ("giao Phòng Kinh tế rà soát", "Phòng Kinh tế rà soát"),
        ("GIAO Công an xã lập lại trật tự", "Công an xã lập lại trật tự"),
        ("  Giao cho UBND xã kiểm tra", "UBND xã kiểm tra"),
        ("giao ubnd xa kiem tra", "ubnd xa kiem tra"),  # typed without diacritics
        ("giao văn phòng HĐND và UBND tổng hợp", "văn phòng HĐND và UBND tổng hợp"),
        (unicodedata.normalize("NFD", "Giao Ủy ban nhân dân xã"), "Ủy ban nhân dân xã"),
        ("Giao thông nông thôn cần được nâng cấp", "Giao thông nông thôn cần được nâng cấp"),
        ("Giao đất tái định cư cho 5 hộ", "Giao đất tái định cư cho 5 hộ"),
        ("Giao ban hằng tháng với các ấp", "Giao ban hằng tháng với các ấp"),
        ("Giaoviệc", "Giaoviệc"),
        ("Giao", "Giao"),
        ("Rà soát, công khai quy hoạch", "Rà soát, công khai quy hoạch"),
        ("", ""),
    ],
)
def test_assigned_task(typed: str, printed: str) -> None:
    assert assigned_task(typed) == unicodedata.normalize("NFC", printed)


def _concluded(kind: str, text: str):
    conclusion = {"kind": "assigned", "text": text, "office_id": "phong-kinh-te", "deadline_working_days": 15}
    return concluded(conclusion, kind)


def _giao(line: str) -> int:
    return len(re.findall(r"\bgiao\b", line, re.IGNORECASE))


def test_the_notice_says_giao_once() -> None:
    key, data = _concluded(KIND, TEXT)
    assert data.notice is not None
    [issue] = [c for c in data.notice.conclusions if c.key == key]
    html = render(KIND, "html", data).decode()
    [paragraph] = [
        p for p in re.findall(r'<p class="conclusion"[^>]*>(.*?)</p>', html, re.S) if "UBND xã kiểm tra" in p
    ]
    assert _giao(re.sub(r"<[^>]+>", "", paragraph)) == 1, paragraph
    document = Document(io.BytesIO(render(KIND, "docx", data)))
    [line] = [p.text for p in document.paragraphs if "UBND xã kiểm tra" in p.text]
    assert _giao(line) == 1, line
    assert line.startswith(f"{issue.number}. ") and "chủ trì: UBND xã kiểm tra, sửa chữa" in line


def test_the_notice_keeps_a_text_where_giao_is_not_the_verb() -> None:
    _, data = _concluded(KIND, "Giao thông nông thôn cần được nâng cấp")
    html = render(KIND, "html", data).decode()
    assert "chủ trì: Giao thông nông thôn cần được nâng cấp." in re.sub(r"<[^>]+>", "", html)


def test_the_minutes_say_giao_once() -> None:
    _, data = _concluded("bien-ban", TEXT)
    assert data.minutes is not None
    [line] = [c for c in data.minutes.conclusion if "UBND xã kiểm tra" in c]
    assert (
        _giao(line) == 1 and "chủ trì: UBND xã kiểm tra, sửa chữa tuyến đường trước 30/6; thời hạn" in line
    ), line
