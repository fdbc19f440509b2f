"""One count of how many times an issue was raised (`services.reporting.raised.times_raised`):
the conclusion notice prints it, the follow-up board, open data (CSV, JSON) and its tasks show the
same number, also for a task opened while each item's count on arrival was taken instead. In-memory
fakes of tests/unit/test_reporting_handlers.py (the demo commune, 2017 plan)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from services.reporting import handlers
from services.reporting.documents.build import build_data
from services.reporting.handlers import Viewer
from services.reporting.open_data import to_csv, to_json
from services.reporting.raised import CARRIED_OVER, times_raised
from services.reporting.rendering import carried_items
from tests.unit.test_reporting_handlers import (
    COMMUNE,
    DIALOGUE,
    deps_over,
    issue,
    item,
)

EARLIER = {"year": 2016, "submission_id": "old", "text": "Cống trước chợ nghẹt", "answer": None}
# Three petitions of one issue, each counted 2 on arrival (the repeat finder saw one earlier item),
# one of them naming the issue's 2016 mention; and a petition raised once.
ITEMS = [
    item(1, cluster_id="s1", times_raised=2, years_raised=[2016, 2017], earlier=[EARLIER]),
    item(2, cluster_id="s1", duplicate_of="s1", times_raised=2, earlier=[{**EARLIER, "year": 2017}]),
    item(3, cluster_id="s1", duplicate_of="s1", times_raised=2),
    item(4, topic=4, topic_name="Môi trường"),
]
RAISED = {"s1": 4, "s4": 1}  # s1: three petitions in 2017 and the 2016 mention


@pytest.fixture
def world():
    return deps_over(ITEMS)


def test_the_count_is_the_petitions_plus_the_earlier_years_mentions():
    assert times_raised(ITEMS[:3], 2017) == 4
    assert times_raised(ITEMS[3:], 2017) == 1
    assert times_raised([], 2017) == 1
    # an earlier year named without its text still counts once; the same mention twice counts once
    assert times_raised([item(5, years_raised=[2015, 2017]), item(6, earlier=[EARLIER, EARLIER])], 2017) == 4


def test_a_carried_conclusion_keeps_its_count_and_this_years_petitions_add_to_it():
    task = {
        "dialogue_id": "demo-2016",
        "submission_ids": ["old"],
        "cluster_id": "s1",
        "text": "Cống trước chợ nghẹt",
        "topic": 3,
        "office_id": "phong-kinh-te",
        "office_name": "Phòng Kinh tế",
        "times_raised": 5,
    }
    (carried,) = carried_items([task], {"demo-2016": 2016})
    assert carried["source"] == CARRIED_OVER
    assert times_raised([carried], 2017) == 5
    assert times_raised([carried, ITEMS[2]], 2017) == 6


async def test_the_notice_the_board_and_open_data_show_the_same_count(world):
    docs, follow = world

    def from_open_data(rows: list[dict]) -> list[int]:
        return [r["times_raised"] for r in rows]

    before = await handlers.open_data(follow, COMMUNE.id, DIALOGUE.id)
    assert sorted(from_open_data(before.rows)) == [1, 4]  # one row per issue, with its count

    issued_on = date(2017, 4, 5)
    data = build_data("thong-bao-ket-luan", COMMUNE, DIALOGUE, ITEMS, number=None, issued_on=issued_on)
    assert data.notice is not None
    printed = {c.key: (c.times_raised, c.merged_note) for c in data.notice.conclusions}
    assert printed == {"s1": (4, "(4 lần)"), "s4": (1, "")}

    await handlers.issue_document(docs, issue(issued_on=issued_on))
    stored = {t["cluster_id"]: t["times_raised"] for t in docs.tasks.rows.values()}
    board = await handlers.follow_up_board(follow, COMMUNE.id, DIALOGUE.id, Viewer())
    shown = {t["cluster_id"]: t["times_raised"] for t in board["tasks"]}
    after = (await handlers.open_data(follow, COMMUNE.id, DIALOGUE.id)).rows
    published = {r["stt"]: r["times_raised"] for r in to_json(after, COMMUNE.id, DIALOGUE.id, 2017)["rows"]}
    in_csv = [int(r["Số lần nêu"]) for r in csv.DictReader(io.StringIO(to_csv(after).decode("utf-8-sig")))]
    assert stored == shown == RAISED
    assert sorted(from_open_data(after)) == sorted(published.values()) == sorted(in_csv) == [1, 4]


async def test_a_task_opened_with_an_items_count_on_arrival_shows_the_issues_count(world):
    docs, follow = world
    await handlers.issue_document(docs, issue(issued_on=date(2017, 4, 5)))
    for task in docs.tasks.rows.values():
        task["times_raised"] = 2  # as opened before: the largest item's count on arrival
    board = await handlers.follow_up_board(follow, COMMUNE.id, DIALOGUE.id, Viewer())
    assert {t["cluster_id"]: t["times_raised"] for t in board["tasks"]} == RAISED
    rows = (await handlers.open_data(follow, COMMUNE.id, DIALOGUE.id)).rows
    assert sorted(r["times_raised"] for r in rows) == [1, 4]
