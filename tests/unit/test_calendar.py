from datetime import date, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared.calendar import CULTURE_DAY_NAME, WorkingCalendar


def test_conclusion_notice_window_skips_hung_kings_day_2017():
    # Meeting Saturday 25/03/2017; 06/04/2017 (Giỗ Tổ) is a day off inside the 10 working days.
    assert WorkingCalendar().nth_working_day_after(date(2017, 3, 25), 10) == date(2017, 4, 10)


def test_make_up_saturday_is_a_working_day_and_overrides_apply():
    calendar = WorkingCalendar(extra_days_off=[date(2026, 11, 25)], extra_working_days=[date(2026, 11, 28)])
    assert calendar.is_working_day(date(2026, 8, 22))  # swapped Saturday for Monday 31/8/2026
    assert not calendar.is_working_day(date(2026, 8, 31))
    assert not calendar.is_working_day(date(2026, 11, 25))
    assert calendar.is_working_day(date(2026, 11, 28))


def test_tet_2026_is_skipped():
    assert WorkingCalendar().nth_working_day_after(date(2026, 2, 13), 1) == date(2026, 2, 23)


# --- "at least N working days before", "N days before", "before D", 24/11 switch ------------

_CAL = WorkingCalendar()  # one instance: its per-year holiday tables are cached


def _working_days_strictly_between(calendar: WorkingCalendar, start: date, end: date) -> int:
    lo, hi = min(start, end), max(start, end)
    return sum(calendar.is_working_day(lo + timedelta(days=i)) for i in range(1, (hi - lo).days))


def test_seed_delegate_invitations_2017():
    # Meeting Saturday 25/03/2017: Wed 22, Thu 23, Fri 24 lie strictly between -> Tue 21/03.
    assert _CAL.last_issue_date_working_days_before(date(2017, 3, 25), 3) == date(2017, 3, 21)


def test_calendar_days_before_and_due_before():
    # Residents: 3 full days (22, 23, 24) strictly between -> 21/03/2017; a Sunday is allowed.
    assert WorkingCalendar.last_issue_date_days_before(date(2017, 3, 25), 3) == date(2017, 3, 21)
    assert _CAL.last_issue_date_days_before(date(2017, 3, 27), 0) == date(2017, 3, 26)
    # "Before 15/03/2017" = by the end of 14/03; across a year boundary too.
    assert _CAL.due_before(date(2017, 3, 15)) == date(2017, 3, 14)
    assert _CAL.due_before(date(2018, 1, 1)) == date(2017, 12, 31)


def test_tet_2017_inside_the_invitation_window():
    # Meeting Fri 03/02/2017; Tết 2017 is Thu 26/01 .. Wed 01/02 off. Strictly between:
    # Thu 02/02, Wed 25/01, Tue 24/01 -> issue Mon 23/01/2017.
    assert _CAL.last_issue_date_working_days_before(date(2017, 2, 3), 3) == date(2017, 1, 23)
    # Meeting Sat 21/01/2017, 10 working days after: 23-25/01 (3), Tết, 02-03/02 (5), 06-10/02 (10).
    assert _CAL.nth_working_day_after(date(2017, 1, 21), 10) == date(2017, 2, 10)


def test_tet_2026_inside_the_invitation_window():
    # Meeting Wed 25/02/2026; Tết 16-20/02 off. Strictly between: 24/02, 23/02, Fri 13/02 -> Thu 12/02.
    assert _CAL.last_issue_date_working_days_before(date(2026, 2, 25), 3) == date(2026, 2, 12)


def test_days_off_in_lieu_2017():
    assert not _CAL.is_working_day(date(2017, 1, 2))  # for Sunday 01/01
    assert not _CAL.is_working_day(date(2017, 5, 2))  # for Sunday 30/04
    assert not _CAL.is_working_day(date(2017, 9, 4))  # for Saturday 02/09
    # Meeting Sat 06/05/2017: strictly between Fri 05, Thu 04, Wed 03; Tue 02 and Mon 01 are off,
    # 29-30/04 weekend -> issue Fri 28/04/2017.
    assert _CAL.last_issue_date_working_days_before(date(2017, 5, 6), 3) == date(2017, 4, 28)
    # Meeting Thu 31/08/2017: 1st working day after Fri 01/09, 2nd skips 02-04/09 -> Tue 05/09.
    assert _CAL.nth_working_day_after(date(2017, 8, 31), 2) == date(2017, 9, 5)


