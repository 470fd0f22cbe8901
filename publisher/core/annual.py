"""The yearly enforcement data report (行政执法数据年度报告): its six tables, and one record's tally.

A decision counts once, in the year it was decided, under its heaviest category (行政处罚法 第九条 order
for penalties), with its 罚没金额 (fine + confiscation, 万元). The publish step records each record's
tally in the ledger when it is first shown and seals a year's tables after the year ends
(publisher/runs/annual.py); the site only renders what was sealed, so a published report never changes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from publisher.core.content import PublishedRecord
from publisher.core.schema import PERMIT_CLASSES, RECORD_TYPES

# 行政处罚法 第九条, heaviest first: a decision with several classes counts under the first it has.
HEAVIEST_FIRST = (
    "行政拘留", "责令关闭", "责令停产停业", "限制从业", "限制开展生产经营活动", "吊销许可证件", "降低资质等级",
    "暂扣许可证件", "没收非法财物", "没收违法所得", "罚款", "通报批评", "警告", "其他",
)


@dataclass(frozen=True)
class ReportTable:
    """One table of the report: the record types it counts, in the order its rows are listed."""

    key: str
    zh: str
    types: tuple[str, ...]
    categories: tuple[str, ...] = ()  # rows in order; a record's category outside these is listed after
    with_amount: bool = False  # 罚没金额 column


# The one mapping of report tables to record types. 双随机 results count under 行政检查 with other checks.
# The types of 行政强制/检查/征收/征用 fill their tables once they are in RECORD_TYPES.
REPORT_TABLES: tuple[ReportTable, ...] = (
    ReportTable("permits", "行政许可", ("permits",), PERMIT_CLASSES),
    ReportTable("penalties", "行政处罚", ("penalties",), HEAVIEST_FIRST, with_amount=True),
    ReportTable("coercions", "行政强制", ("coercions",)),
    ReportTable("levies", "行政征收", ("levies",)),
    ReportTable("requisitions", "行政征用", ("requisitions",)),
    ReportTable("checks", "行政检查", ("checks", "inspections")),
)
TABLE_OF_TYPE = {t: table for table in REPORT_TABLES for t in table.types}
# The field naming a record's category, per type; a type not listed (双随机抽查结果) counts under its own name.
CATEGORY_FIELD = {"permits": "permit_class", "penalties": "penalty_class", "coercions": "coercion_kind",
                  "levies": "levy_class", "requisitions": "requisition_class", "checks": "check_class"}
UNNAMED = "未注明类别"


def money(text: object) -> Decimal:
    try:
        return Decimal(str(text)) if text else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def heaviest(classes: tuple[str, ...] | list[str] | str) -> str:
    """The heaviest of a penalty's classes (行政处罚法 第九条 order); 其他 when none is known."""
    given = {classes} if isinstance(classes, str) else set(classes)
    return next((c for c in HEAVIEST_FIRST if c in given), "其他")


def category_of(record: PublishedRecord) -> str:
    name = CATEGORY_FIELD.get(record.type)
    if not name:
        return RECORD_TYPES[record.type].zh if record.type in RECORD_TYPES else record.type
    value = record.value(name)
    if record.type == "penalties":
        return heaviest(value)
    text = value if isinstance(value, str) else "；".join(value)
    return text or UNNAMED


def tally_of(record: PublishedRecord) -> list[str] | None:
    """[type, slug, year, category, 罚没金额] for a live decision of a report table; None for anything else."""
    if record.type not in TABLE_OF_TYPE or not record.live or not record.year.isdigit():
        return None
    amount = money(record.value("fine")) + money(record.value("confiscation")) if record.type == "penalties" else 0
    return [record.type, record.slug, record.year, category_of(record), format_amount(Decimal(amount))]


def format_amount(value: Decimal) -> str:
    """万元 as the site writes amounts: no trailing zeros, at most six decimals."""
    return "0" if value == 0 else format(value.quantize(Decimal("0.000001")).normalize(), "f")


@dataclass(frozen=True)
class Row:
    category: str
    count: int
    amount: str  # 万元


@dataclass(frozen=True)
class Table:
    table: ReportTable
    rows: tuple[Row, ...]

    @property
    def count(self) -> int:
        return sum(r.count for r in self.rows)

    @property
    def amount(self) -> str:
        return format_amount(sum((Decimal(r.amount) for r in self.rows), Decimal(0)))


def tables_of(tallies: list[list[str]]) -> dict[str, list[list[Any]]]:
    """The sealed form of a year's tables: {table key: [[category, count, 罚没金额], ...]} in row order."""
    counts: dict[str, dict[str, list[Any]]] = {t.key: {} for t in REPORT_TABLES}
    for type_key, _slug, _year, category, amount in tallies:
        row = counts[TABLE_OF_TYPE[type_key].key].setdefault(category, [0, Decimal(0)])
        row[0] += 1
        row[1] += Decimal(amount)
    out: dict[str, list[list[Any]]] = {}
    for table in REPORT_TABLES:
        found = counts[table.key]
        order = [c for c in table.categories if c in found] + sorted(c for c in found if c not in table.categories)
        out[table.key] = [[c, found[c][0], format_amount(found[c][1])] for c in order]
    return out


@dataclass(frozen=True)
class AnnualReport:
    """A sealed year: its tables as sealed, and decisions of that year first shown after the seal."""

    year: str
    sealed: str  # the date the snapshot was sealed
    sealed_tables: dict[str, list[list[Any]]]
    late_tables: dict[str, list[list[Any]]] = field(default_factory=dict)

    def tables(self, late: bool = False) -> list[Table]:
        """Every table in report order, each with every category row (zeros included) for the main report."""
        source = self.late_tables if late else self.sealed_tables
        out = []
        for table in REPORT_TABLES:
            found = {c: Row(c, int(n), str(a)) for c, n, a in source.get(table.key, [])}
            names = [c for c in table.categories if c not in found] if not late else []
            rows = [*found.values(), *(Row(c, 0, "0") for c in names)]
            order = {c: i for i, c in enumerate(table.categories)}
            rows.sort(key=lambda r: (order.get(r.category, len(order)), r.category))
            out.append(Table(table, tuple(rows)))
        return out

    @property
    def has_late(self) -> bool:
        return any(self.late_tables.get(t.key) for t in REPORT_TABLES)
