"""The CSV/XLSX importer (pure): header wordings, encodings, per-row errors, and a property test:
whatever rows a spreadsheet holds, every non-empty row ends up either imported or reported
with its row number, in CSV and in XLSX alike, and the importer never raises on a row."""

from __future__ import annotations

import csv
import io
import string
import unicodedata
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from services.demo.seed import demo_commune
from services.intake.importer import Importer, ImportFileRejected, map_header, read_table
from services.intake.web.staff.imports import template_csv, template_xlsx
from shared.contracts import Kind, Organisation, Source

COMMUNE = demo_commune()
TOPICS = frozenset(range(7))
ROAD = "Đường vào chợ ngập nước mỗi khi mưa, đề nghị xã nạo vét cống."


def as_csv(rows: list[list[str]], delimiter: str = ",") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return out.getvalue().encode("utf-8")


def as_xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    for row in rows:
        workbook.active.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_headers_are_recognised_with_or_without_diacritics_in_any_order():
    assert map_header(["Noi dung", "AP", "Ho va ten", "SĐT", "Loại"]) == {
        "text": 0,
        "hamlet": 1,
        "name": 2,
        "phone": 3,
        "kind": 4,
    }
    with pytest.raises(ImportFileRejected) as refused:
        map_header(["Ấp", "Họ tên"])
    assert "Nội dung" in refused.value.vi


def test_good_rows_become_submissions_and_bad_rows_are_reported_with_number_and_column():
    rows = [
        ["Ấp", "Loại", "Nội dung", "Họ tên", "Điện thoại", "Lĩnh vực", "Đoàn thể"],
        ["ap Can Cu", "phan anh", ROAD, "Lê Thị Tám", "0912 345 678", "3", ""],
        ["ấp Không Có", "kiến nghị", ROAD, "", "", "", ""],
        ["", "", "", "", "", "", ""],  # empty: skipped, not an error
        ["ấp Chợ", "than phiền", "ngắn", "", "gọi tôi", "9", "Hội Bóng đá"],
        ["ấp Chợ", "", ROAD, "", "", "", "Hội Nông dân"],
    ]
    result = Importer(COMMUNE, TOPICS).read("hop.csv", as_csv(rows))
    assert result.total == 4 and [r.row for r in result.rows] == [2, 6]
    first, farmers = result.rows
    assert (
        first.submission.hamlet == "ap Can Cu"
        and first.submission.kind is Kind.COMPLAINT
        and first.topic_hint == 3
    )
    assert first.submission.source is Source.HAMLET_PARTY_CELL and first.submission.contact == "0912 345 678"
    assert farmers.submission.kind is Kind.OPINION and farmers.submission.source is Source.MASS_ORGANISATION
    assert farmers.submission.organisation is Organisation.FARMERS_UNION
    errors = {(e.row, e.column) for e in result.errors}
    assert errors == {
        (3, "hamlet"),
        (5, "kind"),
        (5, "organisation"),
        (5, "topic"),
        (5, "phone"),
        (5, "text"),
    }
    assert all(e.reason and e.column_label for e in result.errors)


def test_a_hamlet_cell_enters_its_own_hamlet_only_and_a_blank_hamlet_is_its_own():
    rows = [["Nội dung", "Ấp"], [ROAD, ""], [ROAD, "ấp Căn Cứ"]]
    result = Importer(COMMUNE, TOPICS, only_hamlet="ấp Chợ").read("a.csv", as_csv(rows))
    assert [r.submission.hamlet for r in result.rows] == ["ấp Chợ"]
    assert [(e.row, e.column) for e in result.errors] == [(3, "hamlet")]


