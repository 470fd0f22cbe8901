"""The default engine: whoosh (whoosh-reloaded), with tokens from `analysis` handed over space-separated.

The text field gets the analysis module's tokens joined by spaces and split again by whoosh's
SpaceSeparatedTokenizer, so token i is at position i and a Phrase query is exactly "these bigrams
in a row". No whoosh query parser is used: a query is built from tokens, so `*`, quotes, AND/OR
and brackets in what a citizen types are plain characters (dropped by the analyzer).
"""

from __future__ import annotations

import threading
from pathlib import Path

from whoosh import collectors, searching, sorting
from whoosh import index as windex
from whoosh import query as wq
from whoosh.analysis import SpaceSeparatedTokenizer
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from .analysis import Query, analyze
from .backend import Hit, Results, snippet
from .documents import SearchDoc

EXACT_BOOST = 100.0  # a pasted decision number or credit code ranks its record first
WRITER_MB = 256  # whoosh's in-memory pool before it spills a segment
TIME_LIMIT = 2.0  # seconds; past it a query answers with the matches found so far (never a hang)


def _schema() -> Schema:
    return Schema(
        key=ID(stored=True, unique=True),
        type=ID(stored=True), year=ID(stored=True), department=ID(stored=True),
        date=ID(stored=True, sortable=True),
        url=STORED, title=STORED, body=STORED,
        text=TEXT(analyzer=SpaceSeparatedTokenizer(), phrase=True),
        chars=KEYWORD(scorable=False),
        exact=KEYWORD(),
    )


class WhooshBackend:
    name = "whoosh"

    def build(self, docs: list[SearchDoc], path: Path) -> None:
        ix = windex.create_in(str(path), _schema())
        writer = ix.writer(limitmb=WRITER_MB)
        try:
            for doc in docs:
                toks, chars = analyze(doc.text)
                writer.add_document(
                    key=doc.key, type=doc.type, year=doc.year, department=doc.department, date=doc.date,
                    url=doc.url, title=doc.title, body=doc.body,
                    text=" ".join(toks), chars=" ".join(sorted(chars)),
                    exact=" ".join(doc.exact))
            writer.commit(optimize=True)
        except BaseException:
            writer.cancel()
            raise
        finally:
            ix.close()

    def open(self, path: Path) -> WhooshIndex:
        return WhooshIndex(path)


def whoosh_query(query: Query) -> wq.Query:
    parts: list[wq.Query] = []
    for term in query.terms:
        if len(term.phrase) > 1:
            parts.append(wq.Phrase("text", list(term.phrase)))
        elif term.phrase:
            parts.append(wq.Term("text", term.phrase[0]))
        parts.extend(wq.Term("chars", ch) for ch in term.chars)
    matched = wq.And(parts) if len(parts) > 1 else parts[0]
    if not query.exact:
        return matched
    return wq.Or([wq.Term("exact", query.exact, boost=EXACT_BOOST), matched])


class WhooshIndex:
    """One open index; a lock around the searcher, as whoosh readers are not meant to be shared freely."""

    def __init__(self, path: Path) -> None:
        self._ix = windex.open_dir(str(path))
        self._searcher = self._ix.searcher()
        self._lock = threading.Lock()

    def search(self, query: Query, type: str = "", year: str = "", page: int = 1, page_size: int = 10) -> Results:
        if query.empty:
            return Results(0)
        facets = {"type": sorting.FieldFacet("type"), "year": sorting.FieldFacet("year")}
        with self._lock:
            # One pass over the matches: facets count all of them, the type/year filter narrows only the hits.
            collector = self._searcher.collector(limit=None, groupedby=facets)
            timed = collectors.TimeLimitCollector(collector, timelimit=TIME_LIMIT, use_alarm=False)
            try:
                self._searcher.search_with_collector(whoosh_query(query), timed)
            except searching.TimeLimit:
                pass  # a phrase found in nearly every record: answer with what was found in time
            results = timed.results()
            groups = {name: results.groups(name) for name in facets}
            counts = {name: {k: len(v) for k, v in g.items()} for name, g in groups.items()}
            allowed: set[int] | None = None
            for name, value in (("type", type), ("year", year)):
                if value:
                    ids = set(groups[name].get(value, ()))
                    allowed = ids if allowed is None else allowed & ids
            # Best score first; equal scores keep index order, which is newest first within a type.
            ranked = [n for _, n in sorted(results.top_n, key=lambda sn: (-sn[0], sn[1]))
                      if allowed is None or n in allowed]
            hits = []
            for docnum in ranked[(page - 1) * page_size: page * page_size]:
                r = self._searcher.stored_fields(docnum)
                hits.append(Hit(url=r["url"], title=r["title"], type=r["type"], date=r["date"],
                                snippet=snippet(r["body"], query)))
        return Results(len(ranked), tuple(hits), counts)

    def close(self) -> None:
        with self._lock:
            self._searcher.close()
            self._ix.close()
