"""The engine for province scale: tantivy (tantivy-py), fed the same tokens as whoosh, selected by `[search] backend`.

Why a second engine: whoosh answers in 488 ms at p95 and builds for 700 s at 200k records (DESIGN §7);
tantivy is a Rust library with the same model (an inverted index with positions) that answers in
milliseconds at a million. Nothing about the analysis changes: `analysis` still makes every token.

- `text`: the analysis tokens joined by spaces, split again by tantivy's built-in `whitespace`
  tokenizer with positions, so token i is at position i and a phrase query is "these bigrams in a
  row" exactly as in whoosh. Built-in tokenizers only: any process opens the index with no setup.
- `chars`: every Han character of the record once (one-character queries, lone edge characters).
- `exact`: the compact forms of decision number, credit code, certificate number, names (`raw`).
- `group`: type and year in one number (type index × 10000 + year): a term filter for `type=`/`year=`,
  and a fast field, so one aggregation pass counts the facets and the total of any filter.
- `rank`: the record's date, then its place in the build's list, in one number (a fast field).

Ranking: records whose decision number, code or name equals the query come first, then every other
match newest first (as the site's lists are). Every part of a query must match, so all hits contain
all terms and a score would mostly reflect a record's length; a date order is also the same however
tantivy's threads split the records into segments, where equal scores would not be.

No query parser is used: queries are built from tokens, so `*`, quotes, `AND`, `field:` and
brackets in what a citizen types are plain characters, already dropped by the analyzer.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import tantivy

from publisher.schema import RECORD_TYPES

from .analysis import Query, analyze
from .backend import Hit, Results, snippet
from .documents import SearchDoc

WRITER_HEAP = 400_000_000  # bytes, split across the writer's threads; more heap, fewer segments to merge
TYPES = tuple(RECORD_TYPES)
GROUP = 10_000  # group = type index * GROUP + year (0 when a record has no year)
MAX_GROUPS = 10_000  # aggregation buckets: 8 types x a few decades of years fits with room
RANK_SLOTS = 10**8  # rank = yyyymmdd * RANK_SLOTS + (RANK_SLOTS - 1 - place): records a build can order
STORED = ("url", "title", "type", "date", "body")
Occur = tantivy.Occur


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("text", tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("chars", tokenizer_name="whitespace", index_option="basic")
    sb.add_text_field("exact", tokenizer_name="raw", index_option="basic")
    sb.add_unsigned_field("group", indexed=True, fast=True)
    sb.add_unsigned_field("rank", fast=True)
    for name in STORED:
        sb.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    return sb.build()


def group_of(type_key: str, year: str) -> int:
    return TYPES.index(type_key) * GROUP + (int(year) if year.isdigit() else 0)


def rank_of(date: str, place: int) -> int:
    """Higher is shown first: a later date, then an earlier place in the build's list (newest first by type)."""
    day = date.replace("-", "")
    return (int(day) if len(day) == 8 and day.isdigit() else 0) * RANK_SLOTS + RANK_SLOTS - 1 - min(place,
                                                                                                     RANK_SLOTS - 1)


def _document(doc: SearchDoc, place: int) -> tantivy.Document:
    toks, chars = analyze(doc.text)
    out = tantivy.Document()
    out.add_text("text", " ".join(toks))
    out.add_text("chars", " ".join(sorted(chars)))
    for value in doc.exact:
        out.add_text("exact", value)
    out.add_unsigned("group", group_of(doc.type, doc.year))
    out.add_unsigned("rank", rank_of(doc.date, place))
    for name in STORED:
        out.add_text(name, getattr(doc, name))
    return out


class TantivyBackend:
    name = "tantivy"

    def build(self, docs: Iterable[SearchDoc], path: Path) -> None:
        """Index `docs`; any iterable, so a million records can stream through without being held at once."""
        index = tantivy.Index(_schema(), str(path), reuse=False)
        # Python analyses the next record while tantivy's threads index the ones before.
        writer = index.writer(heap_size=WRITER_HEAP, num_threads=min(4, os.cpu_count() or 1))
        try:
            for place, doc in enumerate(docs):
                writer.add_document(_document(doc, place))
            writer.commit()
        except BaseException:
            writer.rollback()
            raise
        writer.wait_merging_threads()

    def open(self, path: Path) -> TantivyIndex:
        return TantivyIndex(path)


