"""What a spreadsheet may make the importer read is bounded whatever the file claims: a sheet
whose declared dimension is `A1:XFD8001` (16,384 columns) is read no wider than its header (at
most `MAX_COLUMNS`), a dimension claiming a million rows adds none, a cell far to the right or a
CSV row of 100,000 fields is cut at the cap, and a workbook that unpacks to more than
`XLSX_UNPACKED_MAX` is refused before it is parsed. Counts of cells, not timings."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

import services.intake.importer as importer
from services.demo.seed import demo_commune
from services.intake.importer import MAX_COLUMNS, Importer, ImportFileRejected, read_table

TOPICS = frozenset(range(7))
HEADER = ["Ấp", "Loại", "Nội dung"]


def row_text(i: int) -> list[str]:
    return ["ấp Chợ", "kiến nghị", f"Kiến nghị số {i}: đường liên ấp xuống cấp, đề nghị xã sửa chữa."]


def workbook(rows: list[list[object]]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def patched(content: bytes, change) -> bytes:
    """The workbook with its first sheet's XML passed through `change` (bytes -> bytes)."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = change(data)
            target.writestr(info, data)
    return out.getvalue()


def claiming(ref: str):
    def change(xml: bytes) -> bytes:
        changed, n = re.subn(rb'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>'.encode(), xml)
        assert n == 1
        return changed

    return change


def test_a_sheet_claiming_16384_columns_is_read_no_wider_than_its_header():
    rows = 400
    content = patched(workbook([HEADER] + [row_text(i) for i in range(rows)]), claiming(f"A1:XFD{rows + 1}"))
    table = read_table("hop.xlsx", content, 20_000)
    assert len(table) == rows + 1
    assert max(len(r) for r in table) <= len(HEADER)  # was 16,384 cells a row
    result = Importer(demo_commune(), TOPICS).read("hop.xlsx", content)
    assert (result.total, len(result.rows), result.errors) == (rows, rows, ())


def test_a_dimension_claiming_a_million_rows_adds_no_empty_rows():
    content = patched(workbook([HEADER] + [row_text(i) for i in range(5)]), claiming("A1:XFD1048576"))
    table = read_table("hop.xlsx", content, 50)  # was refused: 'more than 50 rows' of padding
    assert len(table) == 6 and max(len(r) for r in table) <= len(HEADER)


def test_cells_beyond_the_cap_are_never_read_in_a_wide_header_or_far_right():
    wide = HEADER + [f"Cột {i}" for i in range(100)]

    def far_cell(xml: bytes) -> bytes:  # every row gets a cell in the sheet's last column
        return re.sub(
            rb'(<row r="(\d+)"[^>]*>.*?)</row>',
            rb'\1<c r="XFD\2" t="inlineStr"><is><t>x</t></is></c></row>',
            xml,
            flags=re.S,
        )

    content = patched(workbook([wide, row_text(1)]), far_cell)
    table = read_table("hop.xlsx", content, 100)
    assert len(table) == 2 and max(len(r) for r in table) == MAX_COLUMNS
    assert table[0][: len(HEADER)] == HEADER and table[1][:3] == row_text(1)


def test_a_csv_row_of_100000_fields_is_cut_at_the_cap():
    content = ("Nội dung" + "," * 100_000 + "\nĐường liên ấp xuống cấp\n").encode()
    table = read_table("hop.csv", content, 100)
    assert [len(r) for r in table] == [MAX_COLUMNS, 1]


def test_a_workbook_unpacking_beyond_the_limit_is_refused_before_it_is_parsed(monkeypatch):
    content = workbook([HEADER] + [row_text(i) for i in range(50)])
    monkeypatch.setattr(importer, "XLSX_UNPACKED_MAX", 5_000)
    parsed: list[bool] = []
    import openpyxl

    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: parsed.append(True))
    with pytest.raises(ImportFileRejected) as refused:
        read_table("hop.xlsx", content, 100)
    assert "giải nén" in refused.value.vi and parsed == []


def test_rows_beyond_the_limit_refuse_the_file_in_xlsx_too():
    content = workbook([HEADER] + [row_text(i) for i in range(11)])
    with pytest.raises(ImportFileRejected) as refused:
        read_table("hop.xlsx", content, 10)
    assert "hơn 10 dòng" in refused.value.vi
    assert len(read_table("hop.xlsx", content, 11)) == 12


def test_the_template_header_width_is_read_whole():
    header = [get_column_letter(i) for i in range(1, MAX_COLUMNS + 1)]
    header[5] = "Nội dung"
    table = read_table("a.xlsx", workbook([header, ["x"] * MAX_COLUMNS]), 10)
    assert [len(r) for r in table] == [MAX_COLUMNS, MAX_COLUMNS]
