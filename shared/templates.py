"""Jinja2 environments for the services' documents and messages.

`.html` templates are autoescaped; `.txt` ones (e-mail bodies) are not. Undefined variables
fail loudly. A commune may override any template by placing one with the same name in its
own folder, which is searched first.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from shared.clock import VIETNAM_TZ


def vn_date(value: date | datetime) -> str:
    """dd/mm/yyyy, as Vietnamese documents print dates."""
    if isinstance(value, datetime):
        value = value.astimezone(VIETNAM_TZ).date()
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


WEEKDAYS_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")  # Monday = 0


def vn_weekday(value: date) -> str:
    return WEEKDAYS_VI[value.weekday()]


def upper_first(value: str) -> str:
    """`xã Tân Phước` -> `Xã Tân Phước` (Jinja's `capitalize` would lower the rest)."""
    return value[:1].upper() + value[1:]


def date_line(place: str, value: date) -> str:
    """`Tân Phước, ngày 05 tháng 02 năm 2026`: day and month zero-padded (HD 36-HD/VPTW)."""
    return f"{place}, ngày {value.day:02d} tháng {value.month:02d} năm {value.year}"


def make_environment(template_dirs: Sequence[Path]) -> Environment:
    """The services' templates, with the Vietnamese filters. Templates ship with the code and
    do not change while it runs: each is loaded once, not checked against its file (a `stat`)
    at every page, e-mail or document rendered."""
    env = Environment(
        loader=FileSystemLoader([str(d) for d in template_dirs]),
        auto_reload=False,
        autoescape=select_autoescape(
            enabled_extensions=("html", "xml"), default_for_string=True, default=False
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["vn_date"] = vn_date
    env.filters["vn_weekday"] = vn_weekday
    env.filters["upper_first"] = upper_first
    env.globals["date_line"] = date_line
    return env
