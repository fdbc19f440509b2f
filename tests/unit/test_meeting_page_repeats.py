"""The meeting page names an issue by the notice's number and marks a repeated one as the
documents do ("[Nêu 3 lần]", "[Nêu 5 lần, kéo dài từ năm 2017]"): on its card (reporting's
`meeting.issue_rows` gives `repeat_mark` and `times_raised` for an issue raised several times this
year, not only for one carried over), in the links' suggestions, and with a filter. The numbers
are the notice's, so a conclusion recorded since a suggestion was shown can move them: the words
after a suggestion's number still find its issue. The staff item page counts the item's issue as
the documents do (`services.intake.raised.raised_view`)."""

from __future__ import annotations

from services.demo.documents import demo_dataset
from services.intake.web.staff.meeting import IssueView, _issue_label, resolve_links
from services.reporting.meeting import issue_rows

CULVERT = {
    "key": "c-1",
    "number": 1,
    "summary": "Cống thoát nước chợ bị nghẹt",
    "topic_name": "Hạ tầng",
    "tracking_codes": [],
    "repeat_mark": "Nêu 3 lần",
    "carried_over": False,
}
PAPERS = {"key": "s-2", "number": 2, "summary": "Thủ tục đất đai còn chậm", "topic_name": "Hành chính",
          "tracking_codes": [], "repeat_mark": "", "carried_over": False}  # fmt: skip


def test_an_issue_raised_several_times_this_year_has_the_documents_mark() -> None:
    commune, dialogue, items, _ = demo_dataset()
    rows = issue_rows(commune, dialogue, items, {})
    this_year = [r for r in rows if r["times_raised"] > 1 and not r["earlier_years"]]
    assert this_year, "the demo has an issue raised from several hamlets this year"
    for row in this_year:
        assert row["repeat_mark"] == f"Nêu {row['times_raised']} lần"
    assert all(r["repeat_mark"] == "" for r in rows if r["times_raised"] == 1 and not r["earlier_years"])


def test_a_suggestion_carries_the_mark_and_finds_its_issue_after_the_numbers_moved() -> None:
    label = _issue_label(CULVERT)
    assert label == "#1 [Nêu 3 lần] Cống thoát nước chợ bị nghẹt"
    assert resolve_links([label], [CULVERT, PAPERS])[0] == ["c-1"]
    moved = [{**CULVERT, "number": 2}, {**PAPERS, "number": 1}]  # the culvert is now number 2
    keys, _, errors = resolve_links([label], moved)
    assert keys == ["c-1"] and not errors
    assert resolve_links(["#1"], moved)[0] == ["s-2"]  # a bare number is today's number


def test_the_list_filters_the_repeated_issues() -> None:
    view = IssueView.of({"loc": "nhieu-lan"}, [1, 2])
    assert view.chosen([CULVERT, PAPERS], set(), set()) == [CULVERT]


def test_the_item_page_counts_the_issue_as_the_documents_do() -> None:
    from services.intake.raised import raised_view

    earlier = [
        {"year": 2016, "text": "Lộ đal nát"},
        {"year": 2016, "text": "Lộ đal nát"},  # the same mention seen by two items: once
        {"year": 2015, "text": "Lộ đal hư"},
        {"year": 2017, "text": "this year's earlier petition"},  # counted among the petitions
    ]
    seen = raised_view(3, earlier, 2017)
    assert seen == {"total": 5, "this_year": 3, "before": 2, "years": [2015, 2016], "year": 2017}
    assert raised_view(0, [], None)["total"] == 1
