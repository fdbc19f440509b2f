from datetime import date

from shared.calendar import WorkingCalendar


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
