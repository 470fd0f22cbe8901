"""Pelican plugin: the statistics page and the yearly enforcement data report (行政执法数据年度报告, annual.py).

Named `stats`, not `statistics`: Pelican imports a plugin by its bare name, and `statistics` would
shadow (or be shadowed by) the standard library module of that name.

Figures come from content/ alone (the build context's `published`) (DESIGN §6). Each chart is an inline SVG
with <title> and <desc> beside a table of the same numbers; each page has a JSON twin.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from pelican import signals
from pelican.generators import Generator

from publisher.core.annual import AnnualReport
from publisher.core.config import Config
from publisher.core.content import PublishedRecord
from publisher.core.schema import RECORD_TYPES
from publisher.core.workingdays import WorkingDayCalendar
from publisher.site.context import build_context

from .agencies import AGENCIES_JSON, agencies_json, agency_table, compute_agencies
from .annual import STATISTICS_URL, annual_url, write_annual_reports
from .charts import Chart, bar_chart, column_panels
from .figures import (
    DAY_BUCKETS,
    RESULT_TYPES,
    TIMELY_TYPES,
    Figures,
    Timeliness,
    format_money,
    format_rate,
)
from .tallies import figures_of, year_tallies

SHORT = {t: RECORD_TYPES[t].short for t in RESULT_TYPES}


def _table(caption: str, head: list[str], rows: list[list[Any]], css: str = "") -> dict[str, Any]:
    return {"caption": caption, "head": head, "rows": rows, "css": css}


def _days(t: Timeliness) -> str:
    return "—" if t.median_days is None else f"{t.median_days:g}"


def panels(fig: Figures, prefix: str) -> dict[str, dict[str, Any]]:
    """Each chart with its table: months, departments, violation types, penalty classes, timeliness."""
    zh = {t: RECORD_TYPES[t].zh for t in RESULT_TYPES}
    scope = f"{fig.scope}年" if fig.scope else "当前公示的"
    out: dict[str, dict[str, Any]] = {}
    months = [m for m, _ in fig.months]
    out["months"] = {
        "chart": column_panels(f"{prefix}-months", f"{scope}各类执法决定按月数量",
                               f"按决定或检查日期所在月份统计，共{len(months)}个月；每行柱形为一类决定（"
                               f"{'、'.join(zh[t] for t in RESULT_TYPES)}），"
                               "每行的高度按该行单月最大值缩放。各月数字见旁边的表格。",
                               months, [(zh[t], [c[t] for _, c in fig.months]) for t in RESULT_TYPES]),
        "table": _table("按月数量（件）", ["月份", *(zh[t] for t in RESULT_TYPES)],
                        [[m, *(str(c[t]) for t in RESULT_TYPES)] for m, c in fig.months], css="stat-nowrap"),
    }
    out["departments"] = {
        "chart": bar_chart(f"{prefix}-departments", f"{scope}各承办机构的执法数量",
                           f"每个承办机构下依次为{'、'.join(zh[t] for t in RESULT_TYPES)}的件数（无则不列），"
                           "条形长度与件数成正比。",
                           [(d, [(SHORT[t], c[t], f"{c[t]}件") for t in RESULT_TYPES if c[t]]) for d, c in
                            fig.departments]),
        "table": _table("按承办机构统计（件）", ["承办机构", *(zh[t] for t in RESULT_TYPES), "合计"],
                        [[d, *(str(c[t]) for t in RESULT_TYPES), str(sum(c.values()))] for d, c in fig.departments]),
    }
    out["violations"] = {
        "chart": bar_chart(f"{prefix}-violations", f"{scope}行政处罚按违法行为类型",
                           "每种违法行为类型的行政处罚件数，条形长度与件数成正比；罚款金额见表格。",
                           [(v, [("", n, f"{n}件")]) for v, n, _ in fig.violations]),
        "table": _table("按违法行为类型统计", ["违法行为类型", "处罚（件）", "罚款（万元）"],
                        [[v, str(n), format_money(f)] for v, n, f in fig.violations]),
    }
    out["classes"] = {
        "chart": bar_chart(f"{prefix}-classes", f"{scope}行政处罚按处罚类别",
                           "每个处罚类别涉及的处罚决定件数；一个决定可有多个处罚类别，合计可能大于决定数。",
                           [(c, [("", n, f"{n}件")]) for c, n in fig.penalty_classes]),
        "table": _table("按处罚类别统计（一个决定可有多个类别）", ["处罚类别", "决定（件）"],
                        [[c, str(n)] for c, n in fig.penalty_classes]),
    }
    timely = [*fig.timeliness.values(), fig.overall]
    name = {**zh, "all": "合计"}
    out["timeliness"] = {
        "chart": bar_chart(f"{prefix}-timeliness", f"{scope}各类执法决定的公示及时率",
                           "在决定作出之日起法定期限（行政许可、行政处罚7个工作日，其他20个工作日）内公示的比例，条形满格为100%。",
                           [(name[t.type], [("", (t.rate or 0) * 100, f"{format_rate(t)}（{t.on_time}/{t.total}）")])
                            for t in timely], maximum=100, track=True),
        "table": _table("公示及时率", ["类别", "公示（件）", "按期（件）", "及时率", "用时中位数（工作日）"],
                        [[name[t.type], str(t.total), str(t.on_time), format_rate(t), _days(t)] for t in timely]),
    }
    out["days"] = {
        "chart": bar_chart(f"{prefix}-days", f"{scope}从决定到公示所用的工作日",
                           "各类执法决定从决定作出到在本平台公示所用工作日的分布，条形长度与件数成正比。",
                           [(label, [("", n, f"{n}件")]) for (label, _, _), n in zip(DAY_BUCKETS, fig.overall.buckets,
                                                                                    strict=True)]),
        "table": _table("公示用时分布（件）", ["用时", *(zh[t] for t in TIMELY_TYPES), "合计"],
                        [[label, *(str(fig.timeliness[t].buckets[i]) for t in TIMELY_TYPES),
                          str(fig.overall.buckets[i])] for i, (label, _, _) in enumerate(DAY_BUCKETS)]),
    }
    return out


def year_table(yearly: list[tuple[str, Figures]], report_years: list[str]) -> dict[str, Any]:
    """Each year's counts, fines and timeliness, with a link to its yearly report once it is due."""
    rows = [[f"{y}年", *(str(f.totals[t]) for t in RESULT_TYPES), format_money(f.fines), format_rate(f.overall),
             (f"{y}年度报告", annual_url(y)) if y in report_years else "次年1月1日起发布"] for y, f in yearly]
    return _table("各年度执法数量、罚款和公示及时率", ["年度", *(f"{RECORD_TYPES[t].zh}（件）" for t in RESULT_TYPES),
                                                    "罚款（万元）", "公示及时率", "年度报告"], rows)