def cp1258(text: str) -> bytes:
    """Windows-1258 as old Vietnamese Excel writes it: a base letter (â, ơ, …) then the tone mark."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out += (base + "".join(c for c in parts if c in tones)).encode("cp1258")
    return out


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "cp1258"])
def test_csv_in_the_encodings_excel_writes(encoding):
    text = "Nội dung;Ấp\n" + ROAD.replace(",", "") + ";ấp Chợ\n"
    result = Importer(COMMUNE, TOPICS).read(
        "a.csv", cp1258(text) if encoding == "cp1258" else text.encode(encoding)
    )
    assert len(result.rows) == 1 and result.rows[0].submission.text == ROAD.replace(
        ",", ""
    )  # NFC after decoding


def test_files_that_cannot_be_read_are_refused_whole():
    for name, content in (("a.pdf", b"%PDF-1.7"), ("a.xlsx", b"PK\x03\x04 broken zip"), ("a.csv", b"")):
        with pytest.raises(ImportFileRejected):
            Importer(COMMUNE, TOPICS).read(name, content)
    with pytest.raises(ImportFileRejected):
        read_table("big.csv", as_csv([["Nội dung"]] + [[ROAD]] * 11), max_rows=10)


def _damaged(part: str, how: str) -> bytes:
    """A good workbook with `part` cut in half (`cut`) or replaced by bytes that are not XML."""
    source = zipfile.ZipFile(io.BytesIO(as_xlsx([["Nội dung", "Ấp"], [ROAD, "ấp Chợ"]])))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == part:
                data = data[: len(data) // 2] if how == "cut" else b"\x00\xff not xml"
            target.writestr(info, data)
    return out.getvalue()


@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/workbook.xml", "xl/styles.xml"])
@pytest.mark.parametrize("how", ["cut", "garbage"])
def test_a_damaged_workbook_is_refused_whole_in_vietnamese(part, how):
    """An outside probe got a 500 from /staff/nhap with a sheet or the workbook part cut in half."""
    with pytest.raises(ImportFileRejected) as refused:
        Importer(COMMUNE, TOPICS).read("a.xlsx", _damaged(part, how))
    assert "Không đọc được tệp Excel" in refused.value.vi


def test_a_utf16_csv_cut_short_is_refused_not_a_crash():
    """UTF-16 with an odd number of bytes (a file cut short): was an uncaught UnicodeDecodeError."""
    with pytest.raises(ImportFileRejected) as refused:
        Importer(COMMUNE, TOPICS).read("a.csv", b"\xff\xfeA")
    assert "UTF-8" in refused.value.vi


def test_the_template_files_read_back_as_one_good_row():
    for name, content in (("mau.csv", template_csv()), ("mau.xlsx", template_xlsx())):
        result = Importer(COMMUNE, TOPICS).read(name, content)
        assert len(result.rows) == 1 and not result.errors, name


def test_xlsx_numbers_are_read_as_text():
    result = Importer(COMMUNE, TOPICS).read(
        "a.xlsx", as_xlsx([["Nội dung", "Điện thoại", "Lĩnh vực"], [ROAD, 912345678, 3]])
    )
    assert result.rows[0].submission.contact == "912345678" and result.rows[0].topic_hint == 3


HAMLETS = [h.name for h in COMMUNE.hamlets] + ["", "ấp Không Có", "ap cho"]
cells = st.text(
    alphabet=st.sampled_from(
        string.ascii_letters + string.digits + " ,;\"'\n.-àáạảãăằắâầđêếôồơờưừýỹ" + "\u0301"
    ),
    max_size=40,
)
texts = st.one_of(st.just(""), st.just(ROAD), cells)
rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(HAMLETS),
        st.sampled_from(["", "ý kiến", "kien nghi", "phản ánh", "khác"]),
        texts,
        st.one_of(st.just(""), cells),
        st.sampled_from(["", "0912 345 678", "12", "abc"]),
        st.sampled_from(["", "3", "0", "99", "x"]),
    ),
    max_size=25,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=rows_strategy, fmt=st.sampled_from(["csv", "xlsx"]))
def test_every_non_empty_row_is_imported_or_reported_and_csv_and_xlsx_agree(rows, fmt):
    table = [["Ấp", "Loại", "Nội dung", "Họ tên", "Điện thoại", "Lĩnh vực"]] + [list(r) for r in rows]
    content = as_csv(table) if fmt == "csv" else as_xlsx(table)
    result = Importer(COMMUNE, TOPICS).read(f"f.{fmt}", content)
    reported = {e.row for e in result.errors}
    imported = {r.row for r in result.rows}
    assert not reported & imported
    non_empty = {n for n, r in enumerate(rows, start=2) if any(c.strip() for c in r)}
    assert imported | reported == non_empty and result.total == len(non_empty)
    for row in result.rows:
        assert 5 <= len(row.submission.text) and row.submission.text == row.submission.text.strip()
    other = Importer(COMMUNE, TOPICS).read(
        "g.xlsx" if fmt == "csv" else "g.csv", as_xlsx(table) if fmt == "csv" else as_csv(table)
    )
    assert [(r.row, r.submission) for r in other.rows] == [(r.row, r.submission) for r in result.rows]