class TantivyIndex:
    """One open, read-only index; tantivy's searcher is safe to share between threads, so no lock."""

    def __init__(self, path: Path) -> None:
        self._index = tantivy.Index.open(str(path))
        self._schema = self._index.schema
        self._searcher = self._index.searcher()

    def _term(self, field: str, value: str | int) -> tantivy.Query:
        return tantivy.Query.term_query(self._schema, field, value)

    def matched(self, query: Query) -> tantivy.Query:
        """Every part of the query: its tokens as a phrase, its lone edge characters anywhere."""
        parts: list[tantivy.Query] = []
        for term in query.terms:
            if len(term.phrase) > 1:
                parts.append(tantivy.Query.phrase_query(self._schema, "text", list(term.phrase)))
            elif term.phrase:
                parts.append(self._term("text", term.phrase[0]))
            parts.extend(self._term("chars", ch) for ch in term.chars)
        return parts[0] if len(parts) == 1 else tantivy.Query.boolean_query([(Occur.Must, p) for p in parts])

    @staticmethod
    def _anything(matched: tantivy.Query, exact: tantivy.Query | None) -> tantivy.Query:
        return matched if exact is None else tantivy.Query.boolean_query([(Occur.Should, exact),
                                                                          (Occur.Should, matched)])

    def contains(self, query: Query, url: str) -> bool:
        """Whether the record at `url` is among all matches of `query`: a recall check that needs no paging."""
        if query.empty:
            return False
        exact = self._term("exact", query.exact) if query.exact else None
        both = [(Occur.Must, self._anything(self.matched(query), exact)), (Occur.Must, self._term("url", url))]
        return self._searcher.search(tantivy.Query.boolean_query(both), limit=1).count == 1

    def _groups(self, tq: tantivy.Query) -> dict[int, int]:
        """Matches per (type, year) group, in one pass over the matches' fast field."""
        agg = self._searcher.aggregate(tq, {"g": {"terms": {"field": "group", "size": MAX_GROUPS}}})
        return {int(b["key"]): int(b["doc_count"]) for b in agg["g"]["buckets"]}

    def _ranked(self, tq: tantivy.Query, limit: int, offset: int, count: bool = False) -> tantivy.SearchResult:
        return self._searcher.search(tq, limit=limit, offset=offset, count=count, order_by_field="rank")

    def search(self, query: Query, type: str = "", year: str = "", page: int = 1, page_size: int = 10) -> Results:
        if query.empty:
            return Results(0)
        matched = self.matched(query)
        exact = self._term("exact", query.exact) if query.exact else None
        counts = self._groups(self._anything(matched, exact))
        facets: dict[str, dict[str, int]] = {"type": {}, "year": {}}
        allowed = []
        for group, n in sorted(counts.items()):
            t, y = TYPES[group // GROUP], str(group % GROUP or "")
            facets["type"][t] = facets["type"].get(t, 0) + n
            facets["year"][y] = facets["year"].get(y, 0) + n
            if (not type or t == type) and (not year or y == year):
                allowed.append(group)
        total = sum(counts[g] for g in allowed)
        skip, want = (page - 1) * page_size, page_size
        if skip >= total:
            return Results(total, (), facets)
        only = None if len(allowed) == len(counts) else tantivy.Query.term_set_query(self._schema, "group", allowed)

        def narrow(tq: tantivy.Query) -> tantivy.Query:  # a filter narrows the hits; the facets count every match
            return tq if only is None else tantivy.Query.boolean_query([(Occur.Must, tq), (Occur.Must, only)])

        addresses = []
        rest = matched
        if exact is not None:  # exact matches first, then the rest; each newest first
            first = self._ranked(narrow(exact), want, skip, count=True)
            addresses = [a for _, a in first.hits]
            skip, want = max(0, skip - first.count), want - len(addresses)
            rest = tantivy.Query.boolean_query([(Occur.Must, matched), (Occur.MustNot, exact)])
        if want > 0:
            addresses += [a for _, a in self._ranked(narrow(rest), want, skip).hits]
        hits = []
        for address in addresses:
            doc = self._searcher.doc(address)
            hits.append(Hit(url=doc.get_first("url"), title=doc.get_first("title"), type=doc.get_first("type"),
                            date=doc.get_first("date"), snippet=snippet(doc.get_first("body"), query)))
        return Results(total, tuple(hits), facets)

    def close(self) -> None:
        pass  # the files are memory-mapped and released with the objects; a retired index may still answer
