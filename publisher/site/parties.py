"""Party profiles (DESIGN §6a): every live record of one organisation or 个体工商户, keyed by its credit code.

Built from published records alone. A natural person (自然人) never gets a profile and none of their
records is counted anywhere here, even when a credit code was typed on it; a record without a valid
统一社会信用代码 (GB 32100 check character) belongs to no profile. Withdrawn records never count, so a
profile shrinks with its records and is gone when its last live record is withdrawn.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import orjson

from publisher.core.checkcodes import credit_code_problem
from publisher.core.content import PublishedRecord
from publisher.core.files import write_atomic
from publisher.core.schema import NATURAL_PERSON, RECORD_TYPES

ORGANISATION = "法人及非法人组织"
SOLE_TRADER = "个体工商户"
PROFILE_PARTY_TYPES = (ORGANISATION, SOLE_TRADER)
# The field holding the party's name, per record type that names a party (inspections name a 检查对象).
NAME_FIELDS = ("party_name", "target_name")


def _name_field(type_key: str) -> str | None:
    """The party-name field of a record type that carries a party and its credit code, else None."""
    names = {f.name for f in RECORD_TYPES[type_key].fields}
    if "credit_code" not in names or "party_type" not in names:
        return None
    return next((n for n in NAME_FIELDS if n in names), None)


# Record types whose records can belong to a profile, in schema order (penalties, permits, inspections, ...).
PARTY_RECORD_TYPES: dict[str, str] = {k: f for k in RECORD_TYPES if (f := _name_field(k))}


@dataclass(frozen=True)
class Party:
    """One organisation or 个体工商户 and its live records."""

    credit_code: str  # 18-char 统一社会信用代码, upper case
    names: tuple[str, ...]  # the names it has had, newest first
    party_type: str  # 法人及非法人组织 | 个体工商户
    records: tuple[PublishedRecord, ...]  # live records of this party, newest first

    @property
    def url(self) -> str:
        return f"/parties/{self.credit_code}/"

    @property
    def name(self) -> str:
        """Its current name: the one on its newest record."""
        return self.names[0]

    @property
    def counts(self) -> dict[str, int]:
        """Live records per record type key, every party record type present (0 when none)."""
        counts = dict.fromkeys(PARTY_RECORD_TYPES, 0)
        for record in self.records:
            counts[record.type] += 1
        return counts


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def party_name(record: PublishedRecord) -> str:
    """The party's name as the record shows it ("" for a type that names no party)."""
    field = PARTY_RECORD_TYPES.get(record.type)
    return _text(record.values.get(field)) if field else ""


def declared_party_type(record: PublishedRecord) -> str:
    """The record's 行政相对人类别 / 检查对象类别 as typed ("" when not given)."""
    return _text(record.values.get("party_type"))


def party_code(record: PublishedRecord) -> str | None:
    """The credit code of the profile this record belongs to; None for natural persons and invalid codes."""
    if record.type not in PARTY_RECORD_TYPES:
        return None
    declared = declared_party_type(record)
    # Strict: only the two kinds of party that have profiles; 自然人 or anything unknown never does.
    if declared == NATURAL_PERSON or (declared and declared not in PROFILE_PARTY_TYPES):
        return None
    code = _text(record.values.get("credit_code")).upper()
    if not code or not _valid_code(code) or not party_name(record):
        return None
    return code


@functools.lru_cache(maxsize=1 << 16)  # a party's code recurs on its records and in every build's passes
def _valid_code(code: str) -> bool:
    return credit_code_problem(code) is None


def code_party_type(code: str) -> str:
    """The party type a credit code's registration digits imply (92… is a 个体工商户)."""
    return SOLE_TRADER if code.startswith("92") else ORGANISATION


def newest_first_key(record: PublishedRecord) -> tuple[str, str, str, str]:
    return (record.date, record.published, record.type, record.slug)


# What collect_parties reads of a record: (its profile's credit code or "", party name, declared party type).
PartyFacts = tuple[str, str, str]


def party_facts(record: PublishedRecord) -> PartyFacts:
    return party_code(record) or "", party_name(record), declared_party_type(record)


def collect_parties(published: Mapping[str, Sequence[PublishedRecord]],
                    known: dict[str, PartyFacts] | None = None) -> dict[str, Party]:
    """Every party with at least one live record, by credit code (sorted).

    `known`: facts by record digest (the file's bytes, so its fields), kept from the build before; the facts of
    records not in it are added. Finding them decodes every record's fields: most of the cost at 100k records."""
    facts = {} if known is None else known
    grouped: dict[str, list[tuple[PublishedRecord, PartyFacts]]] = {}
    for type_key in PARTY_RECORD_TYPES:
        for record in published.get(type_key, ()):
            if not record.live:
                continue
            found = facts.get(record.digest) if record.digest else None  # a record made in a test has none
            if found is None:
                found = party_facts(record)
                if record.digest:
                    facts[record.digest] = found
            if found[0]:
                grouped.setdefault(found[0], []).append((record, found))
    parties = {}
    for code in sorted(grouped):
        pairs = sorted(grouped[code], key=lambda pair: newest_first_key(pair[0]), reverse=True)
        names = tuple(dict.fromkeys(f[1] for _, f in pairs))
        declared = next((f[2] for _, f in pairs if f[2]), "")
        parties[code] = Party(code, names, declared or code_party_type(code), tuple(r for r, _ in pairs))
    return parties


def cached_parties(published: Mapping[str, Sequence[PublishedRecord]], folder: Path, salt: str) -> dict[str, Party]:
    """`collect_parties` with the facts of unchanged records read from `folder` (named by the build's salt: the
    code and settings that make them), kept for the records of this build only."""
    path = folder / f"facts-{salt[:16]}.json"
    try:
        known = {k: tuple(v) for k, v in orjson.loads(path.read_bytes()).items()}
    except (OSError, orjson.JSONDecodeError, AttributeError, TypeError):
        known = {}
    facts: dict[str, PartyFacts] = {}
    live = {r.digest for t in PARTY_RECORD_TYPES for r in published.get(t, ()) if r.live}
    facts.update((d, f) for d, f in known.items() if d in live and len(f) == 3)  # type: ignore[misc]
    before = len(facts)
    parties = collect_parties(published, facts)
    if len(facts) != before or len(known) != before:
        if folder.is_dir():
            for other in folder.glob("facts-*.json"):
                if other != path:
                    other.unlink(missing_ok=True)
        write_atomic(path, orjson.dumps(facts), mode=0o600)
    return parties


def party_url(record: PublishedRecord) -> str:
    """The profile a shown record's party name and code link to; "" for a natural person or no valid code."""
    if not record.live:
        return ""
    code = party_code(record)
    return f"/parties/{code}/" if code else ""
