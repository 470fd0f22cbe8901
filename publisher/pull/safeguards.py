"""Guards that stop a record type for the run rather than let a broken source change the public site.

A source that failed, came back empty, or lost many rows at once (a half-written file) stops its
type: nothing of it is written or withdrawn, and the report says why (DESIGN §4, §6).
"""

from __future__ import annotations

from publisher.core.config import Config
from publisher.core.content import ContentPage
from publisher.core.schema import RECORD_TYPES
from publisher.pull.items import Action, Plan
from publisher.pull.rows import SourceFailure, SourceNote, SourceResult

# Why a federated record left its agency's data when the agency's site has no notice for it
# (publisher.pull.sources.portal): a publisher that withdraws always leaves one, so many at once is a broken site.
AGENCY_GONE = "该机关已不再公示此记录"


def stop_failed_types(plan: Plan, failures: list[SourceFailure]) -> None:
    for failure in failures:
        types = [failure.type] if failure.type else list(RECORD_TYPES)
        for t in types:
            plan.stopped.setdefault(t, f"数据源读取失败（{failure.location}：{failure.message}），本次不更新此类信息")


def stop_empty_types(plan: Plan, present: set[str], existing: dict[str, dict[str, ContentPage]],
                      allow_empty: bool) -> None:
    for type_key, pages in existing.items():
        live = sum(1 for p in pages.values() if p.state == "live")
        if type_key not in present and live and not allow_empty and type_key not in plan.stopped:
            plan.stopped[type_key] = (f"数据源未返回任何{RECORD_TYPES[type_key].zh}记录，而网站上已公开{live}条："
                                      "本次不撤回任何内容（确需全部撤回时使用 --allow-empty）")


def guard_mass_withdrawal(plan: Plan, existing: dict[str, dict[str, ContentPage]], config: Config,
                           allowed: bool) -> None:
    """Rows gone from a source in bulk (a half-written file) stop their type instead of withdrawing it."""
    if allowed:
        return
    limits = config.intake
    for type_key, pages in existing.items():
        # Withdrawn because the row is gone: no origin (revocations and expired periods have their row).
        vanished = [i for i in plan.items if i.type == type_key and i.action is Action.WITHDRAW and i.origin is None]
        live = sum(1 for p in pages.values() if p.state == "live")
        if len(vanished) < limits.withdraw_floor or len(vanished) <= limits.withdraw_share * live:
            continue
        plan.stopped[type_key] = (
            f"数据源中少了{len(vanished)}条已公开的{RECORD_TYPES[type_key].zh}（共{live}条，超过"
            f"{limits.withdraw_share:.0%}）：可能是文件不完整或导出中断，本次不更新也不撤回此类信息；"
            "确需撤回时使用 --allow-mass-withdrawal")
        plan.items = [i for i in plan.items
                      if not (i.type == type_key and i.action in (Action.ADD, Action.CHANGE, Action.WITHDRAW))]


def guard_agency_disappearances(plan: Plan, existing: dict[str, dict[str, ContentPage]], config: Config,
                                result: SourceResult, allowed: bool) -> None:
    """Many of one agency's records gone from its site without a notice there: kept this run, not withdrawn.

    What an agency withdrew with a notice is followed however many; the limits are intake.withdraw_share
    and withdraw_floor, per agency and type, as for a source's vanished rows."""
    if allowed or not result.agencies:
        return
    limits = config.intake
    names = {f"{a.key}-": a.name for a in result.agencies}
    for type_key, pages in existing.items():
        gone: dict[str, list[int]] = {}
        for n, item in enumerate(plan.items):
            if (item.type == type_key and item.action is Action.WITHDRAW and item.origin is None and item.slug
                    and result.gone_reasons.get((type_key, item.slug)) == AGENCY_GONE):
                gone.setdefault(item.slug.split("-", 1)[0] + "-", []).append(n)
        dropped: set[int] = set()
        for prefix, found in gone.items():
            live = sum(1 for p in pages.values() if p.state == "live" and p.slug.startswith(prefix))
            if len(found) < limits.withdraw_floor or len(found) <= limits.withdraw_share * live:
                continue
            dropped.update(found)
            name = names.get(prefix, prefix)
            plan.notes.append(SourceNote("", name, (
                f"{name}的网站上少了{len(found)}条{RECORD_TYPES[type_key].zh}且没有撤回说明（共{live}条，超过"
                f"{limits.withdraw_share:.0%}）：可能是该网站不完整，本次不撤回；"
                "确需撤回时使用 --allow-mass-withdrawal")))
        plan.items = [i for n, i in enumerate(plan.items) if n not in dropped]
