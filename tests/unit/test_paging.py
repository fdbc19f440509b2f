"""Page numbers of long lists (services/intake/web/paging.py) and the open data's JSON page."""

from __future__ import annotations

import pytest

from services.intake.web.paging import BadPage, Page, pager, requested
from services.reporting.open_data import to_json


@pytest.mark.parametrize("raw, number", [(None, 1), ("", 1), (" 3 ", 3), ("17", 17), ("1000000", 1_000_000)])
def test_a_page_asked_for_is_a_positive_whole_number(raw, number):
    assert requested(raw) == number


@pytest.mark.parametrize("raw", ["0", "-1", "abc", "1.5", "2e3", "9" * 30, "１"])
def test_anything_else_is_a_bad_page(raw):
    with pytest.raises(BadPage):
        requested(raw)


def test_pages_cover_every_row_once_and_past_the_end_is_the_last_page():
    rows = list(range(45))
    pages = [Page.of(len(rows), 20, n) for n in (1, 2, 3)]
    assert [p.rows(rows) for p in pages] == [rows[:20], rows[20:40], rows[40:]]
    assert Page.of(45, 20, 99).number == 3 and Page.of(0, 20, 5).number == 1
    assert Page.containing(44, 45, 20).number == 3 and Page.containing(19, 45, 20).number == 1
    assert (pages[2].first_shown, pages[2].last_shown) == (41, 45)
    assert not Page.of(20, 20).paged and Page.of(21, 20).paged


def test_links_keep_the_other_parameters_and_name_no_page_one():
    links = pager(
        Page.of(100, 10, 5), "/staff/hoi-nghi", {"dot": "a b", "loc": "", "trang": "5"}, anchor="#x"
    )
    assert links.previous == "/staff/hoi-nghi?dot=a+b&trang=4#x"
    assert links.next == "/staff/hoi-nghi?dot=a+b&trang=6#x"
    assert links.first == "/staff/hoi-nghi?dot=a+b#x" and links.last == "/staff/hoi-nghi?dot=a+b&trang=10#x"
    first = pager(Page.of(100, 10, 1), "/p", {})
    assert first.previous is None and first.first is None and first.next == "/p?trang=2"


def test_the_open_data_json_pages_its_rows_but_counts_the_whole_dialogue():
    rows = [{"stt": n, "status": "Chưa kết luận"} for n in range(1, 8)]
    rows[6]["status"] = "Đang giải quyết"
    page = to_json(rows, "demo", "d", 2017, offset=2, limit=3)
    assert [r["stt"] for r in page["rows"]] == [3, 4, 5]
    assert page["total"] == 7 and page["offset"] == 2 and page["concluded"] is True
    assert [r["stt"] for r in to_json(rows, "demo", "d", 2017)["rows"]] == list(range(1, 8))
