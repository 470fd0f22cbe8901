"""The engine for province scale: tantivy (tantivy-py), fed the same tokens as whoosh, selected by `[search] backend`.

Why a second engine: whoosh answers in 488 ms at p95 and builds for 700 s at 200k records (DESIGN §7);
tantivy is a Rust library with the same model (an inverted index with positions) that answers in
milliseconds at a million. Nothing about the analysis changes: `analysis` still makes every token.

- `terms`: the record's keys (matching.doc_terms: tokens, Han characters, joints, `=exact`, `~code piece`)
  joined by spaces, split again by tantivy's built-in `whitespace` tokenizer: a query is the AND of its
  keys, as in whoosh and the static index. Built-in tokenizers only: any process opens the index with no setup.
- `group`: type and month in one number (type index × 10⁶ + yyyymm): a term filter for `type=`/`year=`,
  and a fast field, so one aggregation pass counts the facets and the total of any filter; and as the
  counts per month say which months hold the newest matches, the pass that picks the page reads only
  those (a phrase found in every record is checked once over all records, not twice).
- `rank`: matching.rank_of (year, type, date, a number fixed by its URL) in one number (a fast field):
  fixed by the record alone, so an index updated in place ranks exactly as one built afresh.
- `url` (indexed whole, for the benchmark's recall check), `heading`, `type`, `date`, `shown`: stored, for
  hits and snippets; all but `url` as bytes, which tantivy stores without indexing.

Updates (issue 7): a republish copies the index before it (hard links: segments are never changed, only
replaced), deletes the changed and withdrawn records by URL and adds the new versions; a record's shard
and rank depend on the record alone, so the answers equal those of an index built from scratch.

Shards: the records are dealt by a hash of their URL into SHARDS indexes (shard-0/, shard-1/, …), searched side by
side by one thread each (tantivy releases the GIL), so one query uses every core of a small server;
counts add up and pages merge by rank. Beyond one server: replicas of the read-only index (issue 7).

Ranking: the tiers of `matching` (profile, exact, partial code, the rest), each searched as a query of its
own that leaves out the tiers before it, and paged through in turn, each by `rank`.

No query parser is used: queries are built from tokens, so `*`, quotes, `AND`, `field:` and
brackets in what a citizen types are plain characters, already dropped by the analyzer.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import tantivy

from .analysis import Query
from .backend import Hit, Results, field_snippet
from .documents import SearchDoc, agency_term
from .matching import PROFILE_KEY, TYPE_ORDER, KnownTerms, doc_rank, exact_key, joined_terms, term_keys, url_number

SHARDS = 2  # indexes searched side by side: the cores of the 2-core machine the targets are measured on
WRITER_HEAP = 200_000_000  # bytes for all shards' writers: more heap, fewer segments to merge, but a 100k build
# holds its records too (its peak RSS, issue 18: at 400 MB a 100k cold build peaked at 1,029 MB)
TYPES = TYPE_ORDER
GROUP = 1_000_000  # group = type index * GROUP + yyyymm (0 when a record has no date)
MAX_GROUPS = 100_000  # aggregation buckets: 9 types x 12 months x decades fits with room
STORED = ("heading", "type", "date", "shown")  # stored only, as UTF-8 bytes
Occur = tantivy.Occur
T = TypeVar("T")
Ranked = tuple[int, int, tantivy.DocAddress]  # (rank, shard, address)


def _schema() -> tantivy.Schema:
    sb = tantivy.SchemaBuilder()
    sb.add_text_field("terms", tokenizer_name="whitespace", index_option="basic")
    sb.add_unsigned_field("group", indexed=True, fast=True)
    sb.add_unsigned_field("rank", fast=True)
    sb.add_text_field("url", stored=True, tokenizer_name="raw", index_option="basic")
    for name in STORED:
        sb.add_bytes_field(name, stored=True)
    return sb.build()


def group_of(type_key: str, year: str, date: str) -> int:
    month = int(date[5:7]) if date[:4] == year and date[5:7].isdigit() else 0
    return TYPES.index(type_key) * GROUP + (int(year) * 100 + month if year.isdigit() else 0)


def _order(group: int) -> tuple[int, int, int]:
    """Orders groups as their records' ranks are ordered: year, then type order, then month (none: oldest)."""
    month = group % GROUP
    return month // 100, -(group // GROUP), month % 100