def test_make_up_saturday_counts_in_windows_2026():
    # Meeting Wed 26/08/2026: strictly between Tue 25, Mon 24, Sat 22 (make-up) -> issue Fri 21/08.
    assert _CAL.last_issue_date_working_days_before(date(2026, 8, 26), 3) == date(2026, 8, 21)
    # Thu 20/08/2026 + 2 working days: Fri 21, Sat 22 (make-up).
    assert _CAL.nth_working_day_after(date(2026, 8, 20), 2) == date(2026, 8, 22)


def test_year_boundary_both_ways():
    # Meeting Thu 05/01/2017 counting back: 04/01, 03/01 work; 02/01 in lieu; 31/12-01/01 weekend;
    # Fri 30/12/2016 is the third -> issue Thu 29/12/2016.
    assert _CAL.last_issue_date_working_days_before(date(2017, 1, 5), 3) == date(2016, 12, 29)
    # Meeting Sat 24/12/2016, conclusion 10 working days after: 26-30/12 (5), 01/01 Sun,
    # 02/01 off in lieu, 03-06/01 (9), Mon 09/01/2017 (10).
    assert _CAL.nth_working_day_after(date(2016, 12, 24), 10) == date(2017, 1, 9)


def test_culture_day_switch():
    on, off = WorkingCalendar(), WorkingCalendar(culture_day=False)
    # holidays 0.109 names it so (language="vi"); the switch keys on this name.
    assert _holiday_name(date(2026, 11, 24)) == CULTURE_DAY_NAME == "Ngày Văn hóa Việt Nam"
    assert not on.is_working_day(date(2026, 11, 24))  # Tuesday
    assert off.is_working_day(date(2026, 11, 24))
    assert on.is_working_day(date(2025, 11, 24)) and off.is_working_day(
        date(2025, 11, 24)
    )  # before 2026: a Monday like any other
    # 24/11/2029 is a Saturday: Monday 26/11/2029 is its day in lieu, which the switch removes too.
    assert not on.is_working_day(date(2029, 11, 26))
    assert off.is_working_day(date(2029, 11, 26))
    assert not off.is_working_day(date(2029, 11, 24))  # still a Saturday
    # Meeting Fri 27/11/2026: strictly between 26, 25, (24 off) 23 -> Fri 20/11; without 24/11: Mon 23/11.
    assert on.last_issue_date_working_days_before(date(2026, 11, 27), 3) == date(2026, 11, 20)
    assert off.last_issue_date_working_days_before(date(2026, 11, 27), 3) == date(2026, 11, 23)
    # A commune override still wins over the switch.
    assert not WorkingCalendar([date(2026, 11, 24)], culture_day=False).is_working_day(date(2026, 11, 24))


def _holiday_name(day: date) -> str:
    return holidays.country_holidays("VN", years=day.year, language="vi").get(day)


def test_per_commune_overrides_move_windows():
    meeting = date(2017, 3, 25)
    # A local day off on Thu 23/03 pushes the third working day back to Tue 21 -> issue Mon 20/03.
    local = WorkingCalendar(extra_days_off=[date(2017, 3, 23)])
    assert local.last_issue_date_working_days_before(meeting, 3) == date(2017, 3, 20)
    # A local working Saturday 01/04 inside the conclusion window: 27-31/03 (5), 01/04 (6),
    # 03-05/04 (9), 06/04 Giỗ Tổ off, Fri 07/04 (10) instead of Mon 10/04.
    assert WorkingCalendar(extra_working_days=[date(2017, 4, 1)]).nth_working_day_after(meeting, 10) == date(
        2017, 4, 7
    )


def test_negative_or_zero_counts():
    with pytest.raises(ValueError):
        _CAL.last_issue_date_working_days_before(date(2017, 3, 25), -1)
    with pytest.raises(ValueError):
        _CAL.last_issue_date_days_before(date(2017, 3, 25), -1)
    with pytest.raises(ValueError):
        _CAL.nth_working_day_after(date(2017, 3, 25), 0)
    # n=0: the last working day before the meeting (Fri 24/03/2017).
    assert _CAL.last_issue_date_working_days_before(date(2017, 3, 25), 0) == date(2017, 3, 24)


@settings(max_examples=300, deadline=None)
@given(
    meeting=st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31)),
    n=st.integers(min_value=1, max_value=15),
)
def test_property_working_day_counts(meeting: date, n: int):
    issue = _CAL.last_issue_date_working_days_before(meeting, n)
    assert _CAL.is_working_day(issue)
    assert issue < meeting
    assert _working_days_strictly_between(_CAL, issue, meeting) == n

    after = _CAL.nth_working_day_after(meeting, n)
    assert _CAL.is_working_day(after)
    assert after > meeting
    assert _working_days_strictly_between(_CAL, meeting, after) == n - 1
