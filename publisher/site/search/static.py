"""The static fallback: an index of plain files, sharded by term, so a query downloads little.

For sites hosted as plain files (no `portal serve`): theme/static/js/search.js reads it with the
same analysis as the service. Chosen over Pagefind by measurement (bench/search_bench.py): no
extra binary, the same tokens as the service, and a first query fetches meta.json, one shard per
distinct term, the rank order of the groups its page shows and the excerpt chunks of its hits.

    meta: shard count, chunk size, groups [number, type, year, live docs], labels, the file table
    t/<n>.bin      the terms hashing to shard n and their id lists (postings.py)
    o/<g>.bin      group g's ids (their low 20 bits) from the highest rank down (postings.py)
    d/<n>.json     [[url, heading, date, [[label no, value], ...]] or null, ...] for ids n*CHUNK…

Where each file lives is static_files.py's: under search/index/, in the folder of the build that last changed
its bytes, so a file keeps its URL while its bytes stay the same and nothing once written changes; the
search page names the meta (meta-<hash>.json, named by its own bytes), written after every file it names.

Ids survive insertions and withdrawals, so a change rewrites only the files it touches. An id is
group * 2**20 + its number in the group: a group is a (year, type) — its number orders groups as
matching.rank_of does, so facets cost nothing and groups are ranked by id — and within a group records
are numbered by first publication (`published`, then rank, then key). A withdrawn record (a notice in
content/) keeps its number as an empty slot. Everything is derived from content/ alone, so a full build
numbers as an incremental one does; a record published today only appends, unless a record of the same
group published the same day ranks above it. Keys are matching.doc_terms: no positions, a term's tokens
must all occur, and the "joint" of two neighbouring runs (`2024_第`) must occur too.

A site's build (`update_static_index`) does not compute the index again: each document's keys are kept by
record version (static_docs.py), and `patch_index` (static_patch.py) turns the previous index into the new one:
it finds the changed documents by comparing the site's listing with the previous index's state, makes and
analyses only those, and re-encodes only the shards, snippet chunks and rank orders they touch; a change that
would move the shard count or the labels, or too many changed documents, builds in full instead. Both ways
give the same files (tests/test_incremental.py compares them through the table: where they lie depends on the
builds before).
StaticReader (static_reader.py) reads it as search.js does.

Every file has a gzip-compressed twin (`….gz`, level 9) for servers that send precompressed files (nginx
`gzip_static on;`, Caddy `file_server { precompressed gzip }`); the binary lists are small served plain too.
Bytes per first query, plain and gzip: bench/search_scale.py.
"""

from __future__ import annotations

import hashlib
import logging
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import filterfalse
from operator import attrgetter
from pathlib import Path

from publisher.core.content import PublishedRecord
from publisher.site.background import apart

from .analysis import ANALYZER_VERSION
from .documents import SEARCH_TYPES, SearchDoc, docs_hash
from .matching import TYPE_ORDER, doc_rank, rank_of
from .postings import encode_order, encode_shard
from .static_docs import CachedDocs, IndexedDoc, IndexState, MemoryDocs, StoredDocs
from .static_files import ROOT, FileTable, IndexFiles, compact_json, complete, metas, prune, read_meta
from .store import code_hash

DocSource = MemoryDocs | CachedDocs | StoredDocs
# static_patch.patch_index: the files by which the previous index becomes the new one, or None (build in full)
Patch = Callable[[CachedDocs, list["Slot"], IndexState, Callable[[str], bytes | None]],
                 tuple[IndexState, dict[str, bytes], dict] | None]

log = logging.getLogger(__name__)
STATIC_DIR = "search"
FORMAT = 4
GROUP_BITS = 20  # numbers within a (year, type) group: a million records of one type in one year
CHUNK = 16  # ids per file of snippet fields: a page of 10 hits touches few, small files
TARGET_SHARD_BYTES = 6_000  # the shard count is the power of two that brings the mean shard near this
MAX_SHARDS = 65536
KEEP = 2


def fnv1a(text: str) -> int:
    """32-bit FNV-1a of the UTF-8 bytes; search.js computes the same."""
    h = 0x811C9DC5
    for byte in text.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & 0xFFFFFFFF
    return h


