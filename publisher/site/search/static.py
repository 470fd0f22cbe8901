"""The static fallback: an index of plain JSON files, sharded by term, so a query downloads little.

For sites hosted as plain files (no `portal serve`): theme/static/js/search.js reads it with the
same analysis as the service. Chosen over Pagefind by measurement (bench/search_bench.py): no
extra binary, the same tokens as the service, and a first query fetches meta.json, one shard per
distinct term and the excerpt chunks of the hits it shows.

    search/index-<hash>/meta.json      shard count, doc count, chunk size, (type, year) id ranges, field labels
    search/index-<hash>/t/<n>.json     {term: [doc id deltas]} for the terms hashing to shard n
    search/index-<hash>/d/<n>.json     [[url, heading, date, [[label no, value], ...]], ...] for docs n*CHUNK…

Doc ids run in matching.rank_of order (year, then type, then date), so type and year are id ranges, facets
cost nothing to download and a tier's hits are in order by id. Keys are matching.doc_terms: no positions, a
term's tokens must all occur, and the "joint" of two neighbouring runs (`2024_第`) must occur too, which keeps
decision numbers precise.
The directory name carries the content hash: files never change once written, and the page that
names the directory is written after it, so a browser never mixes two builds.

Every file has a gzip-compressed twin (`…json.gz`, level 9): a common term's postings are long runs
of small deltas that gzip shrinks ~10x, and a web server sends the twin without compressing anything
per request (nginx `gzip_static on;`, Caddy `file_server { precompressed gzip }`); search.js is
unchanged, as the browser undoes the Content-Encoding. Bytes per first query, plain and gzip, at
1k-100k records: bench/search_scale.py.
"""

from __future__ import annotations

import gzip
import json
import shutil
from array import array
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .analysis import Query
from .backend import Hit, Results, field_snippet
from .documents import SEARCH_TYPES, SearchDoc, agency_term, docs_hash
from .matching import doc_rank, doc_terms, exact_key, term_keys, tier_of

STATIC_DIR = "search"
FORMAT = 2
CHUNK = 10  # docs per file of snippet fields: a page of 10 hits touches few, small files
TARGET_SHARD_BYTES = 12_000  # the shard count is the power of two that brings the mean shard near this
MAX_SHARDS = 65536  # at 100k records, 8192 shards put ~30 KB of other terms' postings beside each term
KEEP = 2


def fnv1a(text: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes; search.js computes the same."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _put(path: Path, value: object) -> None:
    """Write `value` as JSON, and its gzip twin for servers that send precompressed files."""
    data = _dumps(value).encode("utf-8")
    path.write_bytes(data)
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))


def build_static_index(docs: list[SearchDoc] | Callable[[], list[SearchDoc]], output: Path, keep: int = KEEP,
                       content_hash: str | None = None) -> str:
    """Write search/index-<hash>/ unless it exists; return its site URL (/search/index-<hash>/).

    `content_hash` names the index without making the documents (the site passes its records'
    digests); `docs` may then be a function, called only when the index must be built.
    """
    root = output / STATIC_DIR
    name = f"index-{content_hash or docs_hash(docs() if callable(docs) else docs, 'static')}"
    final = root / name
    if not (final / "meta.json").is_file():
        docs = docs() if callable(docs) else docs
        tmp = root / f".building-{name}"
        shutil.rmtree(tmp, ignore_errors=True)
        (tmp / "t").mkdir(parents=True)
        (tmp / "d").mkdir()
        _write(docs, tmp)
        shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)
    _prune(root, name, keep)
    return f"/{STATIC_DIR}/{name}/"


