"""The rows of a record's field table, decided in one pass so the template renders them without a macro per field.

A record page is the build's most rendered template (one per record); calling Jinja macros for each
of its ~20 fields cost more than the rest of the page. Here each field gets what the template needs
to write its cell: the label, whether it is a date, how it is shown, and the link to the party's profile.
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

from publisher.core.content import FieldValue, PublishedRecord
from publisher.core.schema import RECORD_TYPES
from publisher.site.parties import party_url

# Shown as links to the party's profile (natural persons have none: party_url says "").
PARTY_FIELDS = ("party_name", "target_name", "credit_code")


class FieldRow(NamedTuple):
    label: str
    date: bool  # the cell keeps its date on one line (class="date")
    how: str  # "show" (text, or a list of several), "money", "links", "phone", "steps"
    value: FieldValue  # for "show": a one-item list is its item
    href: str  # the party's profile, for a party's name or code


class _FieldSpec(NamedTuple):
    label: str
    date: bool
    how: str
    party: bool


@functools.cache
def _spec(type_key: str, name: str) -> _FieldSpec:
    field = RECORD_TYPES[type_key].field(name)
    money = field.kind == "money"
    how = ("money" if money else "phone" if name.endswith("phone") else "steps" if name == "steps" else "show")
    return _FieldSpec(field.zh.replace("（万元）", "") if money else field.zh, field.kind == "date", how,
                      name in PARTY_FIELDS)


def field_rows(record: PublishedRecord, links: dict[str, Any] | None = None) -> list[FieldRow]:
    """One row per shown field, in template order. `links`: field name -> pages its codes point to."""
    profile = party_url(record)
    rows = []
    type_key = record.type
    for name, value in record.fields:
        spec = _spec(type_key, name)
        how = spec.how
        href = profile if spec.party else ""
        if href:
            how = "show"  # a party's name or code links to its profile, whatever else it is
        elif how == "money":
            pass
        elif links and name in links:
            how = "links"
            value = links[name]
        elif how == "steps" and isinstance(value, str):
            how = "show"
        if how == "show" and not isinstance(value, str) and len(value) == 1:
            value = value[0]
        rows.append(FieldRow(spec.label, spec.date, how, value, href))
    return rows


class _ColumnSpec(NamedTuple):
    name: str
    label: str
    date: bool
    how: str  # "record" (links to the record), "party", "phone", "show"


@functools.cache
def _columns(type_key: str, columns: tuple[str, ...]) -> tuple[_ColumnSpec, ...]:
    rtype = RECORD_TYPES[type_key]
    specs = []
    for i, name in enumerate(columns):
        field = rtype.field(name)
        how = ("record" if i == 0 else "party" if name in PARTY_FIELDS else "phone" if name.endswith("phone")
               else "show")
        specs.append(_ColumnSpec(name, field.zh, field.kind == "date", how))
    return tuple(specs)


def list_cells(record: PublishedRecord, columns: tuple[str, ...] | list[str]) -> list[FieldRow]:
    """One cell per list column: the first links to the record, a party's name or code to its profile."""
    values = record.values
    cells = []
    profile = None
    for spec in _columns(record.type, tuple(columns)):
        value: FieldValue = values.get(spec.name, "")
        href, how = "", "show"
        if spec.how == "record":
            href = record.url
            if not value:
                value = record.title
        elif spec.how == "party":
            href = profile = party_url(record) if profile is None else profile
        elif spec.how == "phone":
            how = "phone"
        if how == "show" and not isinstance(value, str) and len(value) == 1:
            value = value[0]
        cells.append(FieldRow(spec.label, spec.date, how, value, href))
    return cells


@functools.cache
def column_labels(type_key: str, columns: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(spec.label for spec in _columns(type_key, columns))