@dataclass(frozen=True)
class Slot:
    """A withdrawn record's place: its number in its group stays taken, so no other record's id moves."""

    key: str
    type: str
    url: str
    date: str
    year: str
    published: str


def withdrawn_slots(published: dict[str, list[PublishedRecord]]) -> list[Slot]:
    """Every withdrawal notice of content/ (a record once shown), in schema order, in its record's place: the
    notice's Record-Date (a notice written before it was kept has only its own date; its place is that)."""
    return [Slot(f"{r.type}/{r.slug}", r.type, r.url, r.record_date or r.date, (r.record_date or r.date)[:4],
                 r.published)
            for records in published.values() for r in filterfalse(_live, records) if r.type in SEARCH_TYPES]


_live = attrgetter("live")  # in C: the withdrawn are few among a province's records


def group_of(type_key: str, year: str) -> int:
    """A (year, type) group's number: higher ranks first, as in matching.rank_of."""
    y = int(year) if year.isascii() and year.isdigit() else 0
    return y * 16 + 15 - TYPE_ORDER.index(type_key)


def assign_ids(docs: list[SearchDoc] | list[IndexedDoc], slots: Iterable[Slot] = ()) -> list[int]:
    """Each document's id (aligned with `docs`): group, then number by first publication within it."""
    return layout(docs, slots)[0]


def layout(docs: list[SearchDoc] | list[IndexedDoc], slots: Iterable[Slot] = ()) -> tuple[list[int], dict[int, list]]:
    """`assign_ids`, and each group's members by number: [published, rank, key, live] (a slot is not live)."""
    members: dict[int, list[tuple[str, int, str, int]]] = defaultdict(list)
    for i, d in enumerate(docs):
        rank = d.rank if isinstance(d, IndexedDoc) else doc_rank(d)
        members[group_of(d.type, d.year)].append((d.published, rank, d.key, i))
    for s in slots:
        members[group_of(s.type, s.year)].append((s.published, rank_of(s.type, s.year, s.date, s.url), s.key, -1))
    ids = [0] * len(docs)
    lines: dict[int, list] = {}
    for group, entries in members.items():
        if len(entries) >= 1 << GROUP_BITS:
            raise ValueError(f"search group {group} holds {len(entries)} records, more than {1 << GROUP_BITS}")
        entries.sort()
        for number, (*_, i) in enumerate(entries):
            if i >= 0:
                ids[i] = (group << GROUP_BITS) + number
        lines[group] = [[published, rank, key, int(i >= 0)] for published, rank, key, i in entries]
    return ids, lines


def build_static_index(docs: list[SearchDoc] | Callable[[], list[SearchDoc]], output: Path, keep: int = KEEP,
                       content_hash: str | None = None,
                       slots: list[Slot] | Callable[[], list[Slot]] = ()) -> str:
    """Write the index under search/index/ unless it is there; return its meta's site URL.

    `content_hash` names the index without making the documents (the site passes the digests of its
    records, withdrawn ones included); `docs` and `slots` may then be functions, called only when the
    index must be built. Nothing is kept between calls: a site's build calls `update_static_index`.
    """
    if content_hash is None:
        docs = docs() if callable(docs) else docs
        slots = slots() if callable(slots) else slots
        content_hash = docs_hash(docs, "static:" + ",".join(sorted(s.key for s in slots)))

    def source() -> MemoryDocs:
        return MemoryDocs(docs() if callable(docs) else docs)

    return build_or_patch(output, keep, content_hash, source, slots)


def cache_file(state: Path) -> Path:
    """Where a site keeps its analysed documents: named by the code that makes them (static_docs.py)."""
    salt = hashlib.blake2b(f"{FORMAT}:{ANALYZER_VERSION}:{code_hash()}".encode(), digest_size=6).hexdigest()
    return state / "cache" / f"search-static-{salt}.sqlite"


def build_name(content_hash: str) -> str:
    """The folder a build writes its files into: its content and the code that lays them out."""
    salt = f"{FORMAT}:{ANALYZER_VERSION}:{code_hash()}:{content_hash}"
    return hashlib.blake2b(salt.encode(), digest_size=8).hexdigest()


