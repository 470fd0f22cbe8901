"""What a decision page (处罚, 许可, 抽查) tells a reader beyond its fields: the heading, amounts, 索引号, phones.

Pure functions of a record as written in content/ and the configuration, given to the templates as
globals by plugins/pages, so a page depends on nothing but its record (the incremental build's key).
"""

from __future__ import annotations

import hashlib
from decimal import Decimal, InvalidOperation

from publisher.core.content import FieldValue, PublishedRecord

# The kind of decision a heading names after the party (issue 17: "某某公司 行政处罚决定").
DECISION_KINDS = {"penalties": "行政处罚决定", "permits": "行政许可决定", "inspections": "双随机抽查结果",
                  "coercions": "行政强制决定", "checks": "行政检查结果", "levies": "行政征收决定",
                  "requisitions": "行政征用决定"}
# Who the decision is about, by record type.
PARTY_FIELDS = {"penalties": "party_name", "permits": "party_name", "inspections": "target_name"}
# What the heading no longer says and the line beneath it does: the 文号, or the inspection task.
SUBTITLE_FIELDS = {"penalties": "decision_no", "permits": "decision_no", "inspections": "task_name"}
_TEN_THOUSAND = Decimal(10000)


def decision_heading(record: PublishedRecord) -> str:
    """The H1 a person recognises: the party (masked as in content/) and the kind of decision."""
    party = _text(record.value(PARTY_FIELDS.get(record.type, "party_name")))
    kind = DECISION_KINDS.get(record.type, record.rtype.zh)
    return f"{party} {kind}" if party else record.title


def decision_subtitle(record: PublishedRecord) -> str:
    return _text(record.value(SUBTITLE_FIELDS.get(record.type, "decision_no")))


def yuan(wan: FieldValue) -> str:
    """An amount in 万元 as citizens read it: 元 with thousands separators, then the template's 万元.

    Exact: Decimal throughout (0.2 → "2,000 元（0.2 万元）"); text that is not an amount is shown as it is.
    """
    text = _text(wan).strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return text
    if not amount.is_finite():
        return text
    in_yuan = (amount * _TEN_THOUSAND).normalize()
    shown = format(in_yuan, ",f") if in_yuan != 0 else "0"
    return f"{shown} 元（{text} 万元）"


def index_number(record: PublishedRecord, site_code: str) -> str:
    """索引号 in the government style: agency code / year - number.

    The code is the site's 政府网站标识码, else the deciding authority's credit code. The number must
    never change once published, so it is not a sequence (an earlier record arriving late would
    renumber later ones): it is read from the record's slug, its permanent identity (the URL), as a
    15-digit decimal of 48 bits of the slug's hash: as unique as the slug itself (itself a 48-bit
    hash of the natural key), and stable as long as the URL is.
    """
    code = site_code or _text(record.value("authority_code"))
    digest = hashlib.blake2b(f"{record.type}/{record.slug}".encode(), digest_size=6).digest()
    number = f"{int.from_bytes(digest, 'big'):015d}"
    return f"{code}/{record.year}-{number}" if code else f"{record.year}-{number}"


def _text(value: FieldValue) -> str:
    return value if isinstance(value, str) else "；".join(value)
