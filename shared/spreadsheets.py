"""Cells of the CSV and XLSX files the services write, safe to open in a spreadsheet (OWASP
"CSV injection"): text a resident typed never becomes a live formula such as =HYPERLINK(...).

In CSV a text cell that a spreadsheet would read as a formula gets a leading `'`; in XLSX it is
stored as a string (never a formula) with Excel's quote prefix, so editing it keeps it text.
Numbers, dates and ordinary text are written unchanged."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# What spreadsheets take as the start of a formula (or, for tab and CR/LF, strip before one).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def looks_like_formula(value: Any) -> bool:
    """A text cell a spreadsheet would evaluate: its first non-space character starts a formula."""
    return isinstance(value, str) and value.lstrip(" ").startswith(FORMULA_STARTS)


def csv_cell(value: Any) -> Any:
    """The value to write in a CSV cell: formula-like text gets a leading single quote."""
    return "'" + value if looks_like_formula(value) else value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(v) for v in values]


def append_xlsx_row(sheet: Any, values: Iterable[Any]) -> None:
    """`sheet.append(values)` on an openpyxl worksheet, with formula-like text stored as text."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if looks_like_formula(cell.value):
            cell.data_type = "s"  # openpyxl made any "=..." a formula
            cell.quotePrefix = True
