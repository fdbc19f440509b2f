"""Page numbers of long lists (`?trang=N`, 1-based), shared by the staff and residents' pages.

A list of at most one page reads as one page and shows no page links. A number past the last
page shows the last page; anything but a positive whole number is `BadPage` (the page answers
400 with `BAD_PAGE_VI`), never a server error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar
from urllib.parse import urlencode

PARAM = "trang"
BAD_PAGE_VI = "Số trang không hợp lệ: số trang là số nguyên dương, ví dụ ?trang=2."
_NUMBER = re.compile(r"^[0-9]{1,9}$")  # a longer number is refused, not a page past the end
T = TypeVar("T")


class BadPage(ValueError):
    """`?trang=` is not a positive whole number."""


def requested(raw: str | None) -> int:
    """The page asked for: 1 when absent or empty; `BadPage` unless a positive whole number."""
    text = (raw or "").strip()
    if not text:
        return 1
    if not _NUMBER.match(text) or int(text) < 1:
        raise BadPage(text[:20])
    return int(text)


@dataclass(frozen=True)
class Page:
    """Page `number` of `count` over `total` rows, `size` a page."""

    number: int
    count: int
    size: int
    total: int

    @classmethod
    def of(cls, total: int, size: int, wanted: int = 1) -> Page:
        count = max(1, -(-total // size))
        return cls(number=min(max(1, wanted), count), count=count, size=size, total=total)

    @classmethod
    def containing(cls, index: int, total: int, size: int) -> Page:
        """The page that shows row `index` (0-based)."""
        return cls.of(total, size, index // size + 1)

    @property
    def skip(self) -> int:
        return (self.number - 1) * self.size

    @property
    def first_shown(self) -> int:
        """1-based position of the page's first row (0 when the list is empty)."""
        return self.skip + 1 if self.total else 0

    @property
    def last_shown(self) -> int:
        return min(self.total, self.skip + self.size)

    @property
    def paged(self) -> bool:
        return self.count > 1

    def rows(self, rows: Sequence[T]) -> list[T]:
        return list(rows[self.skip : self.skip + self.size])


@dataclass(frozen=True)
class Pager:
    """A page with the links a template prints: previous, next, first, last (None where there
    is none), each keeping the page's other query parameters."""

    page: Page
    previous: str | None
    next: str | None
    first: str | None
    last: str | None
    anchor: str


def pager(page: Page, path: str, params: Mapping[str, str], *, param: str = PARAM, anchor: str = "") -> Pager:
    kept = {k: v for k, v in params.items() if v and k != param}

    def link(number: int) -> str:
        query = urlencode({**kept, **({param: str(number)} if number > 1 else {})})
        return f"{path}?{query}{anchor}" if query else f"{path}{anchor}"

    before, after = page.number > 1, page.number < page.count
    return Pager(
        page=page,
        previous=link(page.number - 1) if before else None,
        next=link(page.number + 1) if after else None,
        first=link(1) if page.number > 2 else None,
        last=link(page.count) if page.number < page.count - 1 else None,
        anchor=anchor,
    )
