"""The engine for province scale: tantivy (tantivy-py), fed the same tokens as whoosh, selected by `[search] backend`.

Why a second engine: whoosh answers in 488 ms at p95 and builds for 700 s at 200k records (DESIGN §7);
tantivy is a Rust library with the same model (an inverted index with positions) that answers in
milliseconds at a million. Nothing about the analysis changes: `analysis` still makes every token.

- `text`: the analysis tokens joined by spaces, split again by tantivy's built-in `whitespace`
  tokenizer with positions, so token i is at position i and a phrase query is "these bigrams in a
  row" exactly as in whoosh. Built-in tokenizers only: any process opens the index with no setup.
- `chars`: every Han character of the record once (one-character queries, lone edge characters).
- `exact`: the compact forms of decision number, credit code, certificate number, names (`raw`).
- `group`: type and month in one number (type index × 10⁶ + yyyymm): a term filter for `type=`/`year=`,
  and a fast field, so one aggregation pass counts the facets and the total of any filter; and as the
  counts per month say which months hold the newest matches, the pass that picks the page reads only
  those (a phrase found in every record is checked once over all records, not twice).
- `rank`: the record's date, then its type, then a number fixed by its URL, in one number (a fast field):
  fixed by the record alone, so an index updated in place ranks exactly as one built afresh.
- `url` (indexed whole, for the benchmark's recall check), `title`, `type`, `date`, `body`: stored, for hits
  and snippets; all but `url` as bytes, which tantivy stores without indexing (a text field would make
  each whole body a term: 0.8 GB of term dictionary at 200k records).

Updates (issue 7): a republish copies the index before it (hard links: segments are never changed, only
replaced), deletes the changed and withdrawn records by URL and adds the new versions; a record's shard
and rank depend on the record alone, so the answers equal those of an index built from scratch.

Shards: the records are dealt by a hash of their URL into SHARDS indexes (shard-0/, shard-1/, …), searched side by
side by one thread each (tantivy releases the GIL), so one query uses every core of a small server;
counts add up and pages merge by rank. Beyond one server: replicas of the read-only index (issue 7).

Ranking: records whose decision number, code or name equals the query come first, then every other
match newest first (as the site's lists are). Every part of a query must match, so all hits contain
all terms and a score would mostly reflect a record's length; a date order is also the same however
tantivy's threads split the records into segments, where equal scores would not be.

No query parser is used: queries are built from tokens, so `*`, quotes, `AND`, `field:` and
brackets in what a citizen types are plain characters, already dropped by the analyzer.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import tantivy

from publisher.core.schema import RECORD_TYPES

from .analysis import Query, analyze
from .backend import Hit, Results, snippet
from .documents import SearchDoc

SHARDS = 2  # indexes searched side by side: the cores of the 2-core machine the targets are measured on
WRITER_HEAP = 400_000_000  # bytes for all shards' writers; more heap, fewer segments to merge
TYPES = tuple(RECORD_TYPES)
GROUP = 1_000_000  # group = type index * GROUP + yyyymm (0 when a record has no date)
MAX_GROUPS = 100_000  # aggregation buckets: 8 types x 12 months x decades fits with room
MAX_EXACT = 100  # records sharing the query's exact value that are set aside by rank; more are paged by tantivy
RANK_SLOTS = 10**8  # rank = day number * RANK_SLOTS + (RANK_SLOTS - 1 - type index * TIE_SLOTS - URL number)
TIE_SLOTS = 10**7
STORED = ("title", "type", "date", "body")  # stored only, as UTF-8 bytes
Occur = tantivy.Occur
T = TypeVar("T")
Ranked = tuple[int, int, tantivy.DocAddress]  # (rank, shard, address)


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("text", tokenizer_name="whitespace", index_option="position")
    sb.add_text_field("chars", tokenizer_name="whitespace", index_option="basic")
    sb.add_text_field("exact", tokenizer_name="raw", index_option="basic")
    sb.add_unsigned_field("group", indexed=True, fast=True)
    sb.add_unsigned_field("rank", fast=True)
    sb.add_text_field("url", stored=True, tokenizer_name="raw", index_option="basic")
    for name in STORED:
        sb.add_bytes_field(name, stored=True)
    return sb.build()


def group_of(type_key: str, year: str, date: str) -> int:
    month = int(date[5:7]) if date[:4] == year and date[5:7].isdigit() else 0
    return TYPES.index(type_key) * GROUP + (int(year) * 100 + month if year.isdigit() else 0)


def _age(group: int) -> int:
    """Orders groups as their records' ranks are ordered: by month, a group without a month (rank 0) oldest."""
    month = group % GROUP
    return month if month % 100 else 0


