"""What a plan does, as `portal check` and `portal pull` print it: a table a clerk can act on, or JSON."""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from typing import Any

from publisher.core.labels import ACTION_LABELS, FLAG_LABELS, MASK_LABELS
from publisher.core.schema import RECORD_TYPES
from publisher.pull.plan import Action, Plan

# The order a clerk reads: what goes wrong first, then what changes on the site.
REPORT_ORDER = (Action.REJECT, Action.BLOCK, Action.HOLD, Action.EXCLUDE, Action.WITHDRAW, Action.CHANGE,
                Action.ADD)


def as_json(plan: Plan) -> dict[str, Any]:
    counts = plan.counts()
    return {
        "now": plan.now.isoformat(timespec="minutes"),
        "exit_code": plan.exit_code,
        "summary": {a.value: counts.get(a.value, 0) for a in Action},
        "masked": sum(bool(i.masked) for i in plan.items),
        "masked_kinds": dict(sorted(_masked_kinds(plan).items())),
        "stopped": [{"type": t, "reason": r} for t, r in sorted(plan.stopped.items())],
        "failures": [vars(f) for f in plan.failures],
        "items": [
            {
                "action": i.action.value, "type": i.type, "key": i.key, "slug": i.slug,
                "file": i.origin.file if i.origin else None, "row": i.origin.row if i.origin else None,
                "source": i.origin.source if i.origin else None,
                "field": i.field, "rule": i.rule, "reason": i.reason, "kept_page": i.kept_page,
                "masked": dict(i.masked),
            }
            for i in plan.items if i.action is not Action.UNCHANGED
        ],
        "flags": [
            {"kind": f.kind, "type": f.type, "key": f.key, "file": f.origin.file, "row": f.origin.row,
             "field": f.field, "reason": f.reason}
            for f in plan.flags
        ],
        "notes": [vars(n) for n in plan.notes],
        "calendar_gaps": plan.calendar_gaps,
    }


def as_text(plan: Plan) -> str:
    counts = plan.counts()
    out = [f"运行时间 {plan.now:%Y-%m-%d %H:%M}"]
    out.append("汇总：" + "，".join(f"{ACTION_LABELS[a]} {counts.get(a.value, 0)}" for a in
                                  (*REPORT_ORDER, Action.UNCHANGED)))
    if plan.stopped:
        out.append("\n停止更新的信息类别（本次不写入、不撤回）：")
        out.extend(f"  {RECORD_TYPES[t].zh}（{t}）：{r}" for t, r in sorted(plan.stopped.items()))
    for action in REPORT_ORDER:
        items = [i for i in plan.items if i.action is action]
        if not items:
            continue
        out.append(f"\n{ACTION_LABELS[action]} {action.value}（{len(items)}）")
        rows = [[RECORD_TYPES[i.type].zh, i.key or i.slug or "—",
                 str(i.origin) if i.origin else "—", i.field or "—", i.rule, i.reason] for i in items]
        out.extend(_table(["类别", "记录", "位置", "字段", "规则", "原因"], rows))
    for kind, label in FLAG_LABELS.items():
        flags = [f for f in plan.flags if f.kind == kind]
        if flags:
            out.append(f"\n提醒：{label} {kind}（{len(flags)}）")
            out.extend(_table(["类别", "记录", "位置", "原因"],
                              [[RECORD_TYPES[f.type].zh, f.key, str(f.origin), f.reason] for f in flags]))
    masked = [i for i in plan.items if i.masked and i.action is not Action.UNCHANGED]
    if any(i.masked for i in plan.items):
        kinds = "，".join(f"{MASK_LABELS.get(k, k)} {n}" for k, n in sorted(_masked_kinds(plan).items()))
        out.append(f"\n脱敏 masked：{sum(bool(i.masked) for i in plan.items)}条公开记录含自然人信息或文字中的个人信息，"
                   f"已按规则处理（{kinds}；姓名按规则遮蔽，证件号码保留前6位和后4位，电话、住址、银行账号、邮箱不公开）")
        if masked:
            out.append("  本次写入的记录中被遮蔽的内容（请核对数据源，个人信息不应填入公开字段）：")
            out.extend(_table(["类别", "记录", "位置", "遮蔽"], [
                [RECORD_TYPES[i.type].zh, i.key or i.slug or "—", str(i.origin) if i.origin else "—",
                 "，".join(f"{MASK_LABELS.get(k, k)} {n}" for k, n in i.masked)] for i in masked]))
    if plan.notes:
        out.append("\n说明：")
        out.extend(f"  {n.location}：{n.message}" for n in plan.notes)
    if plan.calendar_gaps:
        years = "、".join(str(y) for y in plan.calendar_gaps)
        out.append(f"\n注意：{years}年的节假日安排尚未收录，工作日按周一至周五计算，期限可能提前一两天。")
    return "\n".join(out) + "\n"


def _masked_kinds(plan: Plan) -> Counter[str]:
    """What rule 7 masked in the records this plan shows, by kind."""
    total: Counter[str] = Counter()
    for item in plan.items:
        total.update(dict(item.masked))
    return total


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    """Columns aligned for a terminal with Chinese (double-width) characters; the last column runs free."""
    cells = [header, *rows]
    widths = [min(max(_width(r[c]) for r in cells), 40) for c in range(len(header) - 1)]

    def line(r: list[str]) -> str:
        padded = [r[c] + " " * max(widths[c] - _width(r[c]), 0) for c in range(len(widths))]
        return "  " + "  ".join(padded + [r[-1]])

    return [line(header)] + [line(r) for r in rows]


def dumps(plan: Plan) -> str:
    return json.dumps(as_json(plan), ensure_ascii=False, indent=2, default=str)
