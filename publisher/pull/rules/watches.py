"""Watches: the deadline watch and the discretion watch of DESIGN §3. They flag, never stop."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from publisher.core.schema import RECORD_TYPES
from publisher.pull.rules.findings import Decision, Finding, Outcome, RuleContext


def deadline(decision: Decision, ctx: RuleContext) -> Finding | None:
    """A record not shown by its statutory deadline (7 or 20 working days) is overdue."""
    record = decision.record
    date_field = RECORD_TYPES[record.type].date_field
    if date_field is None or decision.outcome in (Outcome.EXCLUDE, Outcome.WITHDRAW):
        return None
    decided = record.get(date_field)
    days = ctx.policy.deadline_days(record.type)
    shown_on = record.get("first_published") if decision.outcome is Outcome.SHOW else None
    today = ctx.now.date()  # how the answer moves with the day is noted just below
    # The calendar's late_by is the statistics' rule too, so the report and the figures agree.
    late = ctx.calendar.late_by(decided, days, shown_on or today)
    if decision.outcome is not Outcome.SHOW:  # a shown record is flagged late only as it is added (memo.py)
        # Overdue grows by the working day; not yet overdue, it cannot be before `days` calendar days have passed.
        tomorrow = today + timedelta(days=1)
        ctx.changes_at(ctx.start_of(tomorrow if late else max(tomorrow, decided + timedelta(days=days + 1))))
    if not late:
        return None
    due_by = ctx.calendar.due_on(decided, days)
    when = f"{RECORD_TYPES[record.type].field(date_field).zh} {decided}，应于 {due_by} 前公示（{days}个工作日）"
    if decision.outcome is Outcome.SHOW:
        on = f"，{shown_on} 首次公开，超过" if shown_on else "，现已超过"
        return Finding("deadline", None, date_field, f"{when}{on}{late}个工作日", "late")
    return Finding("deadline", None, date_field, f"逾期未公示：{when}，已逾期{late}个工作日", "overdue")


def discretion(decision: Decision, ctx: RuleContext) -> Finding | None:
    """A fine outside the agency's benchmark range for its violation type is flagged."""
    record = decision.record
    fine = record.get("fine")
    if record.type != "penalties" or fine is None:
        return None
    chosen = ctx.policy.fine_range(record.get("violation_type"), record.get("party_type"))
    if chosen is None or chosen.position(fine) == "within":
        return None
    side = "高于" if fine > chosen.maximum else "低于"
    return Finding("discretion", None, "fine",
                   f"罚款{fine}万元{side}“{chosen.violation_type}”裁量基准"
                   f"（{chosen.minimum}–{chosen.maximum}万元），请核查裁量理由")


WATCHES: tuple[Callable[[Decision, RuleContext], Finding | None], ...] = (deadline, discretion)
