"""What the rules say of a record: outcomes, findings, the decision, and what every rule is given.

A rule reads the clock through its context, which notes when the answer could change with time alone
(`RuleContext.reached`, `begun`, `changes_at`; reading `today` as a value counts as "tomorrow"), so a
decision carries the earliest such moment (`Decision.until`) and the pull's memo reuses it until then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from publisher.core.config import Policy
from publisher.core.workingdays import WorkingDayCalendar
from publisher.pull.rows import Record


class Outcome(StrEnum):
    SHOW = "show"
    HOLD = "hold"  # not approved or not yet due: may be shown by a later run
    BLOCK = "block"  # a compliance problem staff must resolve (major decision without review)
    EXCLUDE = "exclude"  # never shown: withheld, warning-only, simple procedure
    WITHDRAW = "withdraw"  # no longer live: revoked, annulled, display period ended


@dataclass(frozen=True)
class Finding:
    rule: str
    outcome: Outcome | None  # None: a watch's flag, which does not stop the record
    field: str | None
    reason: str
    category: str = ""  # for withdrawals, the public category of reason (撤销, 公示期满, …)


class TracedCalendar(WorkingDayCalendar):
    """The working-day calendar, noting the years a judgement looked up (their coverage is in the run report)."""

    def __init__(self) -> None:
        super().__init__()
        self.looked_up: set[int] = set()

    def _year(self, year: int) -> tuple[int, list[bool], list[int]]:
        self.looked_up.add(year)
        return super()._year(year)


@dataclass(frozen=True)
class RuleContext:
    now: datetime
    policy: Policy
    calendar: WorkingDayCalendar = field(default_factory=TracedCalendar)
    # For the record being judged: the earliest moment at which a rule's answer would change with time alone.
    _changes: list[datetime] = field(default_factory=list, repr=False, compare=False)

    @property
    def today(self) -> date:
        """Today as a value: an answer that uses it may change tomorrow (use `reached` or `begun` to compare)."""
        self.changes_at(self.start_of(self.now.date() + timedelta(days=1)))
        return self.now.date()

    def start_of(self, day: date) -> datetime:
        return datetime.combine(day, time(), self.now.tzinfo)

    def reached(self, moment: datetime) -> bool:
        """moment <= now; while it is not, the answer changes at `moment`."""
        if moment <= self.now:
            return True
        self.changes_at(moment)
        return False

    def begun(self, day: date) -> bool:
        """today >= day; while it is not, the answer changes when `day` begins."""
        return self.reached(self.start_of(day))

    def changes_at(self, moment: datetime) -> None:
        """A rule says its answer for this record may change at `moment` with no change to the record."""
        if not self._changes or moment < self._changes[0]:
            self._changes[:] = [moment]  # only the earliest counts: the list never grows past one

    def judging(self) -> None:
        """A new record: forget what the last one's rules said (decide calls this)."""
        self._changes.clear()
        if isinstance(self.calendar, TracedCalendar):
            self.calendar.looked_up.clear()

    def until(self) -> datetime | None:
        """The earliest moment the rules noted for this record; None: its judgement never changes with time."""
        return self._changes[0] if self._changes else None

    def gaps(self) -> tuple[int, ...]:
        """The years this record's rules looked up that the holiday table does not cover."""
        uncovered = self.calendar.uncovered_years
        if not uncovered:
            return ()
        looked_up = self.calendar.looked_up if isinstance(self.calendar, TracedCalendar) else uncovered
        return tuple(sorted(looked_up & uncovered))


Rule = Callable[[Record, RuleContext], Finding | None]


@dataclass
class Decision:
    record: Record
    outcome: Outcome
    findings: list[Finding]
    until: datetime | None = None  # the earliest moment time alone could change this decision (None: never)
    gaps: tuple[int, ...] = ()  # years its deadline was counted in without holiday data

    @property
    def deciding(self) -> Finding | None:
        return next((f for f in self.findings if f.outcome is self.outcome), None)