def _write(docs: list[SearchDoc], folder: Path) -> None:
    docs = sorted(docs, key=doc_rank, reverse=True)  # ids in rank order: a tier's hits sort by id
    postings: dict[str, array] = defaultdict(lambda: array("I"))
    for i, doc in enumerate(docs):
        for term in doc_terms(doc):
            postings[term].append(i)
    size = sum(len(t) * 3 + 4 + 3 * len(p) for t, p in postings.items())  # rough JSON bytes
    shards = 1
    while shards < MAX_SHARDS and size / shards > TARGET_SHARD_BYTES:
        shards *= 2
    terms_of: dict[int, list[str]] = defaultdict(list)
    for term in postings:
        terms_of[fnv1a(term) % shards].append(term)
    for n in range(shards):  # every shard, even an empty one: a 404 would look like a broken site
        # One shard's delta lists at a time: at 100k records all of them at once took over a gigabyte.
        shard = {}
        for term in sorted(terms_of.pop(n, ())):
            ids = postings.pop(term)
            shard[term] = [ids[0], *(b - a for a, b in zip(ids, ids[1:], strict=False))]
        _put(folder / "t" / f"{n}.json", shard)
    labels = list(dict.fromkeys(label for d in docs for label, _ in d.shown))
    number = {label: n for n, label in enumerate(labels)}
    for start in range(0, len(docs), CHUNK):
        rows = [[d.url, d.heading, d.date, [[number[label], value] for label, value in d.shown]]
                for d in docs[start:start + CHUNK]]
        _put(folder / "d" / f"{start // CHUNK}.json", rows)
    groups: list[list] = []
    for i, doc in enumerate(docs):
        if groups and groups[-1][0] == doc.type and groups[-1][1] == doc.year:
            groups[-1][3] = i + 1
        else:
            groups.append([doc.type, doc.year, i, i + 1])
    meta = {"format": FORMAT, "shards": shards, "docs": len(docs), "chunk": CHUNK, "groups": groups,
            "types": SEARCH_TYPES, "labels": labels}
    _put(folder / "meta.json", meta)


def _prune(root: Path, current: str, keep_count: int) -> None:
    indexes = sorted((p for p in root.iterdir() if p.is_dir() and p.name.startswith("index-")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    keep = {current} | {p.name for p in indexes[:keep_count]}
    for path in indexes:
        if path.name not in keep:
            shutil.rmtree(path, ignore_errors=True)


@dataclass
class StaticReader:
    """Reads the static index as search.js does (the same steps), counting the bytes it fetches."""

    folder: Path
    fetched: int = 0  # bytes a browser would download (uncompressed)
    fetched_gzip: int = 0  # the same files' gzip twins, as a server with precompressed files sends them

    def __post_init__(self) -> None:
        self._cache: dict[str, object] = {}
        self.files: list[str] = []
        self.meta = self._get("meta.json")

    def _get(self, name: str) -> object:
        if name not in self._cache:
            path = self.folder / name
            data = path.read_bytes() if path.is_file() else b"{}"
            twin = path.with_name(path.name + ".gz")
            self.fetched += len(data)
            self.fetched_gzip += twin.stat().st_size if twin.is_file() else len(data)
            self.files.append(name)
            self._cache[name] = json.loads(data)
        return self._cache[name]

    def postings(self, key: str) -> set[int]:
        shard = self._get(f"t/{fnv1a(key) % self.meta['shards']}.json")
        ids, total = set(), 0
        for delta in shard.get(key, ()):
            total += delta
            ids.add(total)
        return ids

    def all_of(self, keys: list[str] | tuple[str, ...]) -> set[int]:
        matched: set[int] | None = None
        for key in keys:
            ids = self.postings(key)
            matched = ids if matched is None else matched & ids
        return matched or set()

    def search(self, query: Query, type: str = "", year: str = "", page: int = 1, page_size: int = 10,
               agency: str = "") -> Results:
        keys = term_keys(query)
        if not keys:
            return Results(0)
        exact = self.postings(exact_key(query)) if query.exact else set()
        partial = self.all_of(query.partial)
        matched = self.all_of(keys) | exact | partial
        matched &= self.postings(agency_term(agency)) if agency else matched
        facets: dict[str, dict[str, int]] = {"type": {}, "year": {}}
        group_of: dict[int, list] = {}
        for g in self.meta["groups"]:
            inside = [i for i in matched if g[2] <= i < g[3]]
            for i in inside:
                group_of[i] = g
            if inside:
                facets["type"][g[0]] = facets["type"].get(g[0], 0) + len(inside)
                facets["year"][g[1]] = facets["year"].get(g[1], 0) + len(inside)
        shown = [i for i in matched if (not type or group_of[i][0] == type) and (not year or group_of[i][1] == year)]
        shown.sort(key=lambda i: (tier_of(group_of[i][0], i in exact, i in partial), i))
        chunk = self.meta["chunk"]
        labels = self.meta["labels"]
        hits = []
        for i in shown[(page - 1) * page_size: page * page_size]:
            url, heading, date, fields = self._get(f"d/{i // chunk}.json")[i % chunk]
            label, text = field_snippet([(labels[n], value) for n, value in fields], query)
            hits.append(Hit(url, heading, group_of[i][0], date, text, label))
        return Results(len(shown), tuple(hits), facets)

    def close(self) -> None:
        pass
