"""Working days on the Chinese calendar: weekends and statutory holidays off, 调休 Saturdays on."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


class WorkingDayCalendar:
    """Counts working days; outside the years the holiday table covers, falls back to Mon–Fri.

    `uncovered_years` tells the run report when the fallback was used, because a deadline
    counted without the State Council's holiday notice may be a day or two early.
    """

    def __init__(self) -> None:
        self.uncovered_years: set[int] = set()

    def is_working_day(self, day: date) -> bool:
        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            self.uncovered_years.add(day.year)
            return day.weekday() < 5

    def add_working_days(self, start: date, days: int) -> date:
        """The date that is `days` working days after `start` (start itself not counted)."""
        day = start
        remaining = days
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 if end <= start)."""
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count
