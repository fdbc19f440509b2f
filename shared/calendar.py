"""Vietnamese working days: Monday to Friday minus public holidays (lunar ones, days off in
lieu), plus the government's make-up Saturdays, from the `holidays` package; a per-commune
override table adds days off or working days the package does not know.

Counting follows the Civil Code (arts. 147-148): the day of the event is not counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

import holidays


class WorkingCalendar:
    def __init__(self, extra_days_off: Iterable[date] = (), extra_working_days: Iterable[date] = ()) -> None:
        self._days_off = frozenset(extra_days_off)
        self._working = frozenset(extra_working_days)
        self._years: dict[int, holidays.HolidayBase] = {}

    def _official(self, year: int) -> holidays.HolidayBase:
        if year not in self._years:
            self._years[year] = holidays.country_holidays("VN", years=year, language="vi")
        return self._years[year]

    def is_working_day(self, day: date) -> bool:
        if day in self._working:
            return True
        if day in self._days_off:
            return False
        return self._official(day.year).is_working_day(day)

    def nth_working_day_after(self, event: date, n: int) -> date:
        """'No later than N working days after E': the N-th working day after E."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day, counted = event, 0
        while counted < n:
            day += timedelta(days=1)
            counted += self.is_working_day(day)
        return day
