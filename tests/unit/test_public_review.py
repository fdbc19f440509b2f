"""Open data shows only what staff reviewed, masked (pure `open_rows` and `reviewed`; no fakes:
the rows and the meeting record are plain dicts)."""

from __future__ import annotations

from services.reporting.documents.common import issue_key
from services.reporting.documents.model import Issue
from services.reporting.documents.record import reviewed
from services.reporting.handlers.open_data import UNDER_REVIEW, open_rows

TYPED = "Nhà ông Nguyễn Văn Tám số 12 đường Lê Lợi, ĐT 0909123456, lấn chiếm hẻm"
ITEM = {"_id": "s1", "topic": 3, "topic_name": "Giao thông", "hamlet": "ấp Chợ", "text": TYPED}


def test_an_unreviewed_issue_shows_its_topic_and_hamlet_only() -> None:
    (row,) = open_rows([], [ITEM])
    assert row["issue"] == UNDER_REVIEW
    assert (row["topic"], row["hamlet"]) == ("Giao thông", "ấp Chợ")
    assert TYPED not in str(row)


def test_a_reviewed_summary_is_shown_masked() -> None:
    summary = "Hộ ông Tám (ĐT 0909123456) lấn chiếm hẻm đường Lê Lợi"
    (row,) = open_rows([], [ITEM], {issue_key(ITEM): summary})
    assert "lấn chiếm hẻm đường Lê Lợi" in row["issue"]
    assert "0909123456" not in row["issue"] and "Tám" not in row["issue"]


def test_before_the_notice_an_issue_raised_again_is_one_row() -> None:
    """Repeats stand out by their count, not by as many identical rows."""
    again = [{**ITEM, "_id": f"s{n}", "cluster_id": "s1", "duplicate_of": "s1"} for n in (2, 3)]
    other = {**ITEM, "_id": "s9", "hamlet": "ấp Mới"}
    items = [{**ITEM, "cluster_id": "s1"}, *again, other]
    rows = open_rows([], items, raised={"s1": 3, "s9": 1})
    assert [(r["stt"], r["hamlet"], r["times_raised"]) for r in rows] == [(1, "ấp Chợ", 3), (2, "ấp Mới", 1)]


def test_a_task_shows_its_issue_summary() -> None:
    task = {"_id": "d:s1", "cluster_id": "s1", "topic": 3, "text": TYPED, "status": "assigned"}
    (row,) = open_rows([task], [ITEM], {"s1": "Lấn chiếm hẻm đường Lê Lợi"})
    assert row["issue"] == "Lấn chiếm hẻm đường Lê Lợi"
    (unreviewed,) = open_rows([task], [ITEM])
    assert unreviewed["issue"] == UNDER_REVIEW


def test_documents_mask_what_they_print_as_typed() -> None:
    issue = Issue(
        number=1,
        topic=3,
        topic_name="Giao thông",
        text=TYPED,
        hamlet="ấp Chợ",
        submitters="Người dân",
        office="UBND xã",
        coordinating=(),
        authority_level="commune",
        authority="Cấp xã",
        authority_body=None,
        count=2,
        times_raised=1,
        years_raised=(2026,),
        long_running=False,
        earlier=(),
        needs_review=False,
        key="s1",
        other_texts=("gọi 0909 123 456",),
    )
    (printed,) = reviewed([issue], None)
    assert "0909123456" not in printed.text and "Nguyễn Văn Tám" not in printed.text
    assert "0909 123 456" not in printed.other_texts[0]
    (summarised,) = reviewed([issue], {"summaries": {"s1": "Lấn chiếm hẻm"}})
    assert summarised.text == "Lấn chiếm hẻm"
