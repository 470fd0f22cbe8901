"""The national 双公示 templates (2021), exactly: the file an agency uploads to the provincial credit platform.

This module owns the format: the headers in the templates' order, the standard's codes where it uses codes
(许可类别 01–06, 证件类型 01–05; 行政相对人类别 in the words of its list), dates as YYYY/MM/DD, one sheet.
Like every public output it is built from content/ alone (DESIGN §6): live records only, each value as
content/ holds it (already masked by `portal pull`), and every cell neutralised as the open-data XLSX is
(plugins.opendata.tables), so a value beginning with = + - @ never becomes a formula. `portal export` and the
open-data page write the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby

from publisher.core.content import FieldValue, PublishedRecord
from publisher.core.schema import ID_TYPE_CODES, PERMIT_CLASS_CODES, RECORD_TYPES

from .tables import cell, live, sheet_rows, workbook_of_packed, workbook_of_parts

_PARTY = (
    ("行政相对人名称", "party_name"), ("行政相对人类别", "party_type"),
    ("行政相对人代码_1(统一社会信用代码)", "credit_code"), ("行政相对人代码_2(工商注册号)", "reg_no"),
    ("行政相对人代码_3(组织机构代码)", "org_code"), ("行政相对人代码_4(税务登记号)", "tax_no"),
    ("行政相对人代码_5(事业单位证书号)", "institution_no"), ("行政相对人代码_6(社会组织登记证号)", "social_org_no"),
    ("法定代表人", "legal_rep"), ("法定代表人证件类型", "legal_rep_id_type"),
    ("法定代表人证件号码", "legal_rep_id_number"), ("证件类型", "id_type"), ("证件号码", "id_number"),
)
# (template header, field) in the template's order; the header is the template's, not the page's label.
TEMPLATES: dict[str, tuple[tuple[str, str], ...]] = {
    "penalties": _PARTY + (
        ("行政处罚决定书文号", "decision_no"), ("违法行为类型", "violation_type"), ("违法事实", "facts"),
        ("处罚依据", "basis"), ("处罚类别", "penalty_class"), ("处罚内容", "content"), ("罚款金额（万元）", "fine"),
        ("没收违法所得、没收非法财物的金额（万元）", "confiscation"), ("暂扣或吊销证照名称及编号", "license_action"),
        ("处罚决定日期", "decision_date"), ("处罚有效期", "valid_until"), ("公示截止期", "display_until"),
        ("处罚机关", "authority"), ("处罚机关统一社会信用代码", "authority_code"), ("数据来源单位", "source_unit"),
        ("数据来源单位统一社会信用代码", "source_unit_code"), ("备注", "remarks"),
    ),
    "permits": _PARTY + (
        ("行政许可决定文书名称", "decision_doc_name"), ("行政许可决定文书号", "decision_no"),
        ("许可类别", "permit_class"), ("许可证书名称", "certificate_name"), ("许可编号", "permit_no"),
        ("许可内容", "content"), ("许可决定日期", "decision_date"), ("有效期自", "valid_from"),
        ("有效期至", "valid_to"), ("许可机关", "authority"), ("许可机关统一社会信用代码", "authority_code"),
        ("当前状态", "status"), ("数据来源单位", "source_unit"), ("数据来源单位统一社会信用代码", "source_unit_code"),
        ("备注", "remarks"),
    ),
}
NATIONAL_TYPES = tuple(TEMPLATES)
# The words content/ holds -> the standard's code (the schema accepts both when reading a source).
_CODES = {
    "permit_class": {word: code for code, word in PERMIT_CLASS_CODES.items()},
    "id_type": {word: code for code, word in ID_TYPE_CODES.items() if code.isdigit()},
}
_CODES["legal_rep_id_type"] = _CODES["id_type"]
_DATES = frozenset({"decision_date", "valid_until", "display_until", "valid_from", "valid_to"})


def template_headers(type_key: str) -> list[str]:
    return [header for header, _ in TEMPLATES[type_key]]


def template_value(name: str, value: FieldValue | None) -> str:
    """One value as the template wants it: a code for a coded list, YYYY/MM/DD for a date."""
    text = cell(value)
    if name in _CODES:
        return _CODES[name].get(text, text)
    if name in _DATES and len(text) == 10 and text[4] == text[7] == "-":
        return text.replace("-", "/")
    return text


def template_rows(type_key: str, records: Iterable[PublishedRecord], year: str | None = None) -> list[list[str]]:
    """One row per live record (of the year of its decision, when given), in the template's order."""
    return [[template_value(name, r.values.get(name)) for _, name in TEMPLATES[type_key]]
            for r in live(records) if year is None or r.year == year]


def national_rows(type_key: str, records: Iterable[PublishedRecord]) -> bytes:
    """The live records' rows of the template as sheet XML: a part of any file of the type (tables.sheet_rows)."""
    return sheet_rows(template_rows(type_key, records))


def national_file(type_key: str, parts: Iterable[bytes], author: str, modified: str, year: str | None = None
                  ) -> bytes:
    """The template as an XLSX workbook of one sheet whose rows are the parts' (national_rows), in order."""
    return workbook_of_parts(RECORD_TYPES[type_key].zh, template_headers(type_key), parts, author, modified,
                             _title(type_key, author, year))


def national_packed(type_key: str, packed: Iterable[bytes], author: str, modified: str, year: str | None = None
                    ) -> bytes:
    """The same workbook from its parts' rows already packed (tables.packed_rows), in order."""
    return workbook_of_packed(RECORD_TYPES[type_key].zh, template_headers(type_key), packed, author, modified,
                              _title(type_key, author, year))


def _title(type_key: str, author: str, year: str | None) -> str:
    return f"{author}{RECORD_TYPES[type_key].zh}信息" + (f"（{year}年）" if year else "")


def national_xlsx(type_key: str, records: list[PublishedRecord], author: str, modified: str,
                  year: str | None = None) -> bytes:
    """The template as an XLSX workbook of one sheet, ready for Excel and for upload: the open-data page's bytes,
    whose file packs each decision year's months' rows apart (plugins/opendata/yearly.py)."""
    by_year: dict[str, list[PublishedRecord]] = {}
    for r in records:
        if year is None or r.year == year:
            by_year.setdefault(r.year, []).append(r)
    months = [list(rs) for rs_of_year in by_year.values() for _, rs in groupby(rs_of_year, key=lambda r: r.date[:7])]
    return national_file(type_key, [national_rows(type_key, rs) for rs in months], author, modified, year)


def years_of(records: Iterable[PublishedRecord]) -> list[str]:
    """The decision years of the live records, newest first: one file each on the open-data page."""
    return sorted({r.year for r in live(records) if r.year}, reverse=True)
