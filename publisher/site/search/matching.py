"""What a query matches and in what order: the one definition the whoosh and tantivy services and the static
index (with theme/static/js/search.js) all implement, so the three give the same hits in the same order.

Matching. A record's *keys* are its tokens (bigrams, words), each Han character, the joints of neighbouring
runs (`2026_第`), `=` + the match_key of each exact field (文号, code, name) and `~` + each 8-character piece
of its party's credit code; a profile also has PROFILE_KEY. A query matches a record when the record has
every key of every query term (no positions: the static index has none, so the service has none either),
or its whole-query exact key, or all its partial-code keys. On a unified platform a record also has
AGENCY_KEY + its agency's key, and an `agency=` filter is that one more key every match must have.

Order. Tiers first — a profile whose name or code the query is (or 8+ characters of its code), then records
with the exact key, then records with the partial code, then all other matches — and within a tier by
`rank_of`: newest year first, then the site's type order (profiles, 行政处罚, 行政许可, …), then the newest
date, then a number fixed by the URL. Every part is fixed by the record alone, so an index updated in place
ranks as one built afresh, and the static index numbers its records in this order.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable

from .analysis import Query, code_grams, index_keys
from .documents import PROFILE_TYPE, SEARCH_TYPES, SearchDoc, agency_term

PROFILE_KEY = "@profile"  # no query produces it: analysis keeps letters, digits and Han only
TIER_PROFILE, TIER_EXACT, TIER_PARTIAL, TIER_TEXT = range(4)
TYPE_ORDER = tuple(SEARCH_TYPES)
_URL_BITS = 37  # rank = year (14 bits) | type (4) | day of year (9) | URL number (37): one unsigned 64-bit number
_TYPE_SLOTS = 16


def doc_terms(doc: SearchDoc) -> set[str]:
    """Every key of a document (see the module docstring): one analysis for all three indexes."""
    terms = index_keys(doc.text)
    terms.update("=" + e for e in doc.exact)
    for code in doc.codes:
        terms.update(code_grams(code))
    if doc.type == PROFILE_TYPE:
        terms.add(PROFILE_KEY)
    if doc.agency:
        terms.add(agency_term(doc.agency))
    return terms


# A document's keys as already analysed for another index (the static index's cache), sorted and one space
# apart as joined_terms gives them, or None: not known.
KnownTerms = Callable[[SearchDoc], "str | None"]


def joined_terms(doc: SearchDoc, known: KnownTerms | None = None) -> str:
    """A document's keys, sorted, one space apart: as `known` has them, else analysed now."""
    joined = known(doc) if known is not None else None
    return " ".join(sorted(doc_terms(doc))) if joined is None else joined


def term_keys(query: Query) -> list[str]:
    """The keys a record must all have to match the query's text."""
    return list(dict.fromkeys(k for t in query.terms for k in (*t.phrase, *t.joints, *t.chars)))


def exact_key(query: Query) -> str:
    return "=" + query.exact if query.exact else ""


def tier_of(type_key: str, exact: bool, partial: bool) -> int:
    if exact or partial:
        return TIER_PROFILE if type_key == PROFILE_TYPE else (TIER_EXACT if exact else TIER_PARTIAL)
    return TIER_TEXT


_blake2b, _from_bytes = hashlib.blake2b, int.from_bytes  # bound once: url_number runs twice a record per build


def url_number(url: str) -> int:
    """A number fixed by a record's URL: its tantivy shard, and its place among records of one type and day."""
    return _from_bytes(_blake2b(url.encode(), digest_size=8).digest(), "big")


def rank_of(type_key: str, year: str, date: str, url: str) -> int:
    """Higher is shown first within a tier: year, then type order, then day of the year, then the URL's number."""
    y = int(year) if year.isascii() and year.isdigit() else 0
    try:
        day = dt.date.fromisoformat(date)
        doy = day.toordinal() - dt.date(y, 1, 1).toordinal() + 1 if day.year == y else 0  # timetuple's tm_yday
    except ValueError:
        doy = 0
    head = (y * _TYPE_SLOTS + _TYPE_SLOTS - 1 - TYPE_ORDER.index(type_key)) * 512 + doy
    return head << _URL_BITS | url_number(url) & ((1 << _URL_BITS) - 1)


def doc_rank(doc: SearchDoc) -> int:
    return rank_of(doc.type, doc.year, doc.date, doc.url)