def build_or_patch(output: Path, keep: int, content_hash: str, source: Callable[[], DocSource],
                   slots: list[Slot] | Callable[[], list[Slot]], patch: Patch | None = None) -> str:
    """The index named by `content_hash` under output/search/index/, unless it is there: patched from the newest
    one by `patch` (static_patch.py) when the documents come from the cache and it can, else built in full."""
    root = output / STATIC_DIR / ROOT
    build = build_name(content_hash)
    name = _built(root, build)
    if name is None:
        docs = source()
        slots = slots() if callable(slots) else slots
        root.mkdir(parents=True, exist_ok=True)
        previous = _newest(root)
        table = FileTable.of_meta(read_meta(previous) or {}) if previous is not None else None
        known = docs.state(previous.name) if previous is not None else None
        patched = None
        if known and table and patch is not None and isinstance(docs, CachedDocs):
            files = IndexFiles(root, build, known.shards, table)
            # a patch writes nothing: it returns the files that change, or None
            patched = None if files.fresh else patch(docs, slots, known, files.read)
        log.info("static search index %s: %s", build, "patched" if patched else "built in full")
        if patched is not None:
            state, changed, meta = patched
            for file_name, data in changed.items():
                files.put(file_name, data)
        else:
            state, meta, files = write_full(docs, slots, root, build, table)
        name = files.finish(meta)
        docs.save_state(name, state)
    prune(root, name, keep)
    return f"/{STATIC_DIR}/{ROOT}/{name}"


def shard_count(term_bytes: int, postings: int) -> int:
    """The power of two that brings the mean shard near TARGET_SHARD_BYTES (a list is ~2 bytes an id)."""
    size = term_bytes + 2 * postings
    shards = 1
    while shards < MAX_SHARDS and size / shards > TARGET_SHARD_BYTES:
        shards *= 2
    return shards


def labels_of(docs: Iterable[IndexedDoc]) -> list[str]:
    """The snippet labels meta.json numbers, in the order documents first use them."""
    seen: dict[tuple[str, ...], None] = dict.fromkeys(d.labels for d in docs)
    return list(dict.fromkeys(label for labels in seen for label in labels))


APART = 10_000  # documents from which a full build's lists are made in a fresh process (write_full)


def write_full(docs: DocSource, slots: list[Slot], root: Path, build: str,
               table: FileTable | None) -> tuple[IndexState, dict, IndexFiles]:
    """Every file of the index afresh. A large site's lists are made in a fresh interpreter (`apart`): they
    are most of a cold build's memory, and a process forked from the build would hold all of the build's too."""
    if isinstance(docs, CachedDocs) and len(docs.listing) >= APART:
        return apart(_write_stored, docs.path, docs.entries, slots, root, build, table)
    return _write(docs, slots, lambda shards: IndexFiles(root, build, shards, table))


def _write_stored(cache: Path, entries: list[IndexedDoc], slots: list[Slot], root: Path, build: str,
                  table: FileTable | None) -> tuple[IndexState, dict, IndexFiles]:
    stored = StoredDocs(cache, entries)
    try:
        return _write(stored, slots, lambda shards: IndexFiles(root, build, shards, table))
    finally:
        stored.close()


def _write(source: DocSource, slots: Iterable[Slot],
           open_files: Callable[[int], IndexFiles]) -> tuple[IndexState, dict, IndexFiles]:
    docs, slots = source.entries, list(slots)
    ids, members = layout(docs, slots)
    order = sorted(range(len(docs)), key=ids.__getitem__)
    # A list holds places in `order` (4 bytes each), not ids (8): at 100k records the lists are most of the memory.
    postings: dict[str, array] = defaultdict(lambda: array("I"))
    for place, i in enumerate(order):  # ascending ids: every list comes out sorted; one document's keys at a time
        for term in source.terms(docs[i].key, docs[i].digest) or ():
            postings[term].append(place)
    id_at = array("Q", map(ids.__getitem__, order))
    term_bytes = sum(len(t.encode()) + 2 for t in postings)
    total = sum(len(p) for p in postings.values())
    shards = shard_count(term_bytes, total)
    files = open_files(shards)
    terms_of: dict[int, list[str]] = defaultdict(list)
    for term in postings:
        terms_of[fnv1a(term) % shards].append(term)
    for n in range(shards):  # every shard, even an empty one: a 404 would look like a broken site
        files.put(f"t/{n}.bin", encode_shard((t, array("Q", map(id_at.__getitem__, postings.pop(t))))
                                             for t in sorted(terms_of.pop(n, ()))))
    labels = labels_of(docs)
    number = {label: n for n, label in enumerate(labels)}
    chunks: dict[int, list] = {}
    for i in order:
        chunk, place = divmod(ids[i], CHUNK)
        chunks.setdefault(chunk, [None] * CHUNK)[place] = numbered_row(source.row(docs[i]), number)
    for chunk, rows in chunks.items():
        while rows[-1] is None:
            rows.pop()
        files.put(f"d/{chunk}.json", compact_json(rows))
    for group, numbers in rank_orders(docs, ids, None).items():
        files.put(f"o/{group}.bin", encode_order(numbers))
    groups = meta_groups(docs, ids)
    state = _state(docs, ids, members, slots, IndexState(shards, term_bytes, total, labels, groups=groups))
    return state, index_meta(len(docs), shards, labels, groups), files


