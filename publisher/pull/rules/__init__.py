"""The publication rules of DESIGN §3 after validation, each a small named unit.

A gate decides whether a record is shown; a watch only flags it to staff. Gates run in the
order of DESIGN §3 and the first that fires decides the record's outcome; every finding is
reported. The rule set is data: the policy from portal.toml parameterises each rule.
"""

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


def decide(record: Record, ctx: RuleContext) -> Decision:
    """Run every gate and watch on one valid record."""
    from publisher.pull.rules.gates import GATES
    from publisher.pull.rules.watches import WATCHES

    findings = [f for rule in GATES if (f := rule(record, ctx))]
    outcome = next((f.outcome for f in findings if f.outcome), Outcome.SHOW)
    decision = Decision(record, outcome, findings)
    decision.findings.extend(f for watch in WATCHES if (f := watch(decision, ctx)))
    return decision
