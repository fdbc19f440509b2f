from dataclasses import FrozenInstanceError
from datetime import date

import pytest

from shared.calendar import WorkingCalendar
from shared.deadlines import DEFAULT_RULES, Deadline, DeadlineRule, derive, for_each_body, state, summary

MEETING_2017 = date(2017, 3, 25)  # Saturday, the seed plan's meeting


def _by_key(deadlines: list[Deadline]) -> dict[str, Deadline]:
    return {d.key: d for d in deadlines}


def test_summary_matches_the_seed_plan_2017():
    # Checked by hand against the 2017 calendar:
    # - reports: 25/03 - 10 days = 15/03, the plan's "trước ngày 15/03/2017" (D itself).
    # - classification: 25/03 - 7 days = 18/03, the plan's "trước ngày 18/03/2017".
    # - delegate invitations: Wed 22, Thu 23, Fri 24 are the 3 working days strictly between;
    #   the working day before them is Tue 21/03.
    # - resident invitations: 3 calendar days 22, 23, 24 strictly between -> 21/03.
    # - conclusion: 27-31/03 (5), 03-05/04 (8), 06/04 Giỗ Tổ Hùng Vương off, 07/04 (9),
    #   Sat/Sun 08-09/04, Mon 10/04 (10).
    got = summary(MEETING_2017, WorkingCalendar())
    assert {
        k: got[k]
        for k in (
            "reports_due_before",
            "classification_due_before",
            "delegate_invitations_by",
            "resident_invitations_by",
            "conclusion_by",
        )
    } == {
        "reports_due_before": "2017-03-15",
        "classification_due_before": "2017-03-18",
        "delegate_invitations_by": "2017-03-21",
        "resident_invitations_by": "2017-03-21",
        "conclusion_by": "2017-04-10",
    }
    assert (
        got["front_reports_due_before"]
        == got["organisation_reports_due_before"]
        == got["hamlet_reports_due_before"]
        == "2017-03-15"
    )


def test_derive_2017_due_and_printed():
    d = _by_key(derive(MEETING_2017, WorkingCalendar()))
    assert set(d) == {r.key for r in DEFAULT_RULES}
    # "Before D": on time until the end of D - 1, printed with D as the plan wrote it.
    assert (d["reports"].due, d["reports"].printed) == (date(2017, 3, 14), "trước ngày 15/03/2017")
    assert (d["classification"].due, d["classification"].printed) == (
        date(2017, 3, 17),
        "trước ngày 18/03/2017",
    )
    assert (d["delegate_invitations"].due, d["delegate_invitations"].printed) == (
        date(2017, 3, 21),
        "chậm nhất ngày 21/03/2017",
    )
    assert d["resident_invitations"].due == date(2017, 3, 21)
    assert (d["conclusion"].due, d["conclusion"].printed) == (date(2017, 4, 10), "chậm nhất ngày 10/04/2017")
    assert not any(x.overridden for x in d.values())
    assert d["reports"].responsible == "peoples_committee"
    assert d["front_reports"].responsible == "fatherland_front"
    assert d["organisation_reports"].responsible == "mass_organisations"
    assert d["hamlet_reports"].responsible == d["resident_invitations"].responsible == "hamlet_party_cells"
    assert d["classification"].responsible == d["conclusion"].responsible == "party_office"
    assert d["reports"].title.startswith("UBND xã")


def test_override_of_one_deadline():
    # The plan is edited to "trước ngày 20/03/2017" for the reports, and the conclusion to 14/04.
    overrides = {"reports": date(2017, 3, 20), "conclusion": date(2017, 4, 14)}
    d = _by_key(derive(MEETING_2017, WorkingCalendar(), overrides=overrides))
    assert (d["reports"].due, d["reports"].printed, d["reports"].overridden) == (
        date(2017, 3, 19),
        "trước ngày 20/03/2017",
        True,
    )
    assert (d["conclusion"].due, d["conclusion"].printed, d["conclusion"].overridden) == (
        date(2017, 4, 14),
        "chậm nhất ngày 14/04/2017",
        True,
    )
    assert not d["front_reports"].overridden and d["front_reports"].due == date(2017, 3, 14)
    got = summary(MEETING_2017, WorkingCalendar(), overrides=overrides)
    assert got["reports_due_before"] == "2017-03-20" and got["conclusion_by"] == "2017-04-14"


