"""What the rules say of a record: outcomes, findings, the decision, and what every rule is given."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
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


@dataclass(frozen=True)
class RuleContext:
    now: datetime
    policy: Policy
    calendar: WorkingDayCalendar = field(default_factory=WorkingDayCalendar)

    @property
    def today(self) -> date:
        return self.now.date()


Rule = Callable[[Record, RuleContext], Finding | None]


@dataclass
class Decision:
    record: Record
    outcome: Outcome
    findings: list[Finding]

    @property
    def deciding(self) -> Finding | None:
        return next((f for f in self.findings if f.outcome is self.outcome), None)
