"""The staff documents page lists each issued document with the day it prints: the minutes are
dated the meeting's day (its recorded start in Vietnam's time, else the plan's date), whenever
they are issued; an outside walkthrough read "Số 01-BB/ĐU, ngày 07/12/2026" for minutes dated
25/03/2017. Other kinds print the day they were issued (no second date)."""

from __future__ import annotations

from services.demo.seed import demo_dialogue
from services.intake.web.staff.documents import printed_day

DIALOGUE = demo_dialogue()  # meets on 25/03/2017


def test_the_minutes_are_listed_with_the_meeting_day() -> None:
    minutes = {"kind": "bien-ban", "issued_on": "2026-12-07"}
    # 00:30 UTC on 26/03 is 07:30 in Vietnam: the recorded start's local day
    assert printed_day(minutes, {"started_at": "2017-03-26T00:30:00.000000Z"}, DIALOGUE) == "26/03/2017"
    assert printed_day(minutes, {}, DIALOGUE) == "25/03/2017"


def test_other_documents_print_the_day_they_were_issued() -> None:
    notice = {"kind": "thong-bao-ket-luan", "issued_on": "2017-04-05"}
    assert printed_day(notice, {"started_at": "2017-03-25T00:30:00Z"}, DIALOGUE) == ""
