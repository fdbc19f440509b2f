"""Reading a hamlet meeting's opinions from a CSV or XLSX file (pure: bytes in, rows out).

A hamlet party cell or the Front collects opinions at a meeting and types them into a
spreadsheet. The first row names the columns; the names may be written with or without
diacritics, in any order, and in a few usual wordings (see `COLUMNS`). Only "Nội dung" is
required. Each later row is one opinion; an empty row is skipped.

Every row is checked on its own and gets either a `SubmissionIn` or the reasons it was refused
(row number as the spreadsheet shows it, the column, the reason in Vietnamese). A bad row never
stops the others. The file as a whole is refused (`ImportFileRejected`) only when it cannot be
read at all: not CSV/XLSX, no "Nội dung" column, too many rows.

What is read is bounded whatever the file claims: the first `MAX_COLUMNS` columns of each row
(the template has six; of an XLSX, only as many as its header row names), at most `max_rows`
rows after the header (empty rows count: they are read too), and a workbook whose parts unpack
to more than `XLSX_UNPACKED_MAX` bytes is refused before any of it is parsed. An XLSX sheet's
declared size (`<dimension ref="A1:XFD8001"/>`) is ignored: openpyxl would pad every row to
the 16,384 columns it claims.

CSV: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1258 (older Vietnamese Excel);
the delimiter is whichever of `,` `;` tab the header row uses most.
"""

from __future__ import annotations

import csv
import io
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from services.intake.logic import SubmissionRejected, resolve_hamlet, valid_phone
from services.intake.schemas import TEXT_MAX, SubmissionIn, clean_text
from shared.contracts import Kind, Organisation, Source
from shared.directory import Commune
from shared.phone import PHONE_VI
from shared.text import fold

# Column key -> the folded header wordings that name it.
COLUMNS: dict[str, tuple[str, ...]] = {
    "hamlet": ("ap", "ten ap", "ap/khu pho", "thon", "khu pho", "hamlet"),
    "kind": ("loai", "loai y kien", "hinh thuc", "kind"),
    "text": (
        "noi dung",
        "noi dung y kien",
        "y kien",
        "y kien, kien nghi",
        "noi dung y kien, kien nghi",
        "text",
    ),
    "name": ("ho ten", "ho va ten", "nguoi gui", "ten nguoi gui", "name"),
    "phone": ("dien thoai", "so dien thoai", "sdt", "lien he", "phone", "contact"),
    "topic": ("linh vuc", "chu de", "noi dung goi y", "nhom noi dung", "topic"),
    "organisation": ("doan the", "to chuc", "don vi", "organisation"),
}
# What staff read in the error report.
COLUMN_LABELS_VI = {
    "hamlet": "Ấp",
    "kind": "Loại",
    "text": "Nội dung",
    "name": "Họ tên",
    "phone": "Điện thoại",
    "topic": "Lĩnh vực",
    "organisation": "Đoàn thể",
    "_row": "Cả dòng",
}
TEMPLATE_HEADER = ("Ấp", "Loại", "Nội dung", "Họ tên", "Điện thoại", "Lĩnh vực")
TEMPLATE_EXAMPLE = (
    "ấp Chợ",
    "kiến nghị",
    "Đường vào chợ ngập nước mỗi khi mưa, đề nghị xã nạo vét cống.",
    "",
    "",
    "3",
)

