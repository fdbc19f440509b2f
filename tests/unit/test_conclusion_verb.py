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

from services.demo.seed import demo_commune
from services.reporting.documents import render
from services.reporting.documents.assignee import DEFAULT_TASK, Task, assigned_task, bodies
from tests.unit.test_notice_spacing import concluded

KIND = "thong-bao-ket-luan"
TEXT = "Giao UBND xã kiểm tra, sửa chữa tuyến đường trước 30/6"


BODIES = bodies(demo_commune())
UBND = "Ủy ban nhân dân xã"
ROADS = "Giao thông nông thôn cần được nâng cấp"
CONCLUSION = re.compile(r'<p class="conclusion"[^>]*>(.*?)</p>', re.S)


@pytest.mark.parametrize(
    ("typed", "office", "printed", "named"),
    [
        # the head names another body: dropped, the assignment names the office once
        (TEXT, "Phòng Kinh tế", "kiểm tra, sửa chữa tuyến đường trước 30/6", "UBND xã"),
        ("GIAO Công an xã lập lại trật tự", "Phòng Kinh tế", "lập lại trật tự", "Công an xã"),
        ("  Giao cho UBND xã kiểm tra", "Phòng Kinh tế", "kiểm tra", "UBND xã"),
        ("giao ubnd xa kiem tra", "Phòng Kinh tế", "kiem tra", "UBND xã"),  # typed without diacritics
        # the head names the assigned office (with its coordinating offices): dropped, nothing to report
        ("giao Phòng Kinh tế rà soát", "Phòng Kinh tế", "rà soát", ""),
        ("giao văn phòng HĐND và UBND tổng hợp", "Văn phòng HĐND và UBND", "tổng hợp", ""),
        (
            "Giao Phòng Kinh tế chủ trì, phối hợp Công an xã và Văn phòng HĐND và UBND lắp biển báo",
            "Phòng Kinh tế",
            "lắp biển báo",
            "",
        ),
        ("Phòng Kinh tế khảo sát, lập dự toán", "Phòng Kinh tế", "khảo sát, lập dự toán", ""),
        ("Giao Phòng Kinh tế", "Phòng Kinh tế", DEFAULT_TASK, ""),
        (
            unicodedata.normalize("NFD", "Giao Ủy ban nhân dân xã"),
            "Công an xã",
            DEFAULT_TASK,
            "Ủy ban nhân dân xã",
        ),
        # "giao" that is not the assigning verb, or a body the commune does not know
        (
            "Giao thông nông thôn cần được nâng cấp",
            "Phòng Kinh tế",
            "Giao thông nông thôn cần được nâng cấp",
            "",
        ),
        ("Giao đất tái định cư cho 5 hộ", "Phòng Kinh tế", "Giao đất tái định cư cho 5 hộ", ""),
        ("Giao ban hằng tháng với các ấp", "Phòng Kinh tế", "Giao ban hằng tháng với các ấp", ""),
        ("Giao Ban quản lý chợ kiểm tra", "Phòng Kinh tế", "Ban quản lý chợ kiểm tra", ""),
        ("UBND xã chỉ đạo khảo sát", "Phòng Kinh tế", "UBND xã chỉ đạo khảo sát", ""),
        ("Giaoviệc", "Phòng Kinh tế", "Giaoviệc", ""),
        ("Giao", "Phòng Kinh tế", "Giao", ""),
        ("Rà soát, công khai quy hoạch", "Phòng Kinh tế", "Rà soát, công khai quy hoạch", ""),
        ("", "Phòng Kinh tế", "", ""),
    ],
)
def test_assigned_task(typed: str, office: str, printed: str, named: str) -> None:
    assert assigned_task(typed, office, BODIES) == Task(unicodedata.normalize("NFC", printed), named)


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
        p
        for p in re.findall(r'<p class="conclusion"[^>]*>(.*?)</p>', html, re.S)
        if "kiểm tra, sửa chữa" in p
    ]
    assert _giao(re.sub(r"<[^>]+>", "", paragraph)) == 1, paragraph
    document = Document(io.BytesIO(render(KIND, "docx", data)))
    [line] = [p.text for p in document.paragraphs if "kiểm tra, sửa chữa" in p.text]
    assert _giao(line) == 1, line
    assert line.startswith(f"{issue.number}. ") and "chủ trì: kiểm tra, sửa chữa" in line
    assert "UBND xã" not in line, line  # the assignment names one body, the one assigned


def test_the_notice_keeps_a_text_where_giao_is_not_the_verb() -> None:
    _, data = _concluded(KIND, "Giao thông nông thôn cần được nâng cấp")
    html = render(KIND, "html", data).decode()
    assert "chủ trì: Giao thông nông thôn cần được nâng cấp." in re.sub(r"<[^>]+>", "", html)


def test_the_minutes_say_giao_once() -> None:
    _, data = _concluded("bien-ban", TEXT)
    assert data.minutes is not None
    [line] = [c for c in data.minutes.conclusion if "kiểm tra, sửa chữa" in c]
    assert _giao(line) == 1 and "chủ trì: kiểm tra, sửa chữa tuyến đường trước 30/6; thời hạn" in line, line