def _document(doc: SearchDoc, known: KnownTerms | None = None) -> tantivy.Document:
    out = tantivy.Document()
    out.add_text("terms", joined_terms(doc, known))
    out.add_unsigned("group", group_of(doc.type, doc.year, doc.date))
    out.add_unsigned("rank", doc_rank(doc))
    out.add_text("url", doc.url)
    values = {"heading": doc.heading, "type": doc.type, "date": doc.date,
              "shown": json.dumps(doc.shown, ensure_ascii=False)}
    for name in STORED:
        out.add_bytes(name, values[name].encode("utf-8"))
    return out
class TantivyBackend:
    name = "tantivy"

    def __init__(self, shards: int = SHARDS) -> None:
        self.shards = shards

    def build(self, docs: Iterable[SearchDoc], path: Path, known: KnownTerms | None = None) -> None:
        """Index `docs`; any iterable, so a million records can stream through without being held at once."""
        writers = []
        for i in range(self.shards):
            (path / f"shard-{i}").mkdir()
            index = tantivy.Index(_schema(), str(path / f"shard-{i}"), reuse=False)
            # Python analyses the next record while tantivy's threads index the ones before.
            threads = max(1, min(4, (os.cpu_count() or 1) // self.shards))
            writers.append(index.writer(heap_size=WRITER_HEAP // self.shards, num_threads=threads))
        self._write(writers, docs, (), known)

    def update(self, path: Path, add: Iterable[SearchDoc], remove: Iterable[str],
               known: KnownTerms | None = None) -> None:
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
        self._write(writers, add, remove, known)

    @staticmethod
    def _write(writers: list[tantivy.IndexWriter], add: Iterable[SearchDoc], remove: Iterable[str],
               known: KnownTerms | None) -> None:
        try:
            for url in remove:
                for writer in writers:
                    writer.delete_documents_by_term("url", url)
            for doc in add:
                writers[url_number(doc.url) % len(writers)].add_document(_document(doc, known))
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

    def _all(self, keys: Iterable[str]) -> tantivy.Query:
        parts = [self._term("terms", k) for k in keys]
        return parts[0] if len(parts) == 1 else tantivy.Query.boolean_query([(Occur.Must, q) for q in parts])

    @staticmethod
    def _bool(must: Iterable[tantivy.Query], must_not: Iterable[tantivy.Query | None] = ()) -> tantivy.Query:
        clauses = [(Occur.Must, q) for q in must] + [(Occur.MustNot, q) for q in must_not if q is not None]
        return tantivy.Query.boolean_query(clauses)

    def _any(self, parts: list[tantivy.Query]) -> tantivy.Query:
        return parts[0] if len(parts) == 1 else tantivy.Query.boolean_query([(Occur.Should, q) for q in parts])

    def tiers(self, query: Query) -> tuple[tantivy.Query, list[tantivy.Query]]:
        """(everything the query matches, the matching tiers in order: each leaves out the ones before it)."""
        text = self._all(term_keys(query))
        exact = self._term("terms", exact_key(query)) if query.exact else None
        partial = self._all(query.partial) if query.partial else None
        special = [q for q in (exact, partial) if q is not None]
        if not special:
            return text, [text]
        profile, anything_special = self._term("terms", PROFILE_KEY), self._any(special)
        tiers = [self._bool([anything_special, profile])]
        if exact is not None:
            tiers.append(self._bool([exact], [profile]))
        if partial is not None:
            tiers.append(self._bool([partial], [exact, profile]))
        tiers.append(self._bool([text], [anything_special]))
        return self._any([text, *special]), tiers

    def contains(self, query: Query, url: str) -> bool:
        """Whether the record at `url` is among all matches of `query`: a recall check that needs no paging."""
        if query.empty:
            return False
        both = self._bool([self.tiers(query)[0], self._term("url", url)])
        return sum(self._each(lambda s: s.search(both, limit=1).count)) == 1

    def _groups(self, tq: tantivy.Query) -> dict[int, int]:
        """Matches per group (type, month), in one pass over the matches' fast field in each shard."""
        out: dict[int, int] = {}
        for agg in self._each(lambda s: s.aggregate(tq, {"g": {"terms": {"field": "group", "size": MAX_GROUPS}}})):
            for bucket in agg["g"]["buckets"]:
                out[int(bucket["key"])] = out.get(int(bucket["key"]), 0) + int(bucket["doc_count"])
        return out

    def _ranked(self, tq: tantivy.Query, limit: int, offset: int = 0) -> tuple[int, list[Ranked]]:
        """(matches, the `limit` highest ranked after `offset`), merged across the shards."""
        found = self._each(lambda s: s.search(tq, limit=offset + limit, count=True, order_by_field="rank"))
        merged = sorted(((int(rank), n, address) for n, f in enumerate(found) for rank, address in f.hits),
                        key=lambda entry: entry[0], reverse=True)
        return sum(f.count for f in found), merged[offset:offset + limit]

    def _in(self, tq: tantivy.Query, groups: list[int] | None) -> tantivy.Query:
        if groups is None:
            return tq
        return self._bool([tq, tantivy.Query.term_set_query(self._schema, "group", groups)])

    def search(self, query: Query, type: str = "", year: str = "", page: int = 1, page_size: int = 10,
               agency: str = "") -> Results:
        if query.empty:
            return Results(0)
        skip, want = (page - 1) * page_size, page_size
        everything, tiers = self.tiers(query)
        if agency:  # one agency's records only: facets count within it
            only = self._term("terms", agency_term(agency))
            everything, tiers = self._bool([everything, only]), [self._bool([t, only]) for t in tiers]
        counts = self._groups(everything)
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
        shown: list[Ranked] = []
        before = 0  # matches in the tiers before the last: the last (plain text) tier is counted by difference
        for n, tier in enumerate(tiers):
            last = n == len(tiers) - 1
            if last:
                # Only the groups that can hold the page: a key found in every record is not read twice.
                need = skip + want + before
                found = self._ranked(self._in(tier, self._best(counts, allowed, need)), skip + want)[1]
                shown += found[skip:skip + want]
                break
            count, found = self._ranked(self._in(tier, narrow), want, skip)
            shown += found
            before += count
            skip, want = max(0, skip - count), want - len(found)
            if want <= 0:
                break
        return Results(total, tuple(self._hits(shown, query)), facets)

    @staticmethod
    def _best(counts: dict[int, int], allowed: list[int], need: int) -> list[int]:
        """The allowed groups ranked first that together hold at least `need` matches."""
        chosen: list[int] = []
        for group in sorted(allowed, key=_order, reverse=True):
            chosen.append(group)
            if sum(counts[g] for g in chosen) >= need:
                break
        return chosen

    def _hits(self, ranked: list[Ranked], query: Query) -> list[Hit]:
        hits = []
        for _, shard, address in ranked:
            doc = self._searchers[shard].doc(address)
            heading, type_, date, shown = (bytes(doc.get_first(name)).decode("utf-8") for name in STORED)
            label, text = field_snippet(json.loads(shown), query)
            hits.append(Hit(url=doc.get_first("url"), title=heading, type=type_, date=date, snippet=text, field=label))
        return hits

    def close(self) -> None:
        if self._pool is not None:  # the files are memory-mapped and released with the objects
            self._pool.shutdown(wait=True)
