"""Vietnamese working days: Monday to Friday minus public holidays (lunar ones, days off in
lieu), plus the government's make-up Saturdays, from the `holidays` package; a per-commune
override table adds days off or working days the package does not know.

Counting follows the Civil Code (arts. 147-148): the day of the event is not counted.

24/11 "Ngày Văn hóa Việt Nam" (NQ 80-NQ/TW) is a public holiday in `holidays` 0.109 from 2026,
with a day off in lieu when it falls on a weekend ("Ngày Văn hóa Việt Nam (nghỉ bù)"). Its
place in the Labour Code was still a proposal, so `culture_day=False` treats those days as
ordinary days (working days when Monday to Friday).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from datetime import date, timedelta

import holidays

# The name `holidays` 0.109 gives 24/11 (and, with " (nghỉ bù)", its day off in lieu) under language="vi".
CULTURE_DAY_NAME = "Ngày Văn hóa Việt Nam"
_ONE_DAY = timedelta(days=1)


def _is_culture_day_name(name: str) -> bool:
    return unicodedata.normalize("NFC", name).startswith(CULTURE_DAY_NAME)


class WorkingCalendar:
    def __init__(
        self,
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
        *,
        culture_day: bool = True,
    ) -> None:
        self._days_off = frozenset(extra_days_off)
        self._working = frozenset(extra_working_days)
        self.culture_day = culture_day
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
        official = self._official(day.year)
        if official.is_working_day(day):
            return True
        if not self.culture_day and day.weekday() < 5:
            # A weekday that is off only because of 24/11 (or its day in lieu) works without it.
            names = official.get_list(day)
            return bool(names) and all(_is_culture_day_name(n) for n in names)
        return False

    def nth_working_day_after(self, event: date, n: int) -> date:
        """'No later than N working days after E': the N-th working day after E."""
        if n < 1:
            raise ValueError("n must be at least 1")
        day, counted = event, 0
        while counted < n:
            day += _ONE_DAY
            counted += self.is_working_day(day)
        return day

    def last_issue_date_working_days_before(self, event: date, n: int) -> date:
        """'At least N working days before E': N full working days lie strictly between the
        issue date and E; the last allowed issue date is the working day before those N days
        (n=0: the last working day before E)."""
        if n < 0:
            raise ValueError("n must not be negative")
        day, counted = event, 0
        while True:
            day -= _ONE_DAY
            if self.is_working_day(day):
                if counted == n:
                    return day
                counted += 1

    @staticmethod
    def last_issue_date_days_before(event: date, n: int) -> date:
        """'At least N days before E' in calendar days: N full days lie strictly between."""
        if n < 0:
            raise ValueError("n must not be negative")
        return event - timedelta(days=n + 1)

    @staticmethod
    def due_before(d: date) -> date:
        """'Before date D' (trước ngày D): on time until the end of the day before D.
        Documents print D itself."""
        return d - _ONE_DAY
