"""The yearly report's facts in the ledger: each record's tally when first shown, each year's sealed tables.

A publication run records, in its run entry (`tallies`), one tally per decision of a report table that
content/ shows and the ledger has not tallied yet: [type, slug, year, heaviest category, 罚没金额]. The
values are read from content/ as `portal pull` wrote them, the one moment they are all there; the first
tally of a record wins, so an edited record re-published never counts twice, and a later withdrawal or
the end of a display period takes nothing away.

The first run on or after 1 January seals every past year with tallies and no seal yet: its run entry
holds that year's tables (`annual`), counted from every tally up to and including its own
(`portal report --year Y --seal` seals by hand, in an `annual` entry of its own). The site renders
a year's report from its seal alone, so it never changes; a decision of that year first shown after
the seal is listed apart as 封存后补充公示, never merged in.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat
from operator import itemgetter, methodcaller
from typing import Any

from publisher.core.annual import TABLE_OF_TYPE, AnnualReport, tables_of, tally_of
from publisher.core.config import Config
from publisher.core.content import load_record, markdown_names
from publisher.core.schema import RECORD_TYPES
from publisher.runs.ledger import Entry, Ledger, ledger_of

KIND = "annual"


@dataclass
class AnnualPlan:
    """What a run adds to its run entry (new tallies, years it seals) and the reports its build shows."""

    tallies: list[list[str]] = field(default_factory=list)
    seals: dict[str, dict[str, Any]] = field(default_factory=dict)  # year -> {sealed, tables}
    reports: dict[str, AnnualReport] = field(default_factory=dict)


def sealed_years(ledger: Ledger) -> dict[str, tuple[int, dict[str, Any]]]:
    """Year -> (seq of the entry that sealed it, {sealed, tables}); a year is sealed once, the first time."""
    out: dict[str, tuple[int, dict[str, Any]]] = {}
    if ledger.path.exists():  # read with json_extract: a first import's run body is megabytes
        for seq, kind, body in ledger.annual_seals():
            for year, seal in (body.items() if kind == "run" else [(body["year"], body)]):
                out.setdefault(year, (seq, seal))
    return out


def untallied(config: Config, tallied: set[tuple[str, str]]) -> list[list[str]]:
    """Tallies for the decisions content/ shows that the ledger has not tallied yet (new ones, or never before).

    In content_files' order (type, then file name). Only files whose name is not tallied yet are read: a set
    difference over each type's listing, where one Python step per page cost 0.3 s at 100k."""
    out = []
    for type_key in RECORD_TYPES:
        if type_key not in TABLE_OF_TYPE:
            continue
        folder = config.paths.content / type_key
        stems = map(methodcaller("removesuffix", ".md"), markdown_names(config.paths.content, type_key))
        for name in sorted(f"{slug}.md" for _, slug in set(zip(repeat(type_key), stems)) - tallied):
            path = folder / name
            if not path.is_file():
                continue
            record = load_record(path, type_key)
            tally = tally_of(record) if record is not None else None
            if tally is not None and (type_key, tally[1]) not in tallied:
                out.append(tally)
    return out


def seal_of(year: str, tallies: list[list[str]], now: datetime) -> dict[str, Any]:
    return {"sealed": now.date().isoformat(), "tables": tables_of([t for t in tallies if t[2] == year])}


def plan_annual(config: Config, ledger: Ledger, now: datetime, pending: bool = True) -> AnnualPlan:
    """Tallies this run records and the years it seals (`pending`), and the reports its build shows.

    The run entry's seq is predicted as the run lock guarantees: the next one.
    """
    recorded = ledger.tallies() if ledger.path.exists() else []  # in seq order
    plan = AnnualPlan()
    seq = ledger.last_seq() if ledger.path.exists() else 0
    tallies = list(map(itemgetter(1), recorded))  # C iterators below: one Python step per tally cost 0.2 s at 100k
    if pending:
        plan.tallies = untallied(config, set(map(itemgetter(0, 1), tallies)))
        seq += 1
        recorded += [(seq, t) for t in plan.tallies]
        tallies += plan.tallies
    sealed = sealed_years(ledger)
    if pending:
        for year in sorted({y for y in set(map(itemgetter(2), tallies)) if int(y) < now.year} - set(sealed)):
            plan.seals[year] = seal_of(year, tallies, now)
            sealed[year] = (seq, plan.seals[year])
    seqs = list(map(itemgetter(0), recorded))
    plan.reports = {year: report_of(year, body, [t for t in tallies[bisect_right(seqs, at):] if t[2] == year])
                    for year, (at, body) in sealed.items()}
    return plan


def report_of(year: str, body: dict[str, Any], late: list[list[str]]) -> AnnualReport:
    return AnnualReport(year, body["sealed"], body["tables"], tables_of(late) if late else {})


def seal_year(config: Config, year: str, now: datetime, operator: str) -> Entry:
    """`portal report --year Y --seal`: seal a past year now from the tallies the ledger holds."""
    ledger = ledger_of(config)
    if not year.isdigit() or int(year) >= now.year:
        raise ValueError(f"{year}年尚未结束，不能封存（年度报告自次年1月1日起可以封存）")
    if year in sealed_years(ledger):
        raise ValueError(f"{year}年度报告已经封存，封存后不再改变")
    tallies = [t for _, t in ledger.tallies()] if ledger.path.exists() else []
    return ledger.append([(KIND, {"year": year, "operator": operator, **seal_of(year, tallies, now)})])[0]


def annual_reports(config: Config, now: datetime) -> dict[str, AnnualReport]:
    """What a plain `portal build` (a preview) shows: the ledger's reports as the next run would make them."""
    return plan_annual(config, ledger_of(config), now).reports


def report_text(report: AnnualReport) -> str:
    """`portal report --year Y`: the six tables as plain text, as the page shows them."""
    lines = [f"{report.year}年度行政执法数据报告（{report.sealed} 封存）"]
    for late in (False, True) if report.has_late else (False,):
        if late:
            lines.append("封存后补充公示（不计入以上各表）")
        for table in report.tables(late):
            money = f"，罚没金额 {table.amount} 万元" if table.table.with_amount else ""
            lines.append(f"{table.table.zh}：{table.count} 件{money}")
            lines += [f"  {r.category}：{r.count} 件" + (f"，{r.amount} 万元" if table.table.with_amount else "")
                      for r in table.rows]
    return "\n".join(lines) + "\n"
