"""Chart geometry for the staff dashboard (pure). The templates draw it as inline SVG with
percentage widths, so a chart fills a 360 px phone or a desktop column alike, needs no script
and no inline style (the pages' Content-Security-Policy allows neither)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    percent: float  # of the largest value
    href: str | None = None


@dataclass(frozen=True)
class Segment:
    key: str
    label: str
    value: int
    x: float  # percent from the left
    width: float  # percent


@dataclass(frozen=True)
class Mark:
    number: int
    key: str
    title: str
    due: date
    state: str  # pending | overdue | done
    x: float  # percent along the axis


@dataclass(frozen=True)
class Timeline:
    marks: tuple[Mark, ...]
    today_x: float | None  # None when today is outside the plan's span
    start: date
    end: date


def bars(rows: Iterable[tuple[str, int] | tuple[str, int, str | None]]) -> list[Bar]:
    """One bar per (label, value[, link]); the longest is 100 %."""
    items = list(rows)
    top = max((r[1] for r in items), default=0)
    return [
        Bar(r[0], r[1], round(100 * r[1] / top, 1) if top else 0.0, r[2] if len(r) > 2 else None)
        for r in items
    ]


def stacked(parts: Sequence[tuple[str, str, int]]) -> list[Segment]:
    """Segments of one 100 % bar for (key, label, value); empty parts are left out."""
    total = sum(value for _, _, value in parts)
    segments: list[Segment] = []
    x = 0.0
    for key, label, value in parts:
        if value <= 0 or total == 0:
            continue
        width = round(100 * value / total, 2)
        segments.append(Segment(key, label, value, round(x, 2), width))
        x += width
    return segments


def timeline(deadlines: Sequence[dict], today: date) -> Timeline | None:
    """Deadlines (views with `key`, `title`, `due` ISO date, `state`) placed on one date axis,
    5 %..95 % so the first and last marks are not cut at the edges."""
    if not deadlines:
        return None
    dated = sorted(((date.fromisoformat(d["due"]), d) for d in deadlines), key=lambda pair: pair[0])
    start, end = dated[0][0], dated[-1][0]
    span = max((end - start).days, 1)

    def at(day: date) -> float:
        return round(5 + 90 * (day - start).days / span, 2)

    marks = tuple(
        Mark(i, d["key"], d["title"], due, d["state"], at(due)) for i, (due, d) in enumerate(dated, start=1)
    )
    return Timeline(marks, at(today) if start <= today <= end else None, start, end)