def url_number(url: str) -> int:
    """A number fixed by a record's URL: its shard, and its place among records of its type and day."""
    return int.from_bytes(hashlib.blake2b(url.encode(), digest_size=8).digest(), "big")


def rank_of(date: str, type_key: str, url: str) -> int:
    """Higher is shown first: a later date, then the site's type order, then a number fixed by the URL."""
    try:
        day = dt.date.fromisoformat(date).toordinal()
    except ValueError:
        day = 0
    tie = TYPES.index(type_key) * TIE_SLOTS + url_number(url) % TIE_SLOTS
    return day * RANK_SLOTS + RANK_SLOTS - 1 - tie


def _document(doc: SearchDoc) -> tantivy.Document:
    toks, chars = analyze(doc.text)
    out = tantivy.Document()
    out.add_text("text", " ".join(toks))
    out.add_text("chars", " ".join(sorted(chars)))
    for value in doc.exact:
        out.add_text("exact", value)
    out.add_unsigned("group", group_of(doc.type, doc.year, doc.date))
    out.add_unsigned("rank", rank_of(doc.date, doc.type, doc.url))
    out.add_text("url", doc.url)
    for name in STORED:
        out.add_bytes(name, getattr(doc, name).encode("utf-8"))
    return out


class TantivyBackend:
    name = "tantivy"

    def __init__(self, shards: int = SHARDS) -> None:
        self.shards = shards

    def build(self, docs: Iterable[SearchDoc], path: Path) -> None:
        """Index `docs`; any iterable, so a million records can stream through without being held at once."""
        writers = []
        for i in range(self.shards):
            (path / f"shard-{i}").mkdir()
            index = tantivy.Index(_schema(), str(path / f"shard-{i}"), reuse=False)
            # Python analyses the next record while tantivy's threads index the ones before.
            threads = max(1, min(4, (os.cpu_count() or 1) // self.shards))
            writers.append(index.writer(heap_size=WRITER_HEAP // self.shards, num_threads=threads))
        self._write(writers, docs, ())

    def update(self, path: Path, add: Iterable[SearchDoc], remove: Iterable[str]) -> None:
        """Change an index in place: delete the records at the URLs in `remove`, then add `add`.

        Run on a copy made of hard links: tantivy writes new segment files and replaces its meta
        files, and the files it shares with the copied index are first replaced by copies of their own.
        """
        folders = sorted(path.glob("shard-*"), key=lambda p: int(p.name.split("-")[1]))
        for folder in folders:
            for meta in folder.iterdir():
                if meta.is_file() and not meta.name.startswith(tuple("0123456789abcdef")):
                    shutil.copy2(meta, meta.with_name(meta.name + ".copy"))
                    os.replace(meta.with_name(meta.name + ".copy"), meta)  # meta.json, .managed.json: own inodes
        writers = [tantivy.Index.open(str(f)).writer(heap_size=WRITER_HEAP // len(folders), num_threads=1)
                   for f in folders]
        self._write(writers, add, remove)

    @staticmethod
    def _write(writers: list[tantivy.IndexWriter], add: Iterable[SearchDoc], remove: Iterable[str]) -> None:
        try:
            for url in remove:
                for writer in writers:
                    writer.delete_documents_by_term("url", url)
            for doc in add:
                writers[url_number(doc.url) % len(writers)].add_document(_document(doc))
            for writer in writers:
                writer.commit()
        except BaseException:
            for writer in writers:
                writer.rollback()
            raise
        for writer in writers:
            writer.wait_merging_threads()

    def open(self, path: Path) -> TantivyIndex:
        return TantivyIndex(path)


class TantivyIndex:
    """One open, read-only index of one or more shards; safe to share between threads (tantivy's searchers are)."""

    def __init__(self, path: Path) -> None:
        folders = sorted(path.glob("shard-*"), key=lambda p: int(p.name.split("-")[1]))
        if not folders:
            raise FileNotFoundError(f"{path}: no tantivy index (shard-0/, …) here")
        self._searchers = [tantivy.Index.open(str(p)).searcher() for p in folders]
        self._schema = tantivy.Index.open(str(folders[0])).schema  # the same in every shard
        self._pool = ThreadPoolExecutor(len(folders), "tantivy-shard") if len(folders) > 1 else None

    @property
    def segments(self) -> int:
        return sum(s.num_segments for s in self._searchers)

    def _each(self, work: Callable[[tantivy.Searcher], T]) -> list[T]:
        if self._pool is None:
            return [work(self._searchers[0])]
        return list(self._pool.map(work, self._searchers))

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
        return sum(self._each(lambda s: s.search(tantivy.Query.boolean_query(both), limit=1).count)) == 1

    def _groups(self, tq: tantivy.Query) -> dict[int, int]:
        """Matches per group (type, month), in one pass over the matches' fast field in each shard."""
        out: dict[int, int] = {}
        for agg in self._each(lambda s: s.aggregate(tq, {"g": {"terms": {"field": "group", "size": MAX_GROUPS}}})):
            for bucket in agg["g"]["buckets"]:
                out[int(bucket["key"])] = out.get(int(bucket["key"]), 0) + int(bucket["doc_count"])
        return out

    def _ranked(self, tq: tantivy.Query, limit: int, offset: int = 0) -> tuple[int, list[Ranked]]:
        """(matches, the `limit` newest after `offset`), merged across the shards."""
        found = self._each(lambda s: s.search(tq, limit=offset + limit, count=True, order_by_field="rank"))
        merged = sorted(((int(rank), n, address) for n, f in enumerate(found) for rank, address in f.hits),
                        key=lambda entry: entry[0], reverse=True)
        return sum(f.count for f in found), merged[offset:offset + limit]

    def _in(self, tq: tantivy.Query, groups: list[int] | None) -> tantivy.Query:
        if groups is None:
            return tq
        only = tantivy.Query.term_set_query(self._schema, "group", groups)
        return tantivy.Query.boolean_query([(Occur.Must, tq), (Occur.Must, only)])

    def search(self, query: Query, type: str = "", year: str = "", page: int = 1, page_size: int = 10) -> Results:
        if query.empty:
            return Results(0)
        skip, want = (page - 1) * page_size, page_size
        matched = self.matched(query)
        exact = self._term("exact", query.exact) if query.exact else None
        counts = self._groups(self._anything(matched, exact))
        facets: dict[str, dict[str, int]] = {"type": {}, "year": {}}
        allowed = []
        for group, n in sorted(counts.items()):
            t, y = TYPES[group // GROUP], str(group % GROUP // 100 or "")
            facets["type"][t] = facets["type"].get(t, 0) + n
            facets["year"][y] = facets["year"].get(y, 0) + n
            if (not type or t == type) and (not year or y == year):
                allowed.append(group)
        total = sum(counts[g] for g in allowed)
        if skip >= total:
            return Results(total, (), facets)
        narrow = None if len(allowed) == len(counts) else allowed  # a filter narrows the hits, never the facets
        # Exact matches first, then the rest, each newest first.
        n_exact, exacts = self._ranked(exact, MAX_EXACT) if exact is not None else (0, [])
        if n_exact <= MAX_EXACT:
            firsts = exacts if narrow is None or not exacts else self._ranked(self._in(exact, narrow), MAX_EXACT)[1]
            need = max(0, skip + want - len(firsts))
            rest = self._ranked(self._in(matched, self._newest(counts, allowed, need + len(exacts))),
                                need + len(exacts))[1] if need else []
            aside = {rank for rank, _, _ in exacts}
            shown = (firsts + [r for r in rest if r[0] not in aside])[skip:skip + want]
        else:  # many records carry the value (a firm's name): page through them, then through the rest
            n_first, shown = self._ranked(self._in(exact, narrow), want, skip)
            if len(shown) < want:
                others = tantivy.Query.boolean_query([(Occur.Must, matched), (Occur.MustNot, exact)])
                shown += self._ranked(self._in(others, narrow), want - len(shown), max(0, skip - n_first))[1]
        return Results(total, tuple(self._hits(shown, query)), facets)

    @staticmethod
    def _newest(counts: dict[int, int], allowed: list[int], need: int) -> list[int]:
        """The allowed groups of the newest months that together hold at least `need` matches."""
        by_age: dict[int, list[int]] = {}
        for group in allowed:
            by_age.setdefault(_age(group), []).append(group)
        chosen: list[int] = []
        for age in sorted(by_age, reverse=True):
            chosen += by_age[age]
            if sum(counts[g] for g in chosen) >= need:
                break
        return chosen

    def _hits(self, ranked: list[Ranked], query: Query) -> list[Hit]:
        hits = []
        for _, shard, address in ranked:
            doc = self._searchers[shard].doc(address)
            title, type_, date, body = (bytes(doc.get_first(name)).decode("utf-8") for name in STORED)
            hits.append(Hit(url=doc.get_first("url"), title=title, type=type_, date=date, snippet=snippet(body, query)))
        return hits

    def close(self) -> None:
        if self._pool is not None:  # the files are memory-mapped and released with the objects
            self._pool.shutdown(wait=True)
