"""Rule 7 (DESIGN §3), Masked: what of a natural person's information may appear in public.

Applied to every record that is written; works on plain values and returns new ones. Default
deny: every text of a permit, penalty or inspection passes the scrub (publisher.pull.personal),
not a list of free-text fields; values that must stay whole (文号, codes) pass because nothing in
them looks like personal information. Officers' names and certificate numbers are public by law,
and the agency's own records (subjects, matters, guides, windows) carry no citizen's data.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from typing import Any

from publisher.core.schema import DECISION_TYPES, NATURAL_PERSON, RECORD_TYPES
from publisher.pull.personal import COMPOUND_SURNAMES, ID_NUMBER, NAME, REMOVED, Scrubber, mask_id_number

__all__ = ["REMOVED", "mask_id_number", "mask_name", "redact", "redact_counted", "scrub_text"]
SCRUBBED_TYPES = DECISION_TYPES  # the decisions name citizens; the agency's own records do not
INDIVIDUAL_BUSINESS = "个体工商户"  # an individual in law: the operator's ID number is a person's
# Masked by their own rule, or enums.
_UNTOUCHED = {"party_name", "id_number", "party_type", "id_type", "legal_rep_id_number", "legal_rep_id_type"}


def mask_name(name: str, rule: str) -> str:
    """Mask a natural person's name: `surname` keeps the surname, `hidden` keeps nothing."""
    if rule == "none" or not name:
        return name
    if rule == "hidden":
        return "*" * len(name)
    keep = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:keep] + "*" * (len(name) - keep)


_ORGANISATION = re.compile("公司|厂|店|场|站|社|中心|部|局|所|院|校|会|队|处|馆|行|园|"
                           "企业|集团|苗圃|基地|协会|委员会|政府")


def _first_name(text: object) -> str | None:
    """The name an inspection's target begins with (a clerk may add notes after it)."""
    return re.split(r"[；;、，,\n（(]", text, maxsplit=1)[0].strip() if isinstance(text, str) else None


def looks_like_a_persons_name(text: object) -> bool:
    """An inspection's target with no credit code, named like a person (周某某, 阿依努尔·卡德尔)."""
    if not isinstance(text, str):
        return False
    core = re.sub(r"[\s·•・‧.･]", "", unicodedata.normalize("NFKC", text))
    dotted = len(core) != len(text.strip())
    within = 2 <= len(core) <= (10 if dotted else 4)
    return within and all("\u4e00" <= c <= "\u9fff" for c in core) and not _ORGANISATION.search(core)


def scrub_text(text: str, name_rule: str = "surname") -> str:
    """Mask ID numbers and remove phone numbers, bank cards, e-mails and the like typed into a text."""
    return Scrubber(name_rule, mask_name, natural=True).scrub(text)


def redact(type_key: str, values: dict[str, Any], name_rule: str, public_numbers: Iterable[str] = ()) -> dict[str, Any]:
    """The public values of a record: natural persons masked, every text scrubbed."""
    return redact_counted(type_key, values, name_rule, public_numbers)[0]


def redact_counted(type_key: str, values: dict[str, Any], name_rule: str,
                   public_numbers: Iterable[str] = ()) -> tuple[dict[str, Any], Counter[str]]:
    """The public values of a record, and how many things of each kind were masked in it."""
    out = dict(values)
    counts: Counter[str] = Counter()
    if type_key not in SCRUBBED_TYPES:
        return out, counts
    if type_key == "inspections":  # the target is named in a text; its type is given, or read from the name
        name_field, name = "", _first_name(out.get("target_name"))
        party_type = out.get("party_type") or (
            NATURAL_PERSON if not out.get("credit_code") and looks_like_a_persons_name(name) else None)
    else:
        name_field, name, party_type = "party_name", out.get("party_name"), out.get("party_type")
    natural = party_type == NATURAL_PERSON
    personal = natural or party_type == INDIVIDUAL_BUSINESS  # an individual's home, car and ID number
    # The person's own address, phone and account, wherever a clerk also typed them, in any spelling.
    private = [v for k in ("address", "phone", "bank_account") if personal and isinstance(v := out.get(k), str) and v]
    scrubber = Scrubber(name_rule, mask_name, personal, names=[name] if natural and name else [], literals=private,
                        public_numbers=public_numbers)
    for field_name in RECORD_TYPES[type_key].public_names:
        value = values.get(field_name)
        if field_name in _UNTOUCHED or (field_name == name_field and natural):
            continue
        if isinstance(value, str):
            out[field_name] = scrubber.scrub(value)
        elif isinstance(value, list):
            out[field_name] = [scrubber.scrub(v) if isinstance(v, str) else v for v in value]
    counts.update(scrubber.counts)
    if natural and name and name_field:
        out[name_field] = mask_name(name, name_rule)
        counts[NAME] += out[name_field] != name
    if natural:  # a natural person has no legal representative to show
        out["legal_rep"] = out["legal_rep_id_type"] = out["legal_rep_id_number"] = None
    if out.get("legal_rep_id_number"):  # whatever its 证件类型 says, it is a person's document: always masked
        out["legal_rep_id_number"] = mask_id_number(out["legal_rep_id_number"])
        counts[ID_NUMBER] += out["legal_rep_id_number"] != values["legal_rep_id_number"]
    if personal and out.get("id_number"):
        out["id_number"] = mask_id_number(out["id_number"])
        counts[ID_NUMBER] += out["id_number"] != values["id_number"]
    return out, +counts
