"""Rule 1 (DESIGN §3), Valid: parse each raw row into a typed Record or the problems that reject it.

Every problem names the field and the rule, so the report can say file, row, field, reason.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from publisher.core.checkcodes import (
    credit_code_problem,
    id_number_problem,
    org_code_problem,
    reg_no_problem,
    tax_no_problem,
)
from publisher.core.schema import (
    COERCION_EXECUTIONS,
    COERCION_MEASURES,
    NATURAL_PERSON,
    RECORD_TYPES,
    Field,
    Kind,
    RecordType,
)
from publisher.core.text import INVISIBLE
from publisher.core.urls import record_url, reserved_slugs
from publisher.pull.rows import (
    AGENCY_KEY,
    AGENCY_NAME,
    AGENCY_PUBLISHED,
    AGENCY_SLUG,
    AGENCY_URL,
    AgencyOrigin,
    Problem,
    RawRow,
    Record,
)

_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d", "%Y%m%d")
_LIST_SPLIT = re.compile(r"\s*(?:；|;|\r?\n)\s*")
_ENUM_LIST_SPLIT = re.compile(r"\s*(?:；|;|、|，|,|\r?\n)\s*")
_TRUE = {"是", "true", "1", "y", "yes", "t"}
_FALSE = {"否", "false", "0", "n", "no", "f"}
_SLUG_UNSAFE = re.compile(r"[^a-z0-9]+")
# A plain day number in a date field is an Excel serial: 20000 is 1954-10-03, 80000 is 2119-01-11.
_SERIAL = re.compile(r"\d{5}(?:\.\d+)?")
_SERIAL_RANGE = (20000, 80000)
# `9.90101E+17`: a long number Excel saved as a double, its last digits lost.
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d+)?E\+?\d+", re.IGNORECASE)
# Identifiers that are digits often enough for Excel to turn them into numbers.
_IDENTIFIER_KINDS = (Kind.CREDIT_CODE, Kind.ID_NUMBER, Kind.REG_NO, Kind.ORG_CODE, Kind.TAX_NO)
# The older registration codes (行政相对人代码_2 … _4): a light check of their form, each its own rule.
_OLD_CODE_CHECKS = {Kind.REG_NO: reg_no_problem, Kind.ORG_CODE: org_code_problem, Kind.TAX_NO: tax_no_problem}
_IDENTIFIER_NAMES = frozenset({"decision_no", "permit_no", "cert_no", "code", "matter_code", "id"})
# Money in 万元 with at most six decimals (DOMAIN: amounts).
_MAX_MONEY_PLACES = 6


# What a clerk can do about a field the national standard requires and older sources lack.
_SOURCE_UNIT_HINT = ("：未填写时，平台用 portal.toml 中的 site.agency 和 site.agency_code（未设置时用决定机关及其"
                     "统一社会信用代码）补齐；只填了单位名称或代码中的一项、且与二者都不对应时无法补齐，请在数据中填写完整")
_REQUIRED_HINTS = {
    "source_unit": _SOURCE_UNIT_HINT,
    "source_unit_code": _SOURCE_UNIT_HINT,
    "valid_until": "：国家双公示标准要求填写处罚决定的截止日期，长期有效的填 2099-12-31",
}


class FieldError(ValueError):
    """A cell that cannot be read as its field's kind."""


def excel_serial(text: str) -> datetime | None:
    """A day number Excel shows when a date cell lost its format (46342 = 2026-11-16), else None."""
    if not _SERIAL.fullmatch(text):
        return None
    serial = float(text)
    if not _SERIAL_RANGE[0] <= serial <= _SERIAL_RANGE[1]:
        return None
    from openpyxl.utils.datetime import from_excel  # 1900 system, with Lotus's 1900-02-29 (serial 60)

    value = from_excel(serial)
    return value if isinstance(value, datetime) else None


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # what most sources hold: read without strptime


def parse_date(text: str) -> date:
    text = text.strip()
    if _ISO_DAY.fullmatch(text):
        try:
            return date.fromisoformat(text)
        except ValueError:
            pass  # 2026-02-30: the formats below refuse it with the clerk's message
    serial = excel_serial(text)
    if serial is not None:
        return serial.date()
    head = text.split(" ")[0].split("T")[0] if re.match(r"^\d{4}[-/.]", text) else text
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    raise FieldError(f"“{text}”不是有效日期（应为 YYYY-MM-DD、YYYY/MM/DD 或 YYYY年M月D日）")


