"""When the residents' forms stop taking entries (services/intake/closing.py) and what reporting's
open-data JSON says about whether anything is concluded yet (services/reporting/open_data.py)."""

from __future__ import annotations

import pytest

from services.demo.seed import demo_commune, demo_dialogue
from services.intake.closing import closed_heading_vi, closed_vi, ended, takes_entries
from services.reporting.handlers.open_data import NOT_CONCLUDED
from services.reporting.open_data import COLUMNS, concluded, to_json
from shared.contracts.vocabulary import PlanStatus


@pytest.mark.parametrize("status", list(PlanStatus))
def test_a_plan_takes_entries_from_collecting_until_the_meeting(status):
    dialogue = demo_dialogue().model_copy(update={"status": status})
    opened = status in (PlanStatus.COLLECTING, PlanStatus.CLASSIFIED, PlanStatus.INVITED)
    assert takes_entries(dialogue) is opened
    assert ended(dialogue) is (not opened and status != PlanStatus.DRAFT)  # a draft is not open yet


def test_the_notice_says_when_the_meeting_was_held_in_vietnamese_dates():
    commune, held = demo_commune(), demo_dialogue().model_copy(update={"status": "held"})
    assert "đã tổ chức ngày 25/03/2017" in closed_vi(commune, held)
    assert closed_heading_vi(held) == "Đối thoại năm 2017 đã kết thúc nhận ý kiến"
    cancelled = held.model_copy(update={"status": "cancelled"})
    assert "đã hủy" in closed_vi(commune, cancelled) and "đã hủy" in closed_heading_vi(cancelled)
    assert not takes_entries(None) and not ended(None)


def _row(status: str) -> dict:
    return {key: "" for key, _ in COLUMNS} | {"stt": 1, "issue": "Đường ngập", "status": status}


def test_open_data_json_is_concluded_only_once_rows_carry_a_follow_up_status():
    assert not concluded([]) and not concluded([_row(NOT_CONCLUDED)])
    assert concluded([_row("Đang thực hiện")])
    data = to_json([_row(NOT_CONCLUDED)], "demo", "demo-2017", 2017)
    assert data["concluded"] is False and data["rows"][0]["issue"] == "Đường ngập"
    assert [c["key"] for c in data["columns"]] == [key for key, _ in COLUMNS]
