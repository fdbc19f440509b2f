"""Who acts on a conclusion, said once by reporting and carried by `FollowUpChangedV1.responsible_body`
(the higher body a recommendation goes to, else the office by its era's title), and the issue's
count of times raised as intake's pages read it (`services.intake.raised`): the demo commune's
2017 dialogue, where "Phòng Kinh tế" was "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường"."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from prometheus_client import CollectorRegistry

from services.intake.handlers.status import StatusDeps, record_follow_up
from services.intake.metrics import IntakeMetrics
from services.intake.raised import (
    EARLIER_MENTIONS,
    earlier_mentions,
    issue_raised,
    mention_key,
    raised_totals,
)
from services.intake.status import change_for
from services.intake.tracking import resident_note
from services.reporting import handlers
from services.reporting.followup import responsible_body
from services.reporting.handlers import ChangeFollowUp, Viewer
from services.reporting.handlers.open_data import EraNames
from shared.contracts import Envelope, FollowUpChangedV1, SubmissionRoutedV1
from tests.unit.test_intake_handlers import FakePlans, FakeStatusStore, routed
from tests.unit.test_reporting_handlers import (
    COMMUNE,
    DIALOGUE,
    deps_over,
    issue,
    item,
)

LEGACY = "Công chức Địa chính - Nông nghiệp - Xây dựng và Môi trường"
LAND_BODY = "Văn phòng Đăng ký đất đai tỉnh Tiền Giang"
PARTY = "Văn phòng Đảng ủy"


# ---- reporting: the body, said once --------------------------------------------------------------


def test_the_body_is_the_higher_body_recommended_to_else_the_office_by_its_eras_title():
    office = EraNames.of(COMMUNE, DIALOGUE).office
    assigned = {"office_name": "Phòng Kinh tế", "conclusion_kind": "assigned"}
    recommended = {"office_name": PARTY, "conclusion_kind": "recommended", "authority_body": LAND_BODY}
    assert responsible_body(assigned, office) == LEGACY
    assert responsible_body(recommended, office) == LAND_BODY
    # a recommendation naming no body, and a default task routed above the commune: the office
    assert responsible_body({**recommended, "authority_body": None}, office) == PARTY
    default = {"office_name": "Phòng Kinh tế", "authority_body": "Sở Tài nguyên và Môi trường"}
    assert responsible_body(default, office) == LEGACY


@pytest.fixture
def world():
    return deps_over([item(1, cluster_id="s1"), item(2, cluster_id="s1"), item(3)])


async def test_the_notices_tasks_their_events_and_the_board_name_the_eras_office(world):
    docs, follow = world
    await handlers.issue_document(docs, issue(issued_on=date(2017, 4, 5)))
    assert {t["responsible_body"] for t in docs.tasks.rows.values()} == {LEGACY}
    assert {e.payload["responsible_body"] for e in docs.tasks.events} == {LEGACY}
    board = await handlers.follow_up_board(follow, COMMUNE.id, DIALOGUE.id, Viewer())
    assert {(t["office_name"], t["office_title"], t["responsible_body"]) for t in board["tasks"]} == {
        ("Phòng Kinh tế", LEGACY, LEGACY)
    }

    # a task opened before the body was stored: its next event names it all the same
    task_id = next(iter(docs.tasks.rows))
    del docs.tasks.rows[task_id]["responsible_body"]
    await handlers.change_follow_up(
        follow, ChangeFollowUp(COMMUNE.id, task_id, "in_progress", "Đang làm", "vp"), Viewer()
    )
    assert docs.tasks.events[-1].payload["responsible_body"] == LEGACY
    assert "responsible_body" not in docs.tasks.rows[task_id]  # nothing written but the change


def test_the_event_without_the_body_is_still_read():
    old = FollowUpChangedV1.model_validate(
        {
            "task_id": "t",
            "dialogue_id": "demo-2017",
            "submission_ids": ["s1"],
            "office_id": "van-phong-dang-uy",
            "office_name": PARTY,
            "status": "awaiting_higher_level",
            "due": "2017-05-01",
        }
    )
    assert old.responsible_body is None


# ---- intake: stored and said as the event names it -----------------------------------------------


def _changed(**fields: Any) -> FollowUpChangedV1:
    return FollowUpChangedV1(
        task_id="demo-2017:s1",
        dialogue_id="demo-2017",
        submission_ids=("s1",),
        office_id="van-phong-dang-uy",
        office_name=PARTY,
        status="awaiting_higher_level",
        due=date(2017, 5, 1),
        **fields,
    )


@pytest.mark.parametrize(("body", "named"), [(LAND_BODY, LAND_BODY), (None, PARTY)])
async def test_intake_stores_and_says_the_body_the_event_names(body, named):
    deps = StatusDeps(FakeStatusStore(), FakePlans(), IntakeMetrics(CollectorRegistry()))
    changed = _changed(responsible_body=body)
    await record_follow_up(deps, Envelope.wrap(changed, commune_id="demo", correlation_id="c"), changed)
    store: FakeStatusStore = deps.submissions  # type: ignore[assignment]
    assert (store.followup["followup_office"], store.followup["followup_holder"]) == (named, PARTY)
    (entry,) = store.history.values()
    assert entry["note_vi"] == f"Thực hiện kết luận: chờ cấp trên giải quyết ({named})"
    assert entry["office"] == named


def test_only_older_entries_have_their_head_renamed_on_the_tracking_page():
    acting = {PARTY: LAND_BODY}
    older = {"status": "followup_awaiting_higher_level", "note_vi": f"Thực hiện kết luận: chờ ({PARTY})"}
    assert resident_note(older, {}, acting) == f"Thực hiện kết luận: chờ ({LAND_BODY})"
    # an entry naming who acts as the notice does is read as stored
    said = {**older, "note_vi": f"Thực hiện kết luận: chờ ({PARTY})", "office": PARTY}
    assert resident_note(said, {}, acting) == f"Thực hiện kết luận: chờ ({PARTY})"


# ---- intake: the issue's count -------------------------------------------------------------------


class FakeSubmissions:
    def __init__(self, docs: list[dict]) -> None:
        self.docs = docs
        self.asked: list[dict] = []

    def find(self, filter: dict, projection: dict) -> Any:
        self.asked.append(filter)

        def matches(value: Any, wanted: Any) -> bool:
            return value in wanted["$in"] if isinstance(wanted, dict) else value == wanted

        found = [d for d in self.docs if all(matches(d.get(k), v) for k, v in filter.items())]

        class Cursor:
            async def to_list(self) -> list[dict]:
                return [dict(d) for d in found]

        return Cursor()


def _doc(n: int, **fields: Any) -> dict:
    return {
        "_id": f"s{n}",
        "commune_id": "demo",
        "dialogue_id": "demo-2017",
        "cluster_id": "s1",
        "topic": 3,
        "times_raised": n,
        EARLIER_MENTIONS: [],
        **fields,
    }


async def test_every_item_of_a_merged_issue_says_the_issues_count():
    old = [2016, mention_key("Cống nghẹt")]
    docs = [
        _doc(1),
        _doc(2, **{EARLIER_MENTIONS: [old]}),
        _doc(3, **{EARLIER_MENTIONS: [old]}),
        _doc(9, dialogue_id="demo-2016", **{EARLIER_MENTIONS: []}),  # the cluster's 2016 item
        _doc(5, cluster_id="s5"),
    ]
    store = FakeSubmissions(docs)
    counts = [(await issue_raised(store, d, 2017))["total"] for d in docs[:3]]
    assert counts == [4, 4, 4]  # three petitions in 2017, one 2016 mention (once)
    assert store.asked[0] == {"commune_id": "demo", "cluster_id": "s1"}  # by the index
    # routing's decision adds nothing it already counts
    given = [{"year": 2016, "text": "Cống nghẹt"}, {"year": 2017, "text": "x"}]
    assert (await issue_raised(store, docs[0], 2017, given))["total"] == 4
    assert (await issue_raised(store, docs[4], 2017))["total"] == 1
    # a list of items (the staff dashboard): the same counts, the clusters read in one request
    asked = len(store.asked)
    totals = await raised_totals(store, "demo", [docs[0], docs[2], docs[4]], 2017)
    assert totals == {"s1": 4, "s3": 4, "s5": 1} and len(store.asked) == asked + 1


async def test_an_unrouted_item_and_a_cluster_stored_before_mentions_were_kept():
    unrouted = _doc(1, topic=None, cluster_id=None)
    assert (await issue_raised(FakeSubmissions([unrouted]), unrouted, 2017))["total"] == 1
    legacy = [{k: v for k, v in _doc(n).items() if k != EARLIER_MENTIONS} for n in (1, 2)]
    legacy[1]["times_raised"] = 5  # routing counted 2016 mentions on arrival: kept as the least
    store = FakeSubmissions(legacy)
    assert [(await issue_raised(store, d, 2017))["total"] for d in legacy] == [2, 5]


def test_intake_keeps_routings_earlier_mentions_with_the_decision():
    earlier = [
        {"year": 2016, "submission_id": "a", "text": "Cống nghẹt"},
        {"year": 2016, "submission_id": "b", "text": "Cống nghẹt"},
        {"year": 2015, "submission_id": "c", "text": "Cống hư"},
    ]
    assert earlier_mentions(earlier) == [[2015, mention_key("Cống hư")], [2016, mention_key("Cống nghẹt")]]
    decision: SubmissionRoutedV1 = routed(earlier=earlier)
    assert change_for(decision).facts[EARLIER_MENTIONS] == earlier_mentions(earlier)
