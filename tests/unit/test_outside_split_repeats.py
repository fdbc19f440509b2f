"""A repeat's earlier items on the staff item page: those of the item's own dialogue apart from
those of earlier dialogues, by the dialogue intake stored each in, else by year."""

from __future__ import annotations

from services.intake.web.staff.dashboard import split_repeats

EARLIER = [
    {"year": 2016, "submission_id": "a", "text": "Lộ đal bể nát", "answer": "Sửa năm 2017"},
    {"year": 2017, "submission_id": "b", "text": "Lộ đal vẫn bể", "answer": None},
    {"year": 2017, "submission_id": "c", "text": "Lộ đal sụp", "answer": None},
    {"year": 2015, "submission_id": "d", "text": "Lộ đal hư", "answer": None},
]


def test_items_of_this_dialogue_are_apart_from_earlier_dialogues():
    stored = {"a": "demo-2016", "b": "demo-2017", "c": "demo-2017"}
    now, before = split_repeats(EARLIER, stored, "demo-2017", 2017)
    assert [e["submission_id"] for e in now] == ["b", "c"]
    assert [e["submission_id"] for e in before] == ["a", "d"]  # d: not in intake, an earlier year


def test_the_stored_dialogue_decides_over_the_year_and_the_year_over_nothing():
    now, before = split_repeats(EARLIER, {"b": "demo-2017-extra"}, "demo-2017", 2017)
    assert [e["submission_id"] for e in now] == ["c"]  # b is stored in another dialogue of 2017
    assert [e["submission_id"] for e in before] == ["a", "b", "d"]
    assert split_repeats(EARLIER, {}, None, None) == ([], EARLIER)