def parse_datetime(text: str) -> datetime:
    """A date, optionally with a time of day (an embargo may end at 09:00)."""
    text = text.strip()
    serial = excel_serial(text)
    if serial is not None:
        return serial.replace(microsecond=0)
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M",
                "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M"):
        try:
            return datetime.strptime(text, fmt)
        except ValueError:
            continue
    return datetime.combine(parse_date(text), datetime.min.time())


def parse_money(text: str) -> Decimal:
    cleaned = text.strip().removesuffix("万元").replace(",", "").strip()
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:
        raise FieldError(f"“{text}”不是金额（单位万元，如 0.5）") from None
    if not amount.is_finite() or amount < 0:
        raise FieldError(f"“{text}”不是有效金额（应为不小于0的数）")
    if -amount.as_tuple().exponent > _MAX_MONEY_PLACES:
        raise FieldError(f"“{text}”小数位超过6位（单位万元）")
    return amount


def _enum(f: Field, text: str) -> str:
    value = f.codes.get(text, text)
    if value not in f.choices:
        raise FieldError(f"“{text}”不在代码表中（可选：{'、'.join(f.choices)}）")
    return value


def parse_value(f: Field, text: str) -> Any:
    """Parse one non-empty cell by its field kind; raise FieldError with a clerk-readable reason."""
    if (f.kind in _IDENTIFIER_KINDS or f.name in _IDENTIFIER_NAMES) and _SCIENTIFIC.fullmatch(text):
        raise FieldError(f"“{f.zh}”为“{text}”：该数字已被 Excel 以科学计数法保存，丢失了末几位，"
                         "请将该列设为文本后重新录入")
    match f.kind:
        case Kind.TEXT:
            return text
        case Kind.DATE:
            return parse_datetime(text) if f.name == "publish_at" else parse_date(text)
        case Kind.MONEY:
            return parse_money(text)
        case Kind.ENUM:
            return _enum(f, text)
        case Kind.ENUM_LIST:
            items = [i for i in _ENUM_LIST_SPLIT.split(text) if i]
            return [_enum(f, i) for i in dict.fromkeys(items)]
        case Kind.LIST:
            return [i for i in _LIST_SPLIT.split(text) if i]
        case Kind.BOOL:
            lowered = text.lower()
            if lowered in _TRUE:
                return True
            if lowered in _FALSE:
                return False
            raise FieldError(f"“{text}”应为 是 或 否")
        case Kind.CREDIT_CODE:
            code = text.upper()
            problem = credit_code_problem(code)
            if problem:
                raise FieldError(f"统一社会信用代码“{text}”{problem}")
            return code
        case Kind.ID_NUMBER:
            return text.upper()
        case Kind.REG_NO | Kind.ORG_CODE | Kind.TAX_NO:
            # 组织机构代码 is often written 12345678-9: the hyphen is not part of the code.
            code = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", text)).upper()
            problem = _OLD_CODE_CHECKS[f.kind](code)
            if problem:
                raise FieldError(f"{f.zh}“{text}”{problem}")
            return code
    raise AssertionError(f"unhandled kind {f.kind}")


# Brackets a clerk may type around a 文号's year: one decision, however it is bracketed.
_BRACKETS = str.maketrans({"(": "〔", ")": "〕", "[": "〔", "]": "〕", "【": "〔", "】": "〕", "［": "〔", "］": "〕",
                           "﹝": "〔", "﹞": "〕", "〖": "〔", "〗": "〕", "⦅": "〔", "⦆": "〕"})


def normalise_key(text: str) -> str:
    """The form of a natural key used for identity: full-width folded, no whitespace or invisible
    characters, every kind of bracket as 〔〕 (示林罚决字(2024)第12号 is 示林罚决字〔2024〕第12号)."""
    return legacy_key(INVISIBLE.sub("", text)).translate(_BRACKETS)


def legacy_key(text: str) -> str:
    """The identity form before brackets were folded: pages published then carry its hash."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def key_hash(type_key: str, key: str) -> str:
    return hashlib.blake2b(f"{type_key}\x1f{key}".encode(), digest_size=8).hexdigest()


def slug_for(type_key: str, key: str, record_id: str | None) -> str:
    """A stable `[a-z0-9-]` slug: from an ASCII `id` column if any, else a hash of the natural key."""
    folded = unicodedata.normalize("NFKC", record_id or "").lower()
    if folded.isascii():
        candidate = _SLUG_UNSAFE.sub("-", folded).strip("-")
        if candidate and len(candidate) <= 64:
            return candidate
    return key_hash(type_key, key)[:12]


def agency_of(raw: RawRow) -> AgencyOrigin | None:
    """The agency a federated row comes from (its `portal` source set it), else None."""
    key = raw.values.get(AGENCY_KEY)
    if not key:
        return None
    return AgencyOrigin(raw.values.get(AGENCY_NAME, ""), key, raw.values.get(AGENCY_URL, ""),
                        raw.values.get(AGENCY_PUBLISHED, ""))


def scoped_key(agency_key: str, key: str) -> str:
    """A record's identity on a unified platform: its natural key within its agency."""
    return f"{agency_key}/{key}"


