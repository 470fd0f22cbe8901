"""Rule 7 (DESIGN §3), Masked: what of a natural person's information may appear in public.

Applied to every record that is written; works on plain values and returns new ones.
Officers' names and certificate numbers are public by law and never pass through here.
"""

from __future__ import annotations

import re
from typing import Any

from publisher.core.schema import NATURAL_PERSON

# Compound surnames keep both characters (欧阳某 -> 欧阳*).
_COMPOUND_SURNAMES = frozenset(
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 端木 南宫 西门 "
    "独孤 澹台 公冶 申屠".split()
)
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[\dXx])(?![0-9A-Za-z])")
_ID_NUMBER_15 = re.compile(r"(?<!\d)(\d{6})(\d{5})(\d{4})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)0\d{2,3}-\d{7,8}(?!\d)")
_BANK_ACCOUNT = re.compile(r"(?<!\d)\d{16,19}(?!\d)|(?<!\d)\d{4}(?: \d{4}){3,4}(?!\d)")
# Free-text fields of decisions, where a clerk may have typed a phone or ID number.
FREE_TEXT_FIELDS = ("facts", "content", "remarks", "license_action", "result", "handling", "basis")
REMOVED = "［已隐去］"


def mask_name(name: str, rule: str) -> str:
    """Mask a natural person's name: `surname` keeps the surname, `hidden` keeps nothing."""
    if rule == "none" or not name:
        return name
    if rule == "hidden":
        return "*" * len(name)
    keep = 2 if name[:2] in _COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:keep] + "*" * (len(name) - keep)


def mask_id_number(number: str) -> str:
    """Keep the first 6 and last 4 characters (DOMAIN: masking convention)."""
    if len(number) >= 14:
        return number[:6] + "*" * (len(number) - 10) + number[-4:]
    return "*" * max(len(number) - 2, 0) + number[-2:]


def scrub_text(text: str) -> str:
    """Mask ID numbers and remove phone numbers and bank accounts typed into free text."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m[0]), text)
    text = _BANK_ACCOUNT.sub(REMOVED, text)
    text = _ID_NUMBER_15.sub(lambda m: mask_id_number(m[0]), text)
    text = _MOBILE.sub(REMOVED, text)
    return _LANDLINE.sub(REMOVED, text)


def redact(type_key: str, values: dict[str, Any], name_rule: str) -> dict[str, Any]:
    """The public values of a record: natural persons masked, free text scrubbed."""
    out = dict(values)
    if type_key not in ("penalties", "permits", "inspections"):
        return out
    natural = out.get("party_type") == NATURAL_PERSON
    name = out.get("party_name")
    masked_name = mask_name(name, name_rule) if natural and name else name
    # The person's own address, phone and account, wherever a clerk also typed them.
    private = [v for k in ("address", "phone", "bank_account") if natural and isinstance(v := out.get(k), str) and v]
    for field_name in FREE_TEXT_FIELDS:
        value = out.get(field_name)
        if isinstance(value, str):
            for secret in private:
                value = value.replace(secret, REMOVED)
            if natural and name and masked_name != name:
                value = value.replace(name, masked_name)
            out[field_name] = scrub_text(value)
    if natural:
        out["party_name"] = masked_name
        if out.get("id_number"):
            out["id_number"] = mask_id_number(out["id_number"])
        out["legal_rep"] = None  # a natural person has no legal representative to show
    return out
