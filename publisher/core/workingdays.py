"""Working days on the Chinese calendar: weekends and statutory holidays off, 调休 Saturdays on.

The one statutory deadline rule (DESIGN §3) lives here: the run report's deadline watch and the
public timeliness figures both ask `due_on`, `days_taken` and `late_by`, so they cannot disagree.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, timedelta

import chinese_calendar


class WorkingDayCalendar:
    """Counts working days; outside the years the holiday table covers, falls back to Mon–Fri.

    `uncovered_years` tells the run report when the fallback was used, because a deadline
    counted without the State Council's holiday notice may be a day or two early.
    Days are looked up once per year and counted with per-year prefix sums: the statistics ask
    for every shown record (100k at province scale), and chinese_calendar takes ~25 µs a day.
    """

    def __init__(self) -> None:
        self.uncovered_years: set[int] = set()
        # year -> (ordinal of 1 January, is working day, working days from 1 January through this day)
        self._years: dict[int, tuple[int, list[bool], list[int]]] = {}

    def _year(self, year: int) -> tuple[int, list[bool], list[int]]:
        if year not in self._years:
            first = date(year, 1, 1)
            days = [first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days)]
            try:
                working = [chinese_calendar.is_workday(d) for d in days]
            except NotImplementedError:
                self.uncovered_years.add(year)
                working = [d.weekday() < 5 for d in days]
            through, running = [], 0
            for w in working:
                running += w
                through.append(running)
            self._years[year] = (first.toordinal(), working, through)
        return self._years[year]

    def is_working_day(self, day: date) -> bool:
        first, working, _ = self._year(day.year)
        return working[day.toordinal() - first]

    def _through(self, day: date) -> int:
        """Working days from 1 January of its year up to and including `day`."""
        first, _, through = self._year(day.year)
        return through[day.toordinal() - first]

    def _after(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (end after start)."""
        # Whole years in between come from their cached totals: O(years), not O(days).
        years = sum(self._year(y)[2][-1] for y in range(start.year, end.year))
        return years + self._through(end) - self._through(start)

    def due_on(self, decided: date, days: int) -> date:
        """The last day a record decided on `decided` is on time: the `days`-th working day after it."""
        if days <= 0:
            return decided
        year, target = decided.year, self._through(decided) + days
        first, _, through = self._year(year)
        while target > through[-1]:  # the deadline runs into the next year
            target -= through[-1]
            year += 1
            first, _, through = self._year(year)
        # The first day whose running count reaches the target is that working day.
        return date.fromordinal(first + bisect_left(through, target))

    def days_taken(self, decided: date, shown: date) -> int:
        """Working days after `decided` up to the day it was shown (0 if shown by the decision day).

        A day shown on a weekend or holiday counts as shown on the next working day: it was not
        shown by the end of the last working day, so Saturday after a Friday deadline is 1 day late.
        """
        if shown <= decided:
            return 0
        return self._after(decided, shown) + (not self.is_working_day(shown))

    def late_by(self, decided: date, days: int, shown: date) -> int:
        """Working days past a `days`-working-day deadline; 0 exactly when shown <= due_on(decided, days)."""
        return max(0, self.days_taken(decided, shown) - days)
