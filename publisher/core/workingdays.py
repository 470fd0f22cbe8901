"""Working days on the Chinese calendar: weekends and statutory holidays off, 调休 Saturdays on."""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar


class WorkingDayCalendar:
    """Counts working days; outside the years the holiday table covers, falls back to Mon–Fri.

    `uncovered_years` tells the run report when the fallback was used, because a deadline
    counted without the State Council's holiday notice may be a day or two early.
    Days are looked up once per year and counted with prefix sums: a pull of three years of
    history asks for hundreds of thousands of days, and chinese_calendar takes ~25 µs a day.
    """

    def __init__(self) -> None:
        self.uncovered_years: set[int] = set()
        self._years: dict[int, tuple[list[bool], list[int]]] = {}

    def _year(self, year: int) -> tuple[list[bool], list[int]]:
        """(is working day, working days before this day) for every day of a year."""
        if year not in self._years:
            first = date(year, 1, 1)
            days = [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]
            try:
                working = [chinese_calendar.is_workday(d) for d in days]
            except NotImplementedError:
                self.uncovered_years.add(year)
                working = [d.weekday() < 5 for d in days]
            before, running = [], 0
            for w in working:
                before.append(running)
                running += w
            self._years[year] = (working, before)
        return self._years[year]

    def is_working_day(self, day: date) -> bool:
        return self._year(day.year)[0][day.timetuple().tm_yday - 1]

    def _count_through(self, day: date, since_year: int) -> int:
        """Working days from 1 January of `since_year` up to and including `day`."""
        total = sum(sum(self._year(y)[0]) for y in range(since_year, day.year))
        working, before = self._year(day.year)
        index = day.timetuple().tm_yday - 1
        return total + before[index] + working[index]

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
        if end <= start:
            return 0
        return self._count_through(end, start.year) - self._count_through(start, start.year)