def _state(docs: list[IndexedDoc], ids: list[int], members: dict[int, list], slots: list[Slot],
           state: IndexState) -> IndexState:
    """What a patch of this index starts from (static_patch.py)."""
    sets: dict[tuple[str, ...], int] = {}
    state.label_set = {d.key: sets.setdefault(d.labels, len(sets)) for d in docs}
    state.label_sets = [list(labels) for labels in sets]
    state.digests = {d.key: d.digest for d in docs}
    state.ids = {d.key: ids[i] for i, d in enumerate(docs)}
    state.members = members
    state.slots = [[group_of(s.type, s.year), s.published, rank_of(s.type, s.year, s.date, s.url), s.key]
                   for s in slots]
    return state


def numbered_row(row: list, number: dict[str, int]) -> list:
    """A snippet row as d/<n>.json holds it: labels by their number in meta.json."""
    url, heading, date, shown = row
    return [url, heading, date, [[number[label], value] for label, value in shown]]


def rank_orders(docs: list[IndexedDoc], ids: list[int], groups: set[int] | None) -> dict[int, list[int]]:
    """Each group's numbers from the highest rank down (o/<group>.bin); only `groups` when given."""
    ranked: dict[int, list[tuple[int, int]]] = defaultdict(list)
    low = (1 << GROUP_BITS) - 1
    for i, d in enumerate(docs):
        group = ids[i] >> GROUP_BITS
        if groups is None or group in groups:
            ranked[group].append((d.rank, ids[i] & low))
    return {group: [n for _, n in sorted(entries, reverse=True)] for group, entries in ranked.items()}


def meta_groups(docs: list[IndexedDoc], ids: list[int]) -> list[list]:
    """meta's groups: [number, type, year, documents] by number, highest first (type and year of its first)."""
    groups: dict[int, list] = {}
    for i, d in enumerate(docs):
        group = ids[i] >> GROUP_BITS
        groups.setdefault(group, [group, d.type, d.year, 0])[3] += 1
    return sorted(groups.values(), reverse=True)


def index_meta(docs: int, shards: int, labels: list[str], groups: list[list]) -> dict:
    return {"format": FORMAT, "shards": shards, "docs": docs, "chunk": CHUNK, "group_bits": GROUP_BITS,
            "groups": groups, "types": SEARCH_TYPES, "labels": labels}


def _built(root: Path, build: str) -> str | None:
    """The meta of an index of this very content, if one is here whole."""
    for path in metas(root):
        meta = read_meta(path)
        if meta is not None and meta.get("build") == build and complete(root, meta):
            return path.name
    return None


def _newest(root: Path) -> Path | None:
    """The newest earlier index of this format, whose files the new one keeps where they are unchanged."""
    for path in metas(root):
        meta = read_meta(path)
        if meta is not None and meta.get("format") == FORMAT and complete(root, meta):
            return path
    return None


def index_name_hash(content_hash: str, slots: Iterable[Slot]) -> str:
    """The live records' hash joined with the withdrawn slots': both decide the files."""
    digest = hashlib.blake2b(content_hash.encode(), digest_size=8)
    for key in sorted(s.key + "\t" + s.published for s in slots):
        digest.update(key.encode() + b"\n")
    return digest.hexdigest()