def summary(fig: Figures) -> list[tuple[str, str]]:
    """The headline figures, as (label, value) pairs."""
    return [
        *((f"{RECORD_TYPES[t].zh}", f"{fig.totals[t]} 件") for t in RESULT_TYPES),
        ("罚款总额", f"{format_money(fig.fines)} 万元（{fig.fined} 件）"),
        ("没收金额", f"{format_money(fig.confiscation)} 万元"),
        ("公示及时率", f"{format_rate(fig.overall)}（{fig.overall.on_time}/{fig.overall.total}）"),
        ("公示用时中位数", f"{_days(fig.overall)} 个工作日" if fig.overall.median_days is not None else "—"),
    ]


def figures_json(fig: Figures, base: str) -> dict[str, Any]:
    """The same figures for machines (the pages' JSON twins)."""
    def timely(t: Timeliness) -> dict[str, Any]:
        return {"deadline_working_days": t.deadline, "published": t.total, "on_time": t.on_time,
                "rate": None if t.rate is None else round(t.rate, 6), "median_working_days": t.median_days,
                "distribution": {label: n for (label, _, _), n in zip(DAY_BUCKETS, t.buckets, strict=True)}}

    return {
        "scope": fig.scope or "all", "totals": fig.totals,
        "fines_wan_yuan": format_money(fig.fines), "confiscation_wan_yuan": format_money(fig.confiscation),
        "fined": fig.fined, "by_month": dict(fig.months), "by_year": dict(fig.years),
        "by_department": dict(fig.departments),
        "by_violation_type": {v: {"penalties": n, "fines_wan_yuan": format_money(f)} for v, n, f in fig.violations},
        "by_penalty_class": dict(fig.penalty_classes), "by_permit_class": dict(fig.permit_classes),
        "timeliness": {**{t: timely(v) for t, v in fig.timeliness.items()}, "all": timely(fig.overall)},
        "opendata": base + "/opendata/",
    }


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def write_statistics(published: dict[str, list[PublishedRecord]], config: Config, pages: Any, today: date,
                     annual: dict[str, AnnualReport] | None = None) -> None:
    """The statistics page over what content/ shows now; the yearly reports from the ledger's sealed years."""
    deadlines = {t: config.policy.deadline_days(t) for t in TIMELY_TYPES}
    base = config.site.url
    # Each year's tally is counted again only when that year's records changed (tallies.py).
    tallies, cache = year_tallies(published, deadlines, config.paths.state / "cache" / "statistics",
                                  getattr(pages, "salt", ""), WorkingDayCalendar())
    cache.prune()
    everything = figures_of(tallies, deadlines)
    years = sorted(annual or {}, reverse=True)
    yearly = [(y, figures_of(tallies, deadlines, scope=y)) for y in dict(everything.years)]
    lastmod = max((r.published for t in RESULT_TYPES for r in published.get(t, []) if r.live), default="")
    pages.write(STATISTICS_URL, "statistics.html", lastmod=lastmod, fig=everything, panels=panels(everything, "all"),
                summary=summary(everything), year_table=year_table(yearly, years))
    pages.write_text(STATISTICS_URL + "index.json", _dumps(figures_json(everything, base)))
    write_annual_reports(annual or {}, base, pages)


class StatisticsGenerator(Generator):
    """Runs after the pages generator, which puts content/ and the page writer in the build context."""

    def generate_output(self, writer: Any) -> None:
        build = build_context(self.settings)
        # A unified platform's per-agency table (issue 19): the statistics page's one extra block.
        figures = compute_agencies(build.published, build.agencies, build.config)
        build.pages.extend_context(("statistics",), agency_table=agency_table(figures))
        if figures:  # the same numbers for machines, beside the page's own JSON twin
            build.pages.write_text(AGENCIES_JSON, _dumps(agencies_json(figures, build.config.site.url)))
        write_statistics(build.published, build.config, build.pages, build.today, build.annual)


def get_generators(pelican_object: Any) -> type[Generator]:
    return StatisticsGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)


__all__ = ["Chart", "StatisticsGenerator", "register", "write_statistics"]