KINDS: dict[str, Kind] = {
    "": Kind.OPINION,
    "y kien": Kind.OPINION,
    "opinion": Kind.OPINION,
    "kien nghi": Kind.PETITION,
    "petition": Kind.PETITION,
    "de nghi": Kind.PETITION,
    "phan anh": Kind.COMPLAINT,
    "complaint": Kind.COMPLAINT,
}
ORGANISATIONS: dict[str, Organisation] = {
    "hoi lien hiep phu nu": Organisation.WOMENS_UNION,
    "hoi phu nu": Organisation.WOMENS_UNION,
    "phu nu": Organisation.WOMENS_UNION,
    "hoi nong dan": Organisation.FARMERS_UNION,
    "nong dan": Organisation.FARMERS_UNION,
    "hoi cuu chien binh": Organisation.VETERANS_ASSOCIATION,
    "cuu chien binh": Organisation.VETERANS_ASSOCIATION,
    "doan thanh nien": Organisation.YOUTH_UNION,
    "doan tncs ho chi minh": Organisation.YOUTH_UNION,
    "thanh nien": Organisation.YOUTH_UNION,
}
FRONT = frozenset({"mat tran", "mat tran to quoc", "ubmttq", "uy ban mat tran to quoc"})
_CELL_LIMIT = 6000
MAX_COLUMNS = 64  # columns A..BL of each row; the columns of `COLUMNS` sit among them
XLSX_UNPACKED_MAX = 60_000_000  # bytes of XML a workbook may unpack to (a 5 MB upload is ~10-20 MB)


