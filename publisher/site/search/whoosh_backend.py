"""The default engine: whoosh (whoosh-reloaded), holding each record's keys of `matching.doc_terms`.

A record's keys are one space-separated KEYWORD field; a query is the AND of its keys, OR its exact key, OR
its partial-code keys (matching), built from tokens: no whoosh query parser is used, so `*`, quotes, AND/OR
and brackets in what a citizen types are plain characters (dropped by the analyzer). Hits are ordered by
tier, then by the `rank` column (matching.rank_of), exactly as the static index and tantivy order them.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from pathlib import Path

from whoosh import collectors, searching, sorting
from whoosh import index as windex
from whoosh import query as wq
from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, Schema

from .analysis import Query
from .backend import Hit, Results, field_snippet
from .documents import SearchDoc, agency_term
from .matching import KnownTerms, doc_rank, exact_key, joined_terms, term_keys, tier_of

WRITER_MB = 256  # whoosh's in-memory pool before it spills a segment
TIME_LIMIT = 2.0  # seconds; past it a query answers with the matches found so far (never a hang)


def _schema() -> Schema:
    return Schema(
        key=ID(stored=True, unique=True),
        type=ID(stored=True), year=ID(stored=True),
        rank=NUMERIC(bits=64, signed=False, sortable=True),
        url=STORED, heading=STORED, date=STORED, shown=STORED,
        terms=KEYWORD(scorable=False),
    )


class WhooshBackend:
    name = "whoosh"

    def build(self, docs: Iterable[SearchDoc], path: Path, known: KnownTerms | None = None) -> None:
        ix = windex.create_in(str(path), _schema())
        writer = ix.writer(limitmb=WRITER_MB)
        try:
            for doc in docs:
                writer.add_document(
                    key=doc.key, type=doc.type, year=doc.year, rank=doc_rank(doc), url=doc.url,
                    heading=doc.heading, date=doc.date, shown=json.dumps(doc.shown, ensure_ascii=False),
                    terms=joined_terms(doc, known))
            writer.commit(optimize=True)
        except BaseException:
            writer.cancel()
            raise
        finally:
            ix.close()

    def open(self, path: Path) -> WhooshIndex:
        return WhooshIndex(path)


def _all(keys: list[str] | tuple[str, ...]) -> wq.Query:
    return wq.And([wq.Term("terms", k) for k in keys]) if len(keys) > 1 else wq.Term("terms", keys[0])


def whoosh_queries(query: Query) -> tuple[wq.Query, wq.Query | None, wq.Query | None]:
    """(everything the query matches, its exact key, its partial code)."""
    exact = wq.Term("terms", exact_key(query)) if query.exact else None
    partial = _all(query.partial) if query.partial else None
    special = [q for q in (exact, partial) if q is not None]
    return wq.Or([_all(term_keys(query)), *special]), exact, partial


class WhooshIndex:
    """One open index; a lock around the searcher, as whoosh readers are not meant to be shared freely."""

    def __init__(self, path: Path) -> None:
        self._ix = windex.open_dir(str(path))
        self._searcher = self._ix.searcher()
        self._lock = threading.Lock()

    def search(self, query: Query, type: str = "", year: str = "", page: int = 1, page_size: int = 10,
               agency: str = "") -> Results:
        if query.empty:
            return Results(0)
        facets = {"type": sorting.FieldFacet("type"), "year": sorting.FieldFacet("year")}
        everything, exact, partial = whoosh_queries(query)
        if agency:  # one agency's records only: facets count within it
            everything = wq.And([everything, wq.Term("terms", agency_term(agency))])
        with self._lock:
            # One pass over the matches: facets count all of them, the type/year filter narrows only the hits.
            collector = self._searcher.collector(limit=None, groupedby=facets)
            timed = collectors.TimeLimitCollector(collector, timelimit=TIME_LIMIT, use_alarm=False)
            try:
                self._searcher.search_with_collector(everything, timed)
            except searching.TimeLimit:
                pass  # a key found in nearly every record: answer with what was found in time
            results = timed.results()
            groups = {name: results.groups(name) for name in facets}
            counts = {name: {k: len(v) for k, v in g.items()} for name, g in groups.items()}
            type_of = {n: t for t, ns in groups["type"].items() for n in ns}
            allowed: set[int] | None = None
            for name, value in (("type", type), ("year", year)):
                if value:
                    ids = set(groups[name].get(value, ()))
                    allowed = ids if allowed is None else allowed & ids
            exact_ids = set(self._searcher.docs_for_query(exact)) if exact is not None else set()
            partial_ids = set(self._searcher.docs_for_query(partial)) if partial is not None else set()
            rank = self._searcher.reader().column_reader("rank")
            ranked = sorted((n for _, n in results.top_n if allowed is None or n in allowed),
                            key=lambda n: (tier_of(type_of[n], n in exact_ids, n in partial_ids), -rank[n]))
            hits = []
            for docnum in ranked[(page - 1) * page_size: page * page_size]:
                r = self._searcher.stored_fields(docnum)
                label, text = field_snippet(json.loads(r["shown"]), query)
                hits.append(Hit(url=r["url"], title=r["heading"], type=r["type"], date=r["date"], snippet=text,
                                field=label))
        return Results(len(ranked), tuple(hits), counts)

    def close(self) -> None:
        with self._lock:
            self._searcher.close()
            self._ix.close()
