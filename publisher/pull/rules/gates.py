"""Gates: rules 2–6 of DESIGN §3. Each returns a Finding when the record may not be shown."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from publisher.core import rights
from publisher.core.schema import NATURAL_PERSON
from publisher.pull.rows import Record
from publisher.pull.rules.findings import Finding, Outcome, Rule, RuleContext

# The flag staff see when a 信用修复 date is set but the rules do not allow the removal (labels.FLAG_LABELS).
REPAIR_REFUSED = "repair_refused"
# 个体工商户 are individuals in law; the catalogue's citizen threshold applies to them too.
_CITIZEN_PARTIES = {NATURAL_PERSON, "个体工商户"}


def approved(record: Record, ctx: RuleContext) -> Finding | None:
    status = record.get("review_status")
    if status == "已审核":
        return None
    shown = status or "空"
    return Finding("approved", Outcome.HOLD, "review_status", f"审核状态为“{shown}”，未经审核不得公开")


def major_reasons(record: Record, ctx: RuleContext) -> list[str]:
    """Why the agency's catalogue makes this decision major (empty when it does not)."""
    cat = ctx.policy.catalogue
    reasons = []
    if record.get("major"):
        reasons.append("标记为重大执法决定")
    fine: Decimal | None = record.get("fine")
    if fine is not None and record.type == "penalties":
        citizen = record.get("party_type") in _CITIZEN_PARTIES
        threshold = cat.fine_natural_person if citizen else cat.fine_organisation
        if fine >= threshold:
            who = "公民" if citizen else "法人或其他组织"
            reasons.append(f"对{who}罚款{fine}万元，达到{threshold}万元的重大标准")
    hit = [c for c in record.get("penalty_class", []) if c in cat.classes]
    if hit:
        reasons.append(f"处罚类别含{'、'.join(hit)}")
    coerced = [c for c in record.get("coercion_class", []) if c in cat.classes]
    if coerced:
        reasons.append(f"行政强制类别含{'、'.join(coerced)}")
    if cat.hearing_is_major and record.get("hearing"):
        reasons.append("经过听证")
    return reasons


def legally_reviewed(record: Record, ctx: RuleContext) -> Finding | None:
    reasons = major_reasons(record, ctx)
    if not reasons or record.get("legal_review_result") == "通过":
        return None
    result = record.get("legal_review_result")
    state = f"法制审核结论为“{result}”" if result else "无法制审核结论"
    return Finding("legally_reviewed", Outcome.BLOCK, "legal_review_result",
                   f"重大执法决定（{'；'.join(reasons)}）{state}，须经法制审核通过")


def due(record: Record, ctx: RuleContext) -> Finding | None:
    publish_at = record.get("publish_at")
    if publish_at is None or ctx.reached(publish_at):
        return None
    return Finding("due", Outcome.HOLD, "publish_at", f"公示日期 {publish_at:%Y-%m-%d %H:%M} 未到")


def not_excluded(record: Record, ctx: RuleContext) -> Finding | None:
    if record.get("withheld"):
        why = record.get("withheld_reason") or "未说明理由"
        return Finding("not_excluded", Outcome.EXCLUDE, "withheld", f"不予公开：{why}", "不予公开")
    if record.type != "penalties":
        return None
    if not ctx.policy.publish_warning_only and record.get("penalty_class") == ["警告"]:
        return Finding("not_excluded", Outcome.EXCLUDE, "penalty_class", "仅警告的处罚按规定不公开", "不予公开")
    if not ctx.policy.publish_simple_procedure and record.get("procedure") == "简易":
        return Finding("not_excluded", Outcome.EXCLUDE, "procedure", "简易程序作出的处罚按规定不公开", "不予公开")
    return None


def display_end(record: Record, ctx: RuleContext) -> date | None:
    """The last day a penalty may be shown (publisher.core.rights)."""
    if record.get("display_until"):
        return record.get("display_until")
    if record.type != "penalties":
        return None
    return rights.display_end(record.get("decision_date"), record.get("penalty_class", []), record.get("fine"),
                              ctx.policy.display, valid_until=record.get("valid_until"))


def credit_repair(record: Record, ctx: RuleContext) -> Finding | None:
    """A granted 信用修复 withdraws the penalty, unless the rules forbid it yet or at all (then staff are told)."""
    repaired: date | None = record.get("credit_repaired")
    if record.type != "penalties" or repaired is None or not ctx.begun(repaired):
        return None
    dates = rights.penalty_dates(record.values, ctx.policy)
    if dates is None or repaired > dates.display_end:
        return None  # granted after the period ended: the record went as 公示期满, nothing early
    kept = "，记录继续公示；请核对信用修复日期"
    if not dates.repair_allowed:
        hit = "、".join(c for c in record.get("penalty_class", []) if c in ctx.policy.credit_repair.no_early_removal)
        return Finding("live", None, "credit_repaired",
                       f"填写了信用修复日期 {repaired}，但处罚类别含{hit}，不得申请提前停止公示{kept}", REPAIR_REFUSED)
    if dates.earliest_repair is None or repaired < dates.earliest_repair:
        kind = "严重" if dates.serious else "一般"
        months = ctx.policy.credit_repair.serious_months if dates.serious else ctx.policy.credit_repair.general_months
        when = (f"最早 {dates.earliest_repair} 方可申请" if dates.earliest_repair
                else f"公示期于 {dates.display_end} 届满前最短公示期未满，无需提前停止公示")
        return Finding("live", None, "credit_repaired",
                       f"填写了信用修复日期 {repaired}，但{kind}失信行为的最短公示期为{months}个月，{when}{kept}",
                       REPAIR_REFUSED)
    return Finding("live", Outcome.WITHDRAW, "credit_repaired",
                   f"当事人申请信用修复，经核准于 {repaired} 提前停止公示", "信用修复")


def live(record: Record, ctx: RuleContext) -> Finding | None:
    status = record.get("status")
    if status in ("撤销", "无效"):
        return Finding("live", Outcome.WITHDRAW, "status", f"当前状态为“{status}”", status)
    repair = credit_repair(record, ctx)
    if repair is not None and repair.outcome is Outcome.WITHDRAW:
        return repair  # before the period's end, so a repaired notice keeps its reason when that end passes
    end = display_end(record, ctx)
    if end is not None and ctx.begun(end + timedelta(days=1)):  # over once the day after its last day begins
        return Finding("live", Outcome.WITHDRAW, "display_until", f"公示期已于 {end} 届满", "公示期满")
    return repair


GATES: tuple[Rule, ...] = (approved, legally_reviewed, due, not_excluded, live)