class ImportFileRejected(ValueError):
    """The whole file cannot be read; `vi` is what staff read."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # a key of COLUMN_LABELS_VI
    reason: str  # Vietnamese

    @property
    def column_label(self) -> str:
        return COLUMN_LABELS_VI.get(self.column, self.column)


@dataclass(frozen=True)
class ImportRow:
    row: int
    submission: SubmissionIn
    topic_hint: int | None = None


@dataclass(frozen=True)
class ImportResult:
    rows: tuple[ImportRow, ...]
    errors: tuple[RowError, ...]
    total: int  # non-empty data rows
    columns: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Importer:
    """The rules of one import: whose commune, which topics exist, who enters it."""

    commune: Commune
    topic_numbers: frozenset[int]
    source: Source = Source.HAMLET_PARTY_CELL
    only_hamlet: str | None = None  # a hamlet cell enters its own hamlet's opinions only
    # a mass organisation's account enters its own members' opinions only (source mass_organisation)
    only_organisation: Organisation | None = None
    max_rows: int = 20_000

    def read(self, filename: str, content: bytes) -> ImportResult:
        table = read_table(filename, content, self.max_rows)
        return self.check(table)

    def check(self, table: Sequence[Sequence[str]]) -> ImportResult:
        if not table:
            raise ImportFileRejected("Tệp trống: không có dòng tiêu đề nào.", "The file is empty.")
        columns = map_header(table[0])
        rows: list[ImportRow] = []
        errors: list[RowError] = []
        total = 0
        for number, cells in enumerate(table[1:], start=2):
            values = {key: cell(cells, index) for key, index in columns.items()}
            if not any(values.values()):
                continue
            total += 1
            outcome = self.check_row(number, values)
            if isinstance(outcome, ImportRow):
                rows.append(outcome)
            else:
                errors.extend(outcome)
        return ImportResult(tuple(rows), tuple(errors), total, tuple(columns))

    def check_row(self, number: int, values: dict[str, str]) -> ImportRow | list[RowError]:
        errors: list[RowError] = []

        def refuse(column: str, reason: str) -> None:
            errors.append(RowError(number, column, reason))

        kind = KINDS.get(fold(values.get("kind", "")))
        if kind is None:
            refuse(
                "kind",
                f"Loại “{values['kind']}” không hợp lệ: ghi “ý kiến”, “kiến nghị” hoặc “phản ánh” (để trống "
                "là ý kiến).",
            )
        source, organisation = self.source, None
        written_org = fold(values.get("organisation", ""))
        if written_org:
            if written_org in FRONT:
                source = Source.FATHERLAND_FRONT
            elif written_org in ORGANISATIONS:
                source, organisation = Source.MASS_ORGANISATION, ORGANISATIONS[written_org]
            else:
                refuse(
                    "organisation",
                    f"Đoàn thể “{values['organisation']}” không có trong danh sách (Mặt trận, Phụ nữ, Nông "
                    "dân, Cựu chiến binh, Thanh niên).",
                )
        if self.only_organisation is not None:
            own = self.only_organisation
            if written_org and organisation is not own:
                refuse("organisation", f"Tài khoản của {own.label_vi} chỉ nhập ý kiến của {own.label_vi}.")
            source, organisation = Source.MASS_ORGANISATION, own
        hamlet = values.get("hamlet", "") or (self.only_hamlet or "")
        try:
            canonical = resolve_hamlet(self.commune, hamlet)
        except SubmissionRejected as rejected:
            refuse("hamlet", rejected.vi)
        else:
            if self.only_hamlet is not None and canonical != self.only_hamlet:
                refuse(
                    "hamlet", f"Tài khoản của {self.only_hamlet} chỉ nhập được ý kiến của {self.only_hamlet}."
                )
        topic: int | None = None
        written_topic = values.get("topic", "").strip().rstrip(".")
        if written_topic:
            if written_topic.isdigit() and int(written_topic) in self.topic_numbers:
                topic = int(written_topic)
            else:
                numbers = ", ".join(str(n) for n in sorted(self.topic_numbers))
                refuse(
                    "topic",
                    f"Lĩnh vực “{values['topic']}” không hợp lệ: ghi số thứ tự nội dung trong kế hoạch "
                    f"({numbers}) hoặc để trống.",
                )
        phone = values.get("phone", "")
        if phone and not valid_phone(phone):
            refuse("phone", f"{PHONE_VI} Có thể để trống.")
        text = values.get("text", "")
        if len(text) < 5:
            refuse(
                "text",
                "Thiếu nội dung ý kiến (ít nhất 5 ký tự)."
                if not text
                else "Nội dung quá ngắn (ít nhất 5 ký tự).",
            )
        elif len(text) > TEXT_MAX:
            refuse("text", f"Nội dung quá dài (tối đa {TEXT_MAX} ký tự).")
        if errors:
            return errors
        try:
            submission = SubmissionIn(
                source=source,
                organisation=organisation,
                kind=kind or Kind.OPINION,
                text=text,
                hamlet=hamlet or None,
                submitter_name=values.get("name") or None,
                contact=phone or None,
            )
        except ValidationError as exc:
            return [RowError(number, _column_of(e["loc"]), _reason_vi(dict(e))) for e in exc.errors()]
        return ImportRow(number, submission, topic)


def cell(cells: Sequence[str], index: int) -> str:
    return cells[index] if index < len(cells) else ""


def map_header(header: Sequence[str]) -> dict[str, int]:
    """Column key -> index; the first column of each key wins. Refuses a header without text."""
    wordings = {wording: key for key, names in COLUMNS.items() for wording in names}
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = wordings.get(" ".join(fold(name).replace("*", " ").split()))
        if key is not None and key not in columns:
            columns[key] = index
    if "text" not in columns:
        seen = ", ".join(f"“{h}”" for h in header if h) or "không có"
        raise ImportFileRejected(
            f"Dòng đầu của tệp phải là tiêu đề cột và có cột “Nội dung”. Các cột đọc được: {seen}. Hãy dùng "
            "tệp mẫu.",
            "The first row must name the columns and include a 'Nội dung' (text) column.",
        )
    return columns


def read_table(filename: str, content: bytes, max_rows: int) -> list[list[str]]:
    """The file's cells as NFC text, row by row, at most `max_rows` data rows (plus the header)."""
    if content.startswith(b"PK\x03\x04") or filename.lower().endswith((".xlsx", ".xlsm")):
        rows = _xlsx_rows(content)
    elif filename.lower().endswith((".csv", ".txt", ".tsv")) or not filename:
        rows = _csv_rows(content)
    else:
        raise ImportFileRejected(
            "Chỉ nhận tệp CSV hoặc Excel (.xlsx).", "Only CSV or XLSX files are accepted."
        )
    table: list[list[str]] = []
    for row in rows:
        if len(table) > max_rows:
            raise ImportFileRejected(
                f"Tệp có hơn {max_rows} dòng; hãy chia thành nhiều tệp.",
                f"More than {max_rows} rows; split the file.",
            )
        table.append([_clean(value) for value in row])
    return table