def agency_record_slug(type_key: str, key: str, agency_key: str, agency_slug: str) -> str:
    """`<agency key>-<its slug there>`; a slug that is not plain `[a-z0-9-]` (or too long) becomes a hash."""
    folded = _SLUG_UNSAFE.sub("-", unicodedata.normalize("NFKC", agency_slug).lower()).strip("-")
    if not folded.isascii() or not folded or len(folded) > 64:
        folded = key_hash(type_key, key)[:12]
    return f"{agency_key}-{folded}"


def parse_row(raw: RawRow, today: date) -> Record | list[Problem]:
    """Apply rule 1 to one row: a Record when valid, else every problem found."""
    rtype = RECORD_TYPES[raw.type]
    values: dict[str, Any] = {}
    problems: list[Problem] = []
    for f in rtype.fields:
        text = (raw.values.get(f.name) or "").strip()
        if not text:
            values[f.name] = None
            if f.required:
                problems.append(Problem(f.name, "required", f"必填项“{f.zh}”为空{_REQUIRED_HINTS.get(f.name, '')}"))
            continue
        try:
            values[f.name] = parse_value(f, text)
        except FieldError as exc:
            values[f.name] = None
            problems.append(Problem(f.name, "valid", str(exc)))
    problems.extend(_cross_field_problems(rtype, values, raw, today))
    if problems:
        return problems
    key = normalise_key(str(values[rtype.natural_key]))
    agency = agency_of(raw)
    if agency is not None:  # one agency's decision is its own record: never merged with another's
        key = scoped_key(agency.key, key)
        return Record(raw.type, key, agency_record_slug(raw.type, key, agency.key, raw.values.get(AGENCY_SLUG, "")),
                      values, raw.origin, agency)
    slug = slug_for(raw.type, key, values.get("id"))
    if slug in reserved_slugs(raw.type):
        return [Problem("id", "reserved", f"编号“{values.get('id')}”对应的网址 {record_url(raw.type, slug)} "
                        "是网站自己的页面，记录不能使用；请换一个编号")]
    return Record(raw.type, key, slug, values, raw.origin)


def _cross_field_problems(rtype: RecordType, v: dict[str, Any], raw: RawRow, today: date) -> list[Problem]:
    problems = []
    names = {f.name for f in rtype.fields}
    if "party_type" in names and v.get("party_type"):
        if v["party_type"] == NATURAL_PERSON:
            if "id_number" in names and not v.get("id_number") and not (raw.values.get("id_number") or "").strip():
                problems.append(Problem("id_number", "required", "自然人的“证件号码”为必填项"))
            id_type = v.get("id_type") or "身份证"
            number = v.get("id_number")
            if number and id_type == "身份证" and not already_masked(number):
                problem = id_number_problem(number)
                if problem:
                    problems.append(Problem("id_number", "valid", f"身份证号码{problem}"))
        elif not v.get("credit_code") and not (raw.values.get("credit_code") or "").strip():
            problems.append(Problem("credit_code", "required",
                                    f"{v['party_type']}的“统一社会信用代码”为必填项"))
    problems.extend(_legal_rep_problems(names, v))
    problems.extend(_other_named(v))
    classes = v.get("penalty_class") or []
    if "罚款" in classes and v.get("fine") is None and not (raw.values.get("fine") or "").strip():
        problems.append(Problem("fine", "required", "处罚类别含罚款，“罚款金额（万元）”为必填项"))
    kind, coerced = v.get("coercion_kind"), v.get("coercion_class") or []
    wrong = [c for c in coerced if c not in (COERCION_MEASURES if kind == "强制措施" else COERCION_EXECUTIONS)]
    if kind and wrong:  # 第九条 lists the measures, 第十二条 the ways of enforcement
        problems.append(Problem("coercion_class", "valid",
                                f"行政强制类别“{'、'.join(wrong)}”不属于{kind}（行政强制法第九条、第十二条）"))
    for start, end in (("valid_from", "valid_to"), ("period_from", "period_to")):
        if v.get(start) and v.get(end) and v[start] > v[end]:
            problems.append(Problem(end, "valid",
                                    f"{rtype.field(end).zh} {v[end]} 早于{rtype.field(start).zh} {v[start]}"))
    if rtype.date_field and isinstance(v.get(rtype.date_field), date) and v[rtype.date_field] > today:
        problems.append(Problem(rtype.date_field, "valid",
                                f"{rtype.field(rtype.date_field).zh} {v[rtype.date_field]} 晚于今天 {today}"))
    first = v.get("first_published")
    if first and first > today:
        problems.append(Problem("first_published", "valid", f"首次公开日期 {first} 晚于今天 {today}"))
    decided = v.get(rtype.date_field) if rtype.date_field else None
    if first and isinstance(decided, date) and first < decided:
        problems.append(Problem("first_published", "valid", f"首次公开日期 {first} 早于决定日期 {decided}"))
    return problems