def test_per_commune_calendar_changes_derived_dates():
    # A local day off on Thu 23/03/2017 and a local working Saturday 01/04/2017.
    calendar = WorkingCalendar(extra_days_off=[date(2017, 3, 23)], extra_working_days=[date(2017, 4, 1)])
    got = summary(MEETING_2017, calendar)
    assert got["delegate_invitations_by"] == "2017-03-20"  # 24, 22, 21 strictly between
    assert got["conclusion_by"] == "2017-04-07"  # 01/04 counts
    assert got["resident_invitations_by"] == "2017-03-21"  # calendar days: unaffected
    assert got["reports_due_before"] == "2017-03-15"


def test_year_boundary_meeting_in_early_january():
    # Meeting Thu 05/01/2017. Reports before 26/12/2016, classification before 29/12/2016;
    # delegate invitations: 04/01, 03/01, (02/01 in lieu, 31/12-01/01 weekend) 30/12 -> 29/12/2016;
    # residents: 02, 03, 04/01 strictly between -> 01/01/2017; conclusion: 06/01 (1), 09-13/01 (6),
    # 16-19/01 (10) -> Thu 19/01/2017.
    got = summary(date(2017, 1, 5), WorkingCalendar())
    assert got["reports_due_before"] == "2016-12-26"
    assert got["classification_due_before"] == "2016-12-29"
    assert got["delegate_invitations_by"] == "2016-12-29"
    assert got["resident_invitations_by"] == "2017-01-01"
    assert got["conclusion_by"] == "2017-01-19"


def test_culture_day_switch_in_derivation():
    meeting = date(2026, 11, 27)  # Friday
    assert summary(meeting, WorkingCalendar())["delegate_invitations_by"] == "2026-11-20"
    assert summary(meeting, WorkingCalendar(culture_day=False))["delegate_invitations_by"] == "2026-11-23"


def test_state():
    d = _by_key(derive(MEETING_2017, WorkingCalendar()))["reports"]  # due 14/03/2017
    assert state(d, done=False, today=date(2017, 3, 14)) == "pending"
    assert state(d, done=False, today=date(2017, 3, 15)) == "overdue"
    assert state(d, done=True, today=date(2017, 3, 20)) == "done"


def test_rules_are_frozen_data_and_validated():
    with pytest.raises(FrozenInstanceError):
        DEFAULT_RULES[0].amount = 5  # type: ignore[misc]
    with pytest.raises(ValueError):
        DeadlineRule("x", "x", "party_office", "someday", 3)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        DeadlineRule("x", "x", "party_office", "working_days_after", 0)


def test_custom_rules_and_one_rule_per_body():
    rules = for_each_body(
        DEFAULT_RULES, "hamlet_reports", {"ap-cho": "Chi bộ ấp Chợ", "ap-can-cu": "Chi bộ ấp Căn cứ"}
    )
    d = _by_key(derive(MEETING_2017, WorkingCalendar(), rules))
    assert "hamlet_reports" not in d
    assert d["hamlet_reports:ap-cho"].responsible == "ap-cho"
    assert d["hamlet_reports:ap-can-cu"].title.endswith("Chi bộ ấp Căn cứ")
    assert d["hamlet_reports:ap-cho"].printed == "trước ngày 15/03/2017"
    # A plan that gives invitations 5 working days: 24, 23, 22, 21, 20 strictly between -> Fri 17/03.
    five = (DeadlineRule("delegate_invitations", "Giấy mời", "party_office", "working_days_before", 5),)
    assert summary(MEETING_2017, WorkingCalendar(), five) == {"delegate_invitations_by": "2017-03-17"}