def _clean(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone or topic number Excel stored as a number
    return clean_text(str(value)[:_CELL_LIMIT])


def _decode(content: bytes) -> str:
    try:
        if content.startswith((b"\xff\xfe", b"\xfe\xff")):
            return content.decode("utf-16")
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return content.decode("cp1258")
    except UnicodeDecodeError as exc:  # a UTF-16 file cut short, or no encoding fits
        raise ImportFileRejected(
            "Không đọc được tệp CSV: hãy lưu lại với mã UTF-8.", "Cannot decode the CSV; save it as UTF-8."
        ) from exc


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    text = _decode(content)
    if "\x00" in text:
        raise ImportFileRejected("Tệp không phải CSV hay Excel.", "Not a CSV or XLSX file.")
    first = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first.count)
    try:
        for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            yield row[:MAX_COLUMNS]
    except csv.Error as exc:
        raise ImportFileRejected(f"Tệp CSV bị lỗi định dạng: {exc}.", f"Malformed CSV: {exc}.") from exc


def _xlsx_rows(content: bytes) -> Iterator[Sequence[Any]]:
    from openpyxl import load_workbook  # only when a workbook comes

    unreadable = ImportFileRejected(
        "Không đọc được tệp Excel (.xlsx); hãy lưu lại rồi gửi lần nữa.", "Cannot read the XLSX file."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            # zipfile reads no more of a part than its declared size, so this bounds the XML parsed
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise unreadable from exc
    if unpacked > XLSX_UNPACKED_MAX:
        raise ImportFileRejected(
            f"Tệp Excel giải nén ra quá lớn (hơn {XLSX_UNPACKED_MAX // 1_000_000} MB); hãy lưu lại chỉ với "
            "các cột của tệp mẫu, hoặc chia thành nhiều tệp.",
            f"The XLSX unpacks to more than {XLSX_UNPACKED_MAX // 1_000_000} MB.",
        )
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except _DAMAGED as exc:
        raise unreadable from exc
    try:
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):  # read-only sheets: forget the size the file claims
            sheet.reset_dimensions()
        # the header says which columns there are: no later cell beyond it is ever looked at
        header = next(sheet.iter_rows(max_row=1, max_col=MAX_COLUMNS, values_only=True), ())
        width = max((i + 1 for i, value in enumerate(header) if value not in (None, "")), default=1)
        yield from sheet.iter_rows(max_col=width, values_only=True)
    except _DAMAGED as exc:  # a part cut short or not XML shows only when its rows are read
        raise unreadable from exc
    finally:
        workbook.close()


# What a damaged workbook raises in openpyxl: a bad or truncated archive member (zipfile, zlib,
# EOFError), XML that does not parse (ElementTree's and lxml's errors are SyntaxErrors), a part
# missing (KeyError) or holding the wrong thing (ValueError, TypeError, IndexError).
_DAMAGED = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    SyntaxError,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    OSError,
)


_LOC = {
    "text": "text",
    "hamlet": "hamlet",
    "kind": "kind",
    "submitter_name": "name",
    "contact": "phone",
    "organisation": "organisation",
}


def _column_of(loc: tuple) -> str:
    return next((_LOC[str(part)] for part in loc if str(part) in _LOC), "_row")


def _reason_vi(error: dict) -> str:
    if error.get("type") == "string_too_long":
        return f"Quá dài (tối đa {error.get('ctx', {}).get('max_length')} ký tự)."
    return "Giá trị không hợp lệ."