def _other_named(v: dict[str, Any]) -> list[Problem]:
    """The templates' rule: "其他" in a code list must name the category; the template's place for it is 备注."""
    for zh, chosen in (("许可类别", [v.get("permit_class")]), ("处罚类别", v.get("penalty_class") or [])):
        if "其他" in chosen and not v.get("remarks"):
            return [Problem("remarks", "required", f"{zh}为“其他”时，请在“备注”中写明具体类别（国家双公示模板的要求）")]
    return []


def already_masked(number: str) -> bool:
    """An ID number masked before it reached us (110105********002X, e.g. another portal's export): no check digit
    to verify, and nothing personal left to hide."""
    return "*" in number


def _legal_rep_problems(names: set[str], v: dict[str, Any]) -> list[Problem]:
    """A legal representative's 身份证 number (the type left blank means 身份证, as for the party's) must check."""
    number = v.get("legal_rep_id_number") if "legal_rep_id_number" in names else None
    if not number or already_masked(number) or (v.get("legal_rep_id_type") or "身份证") != "身份证":
        return []
    problem = id_number_problem(number)
    return [Problem("legal_rep_id_number", "valid", f"法定代表人身份证号码{problem}")] if problem else []


def complete_row(raw: RawRow, agency: str, agency_code: str) -> RawRow:
    """The national template's fill-in rules, applied to a row before it is judged.

    数据来源单位 and its code are required by the standard, but most sources never had them: the unit
    a record comes from is the agency running this portal (portal.toml site.agency / site.agency_code),
    or else the deciding authority itself, which reports its own decisions. A pair is filled only when
    it stays consistent (both blank, or the blank half belongs to the name or code given); otherwise
    the row is rejected as the standard requires. A permit without a 文书号 uses its 许可编号.
    """
    values = raw.values
    filled: dict[str, str] = {}
    if raw.type in ("penalties", "permits"):
        unit, code = (values.get("source_unit") or "").strip(), (values.get("source_unit_code") or "").strip()
        candidates = [(agency, agency_code), ((values.get("authority") or "").strip(),
                                              (values.get("authority_code") or "").strip())]
        for name, credit in (c for c in candidates if c[0] and c[1]):
            if not unit and not code or unit == name and not code or code == credit and not unit:
                filled |= {"source_unit": name, "source_unit_code": credit}
                break
    if raw.type == "permits" and not (values.get("decision_no") or "").strip() \
            and (values.get("permit_no") or "").strip():
        filled["decision_no"] = values["permit_no"].strip()
    return RawRow(raw.type, {**values, **filled}, raw.origin) if filled else raw


def reject_duplicates(records: list[Record]) -> tuple[list[Record], list[tuple[Record, Problem]]]:
    """Rows sharing a natural key (or a slug) cannot both be right: reject every one of them.

    Returns the unique records, and each rejected record with the problem naming its twins.
    """
    groups: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for r in records:
        groups[(r.type, r.key)].append(r)
    by_slug: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for r in records:
        by_slug[(r.type, r.slug)].append(r)
    rejected: dict[int, tuple[Record, Problem]] = {}
    for same_slug, (type_key, _), group in ([(False, k, g) for k, g in groups.items()]
                                            + [(True, k, g) for k, g in by_slug.items()]):
        if len(group) < 2:
            continue
        field_name = RECORD_TYPES[type_key].natural_key
        for r in group:
            others = "、".join(str(o.origin) for o in group if o is not r)
            if same_slug and all(o.key != r.key for o in group if o is not r):
                problem = Problem("id", "unique", f"与 {others} 的网址相同（{record_url(type_key, r.slug)}）："
                                  "两条记录的编号只差大小写或符号，请改用不同的编号")
            else:
                problem = Problem(field_name, "unique",
                                  f"与 {others} 的{RECORD_TYPES[type_key].field(field_name).zh}重复")
            rejected.setdefault(id(r), (r, problem))
    return [r for r in records if id(r) not in rejected], list(rejected.values())
