"""The publication rules of DESIGN §3 after validation, each a small named unit.

A gate decides whether a record is shown; a watch only flags it to staff. Gates run in the
order of DESIGN §3 and the first that fires decides the record's outcome; every finding is
reported. The rule set is data: the policy from portal.toml parameterises each rule.
"""

from __future__ import annotations

from publisher.pull.rows import Record
from publisher.pull.rules.findings import Decision, Finding, Outcome, Rule, RuleContext
from publisher.pull.rules.gates import GATES
from publisher.pull.rules.watches import WATCHES

__all__ = ["Decision", "Finding", "Outcome", "Rule", "RuleContext", "decide"]


def decide(record: Record, ctx: RuleContext) -> Decision:
    """Run every gate and watch on one valid record; the decision says until when time leaves it as it is."""
    ctx.judging()
    findings = [f for rule in GATES if (f := rule(record, ctx))]
    outcome = next((f.outcome for f in findings if f.outcome), Outcome.SHOW)
    decision = Decision(record, outcome, findings)
    decision.findings.extend(f for watch in WATCHES if (f := watch(decision, ctx)))
    decision.until, decision.gaps = ctx.until(), ctx.gaps()
    return decision
