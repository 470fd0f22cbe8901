"""What the static index is made of, one document at a time, kept between builds (issue 18).

Analysing a document (matching.doc_terms) is most of what the static index costs: ~750 keys a record.
A record's document depends on its content file alone, so its keys, its snippet row and its place in the
ranking are kept in SQLite under (key, digest) and a rebuild analyses only the records that changed. Party
profiles, made from several records, are kept under a hash of the document itself.

The cache also keeps, for each index it built, which document version holds which id, each group's members,
the label lists and the index's sizes (`IndexState`, flat maps that orjson reads in C): the next build compares
them with the site's listing (documents.SiteDocuments), starts from that index's files and patches only what
changed (static_patch.py), reading from the cache only the changed documents.

The cache is a file in the state folder named by the code that makes documents, keys and files: other code,
another cache. It can be deleted at any moment; a missing row only means analysing that document again, and a
missing state a full build.
"""

from __future__ import annotations

import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path

import orjson

from .documents import SearchDoc, SiteDocuments
from .matching import doc_rank, doc_terms

_SCHEMA = """
CREATE TABLE IF NOT EXISTS docs (
    key TEXT NOT NULL, digest TEXT NOT NULL,  -- type/slug and the record's digest (a profile: its own hash)
    type TEXT NOT NULL, year TEXT NOT NULL, published TEXT NOT NULL, rank INTEGER NOT NULL,
    labels TEXT NOT NULL,                     -- the snippet's labels, joined by the unit separator
    row BLOB NOT NULL,                        -- [url, heading, date, [[label, value], ...]] as JSON
    terms BLOB NOT NULL,                      -- the keys, sorted, one a line, zlib-compressed
    PRIMARY KEY (key, digest));
CREATE TABLE IF NOT EXISTS states (name TEXT PRIMARY KEY, built INTEGER NOT NULL, state BLOB NOT NULL);
"""
_ENTRY = "SELECT type, year, published, rank, labels FROM docs WHERE key = ? AND digest = ?"
STATES_KEPT = 8  # an index a rollback starts from is one of the releases kept (deploy.keep)


@dataclass(frozen=True, slots=True)
class IndexedDoc:
    """A document as the index's layout needs it; its keys and row stay in the cache until asked for."""

    key: str
    digest: str
    type: str
    year: str
    published: str
    rank: int
    labels: tuple[str, ...]


@dataclass
class IndexState:
    """What a built index holds, as flat maps a patch compares by C-level set operations (static_patch.py)."""

    shards: int
    term_bytes: int  # Σ (UTF-8 length + 2) over its keys
    postings: int  # Σ list lengths
    labels: list[str]
    digests: dict[str, str] = field(default_factory=dict)  # key -> the digest of the version indexed
    ids: dict[str, int] = field(default_factory=dict)  # key -> id
    members: dict[int, list] = field(default_factory=dict)  # group -> [published, rank, key, live] by number
    label_sets: list[list[str]] = field(default_factory=list)  # the distinct snippet label lists
    label_set: dict[str, int] = field(default_factory=dict)  # key -> its labels' number in label_sets
    groups: list[list] = field(default_factory=list)  # meta's groups: [group, type, year, live documents]
    slots: list[list] = field(default_factory=list)  # the withdrawn slots: [group, published, rank, key]

    def dumps(self) -> bytes:
        # not dataclasses.asdict, which copies every map and list in Python (3 s at 20k): orjson walks them in C
        return orjson.dumps({f.name: getattr(self, f.name) for f in fields(self)}, option=orjson.OPT_NON_STR_KEYS)

    @classmethod
    def loads(cls, data: bytes) -> IndexState | None:
        """None when the state is not one this code wrote whole: the caller builds in full."""
        try:
            v = orjson.loads(data)
            v["members"] = {int(g): m for g, m in v["members"].items()}
            return cls(**v)
        except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError):
            return None


def doc_row(doc: SearchDoc) -> list:
    return [doc.url, doc.heading, doc.date, [list(pair) for pair in doc.shown]]


def _indexed(key: str, digest: str, doc: SearchDoc) -> IndexedDoc:
    return IndexedDoc(key, digest, doc.type, doc.year, doc.published, doc_rank(doc),
                      tuple(label for label, _ in doc.shown))


def _stored_row(entry: IndexedDoc, doc: SearchDoc) -> tuple:
    """A document analysed, as the docs table holds it."""
    return (entry.key, entry.digest, entry.type, entry.year, entry.published, entry.rank, "\x1f".join(entry.labels),
            orjson.dumps(doc_row(doc)), zlib.compress("\n".join(sorted(doc_terms(doc))).encode("utf-8"), 1))


class MemoryDocs:
    """Documents given as a list (tests, benchmarks): analysed when asked, nothing kept."""

    def __init__(self, docs: list[SearchDoc]) -> None:
        self._docs = {d.key: d for d in docs}
        self.entries = [_indexed(d.key, "", d) for d in docs]

    def terms(self, key: str, digest: str) -> Iterable[str] | None:
        return doc_terms(self._docs[key])

    def row(self, doc: IndexedDoc) -> list:
        return doc_row(self._docs[doc.key])

    def state(self, name: str) -> IndexState | None:
        return None

    def save_state(self, name: str, state: IndexState) -> None:
        pass


class StoredDocs:
    """Documents already analysed into the cache, read back one at a time: what a full build of the files needs,
    in a process that holds nothing else (static.write_full)."""

    def __init__(self, path: Path, entries: list[IndexedDoc]) -> None:
        self.path, self.entries = path, entries
        self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)

    def _one(self, column: str, key: str, digest: str) -> bytes | None:
        row = self._db.execute(f"SELECT {column} FROM docs WHERE key = ? AND digest = ?",  # noqa: S608 - fixed names
                               (key, digest)).fetchone()
        return row[0] if row else None

    def terms_text(self, key: str, digest: str) -> str | None:
        """The keys of this version of a document, sorted, one a line; None when it is no longer cached."""
        data = self._one("terms", key, digest)
        return None if data is None else zlib.decompress(data).decode("utf-8")

    def terms(self, key: str, digest: str) -> list[str] | None:
        """The keys of this version of a document; None when it is no longer cached."""
        text = self.terms_text(key, digest)
        if text is None:
            return None
        return text.split("\n") if text else []

    def row(self, doc: IndexedDoc) -> list:
        return self.row_of(doc.key, doc.digest)

    def row_of(self, key: str, digest: str) -> list:
        """The snippet row of this version of a document."""
        data = self._one("row", key, digest)
        if data is None:
            raise KeyError(key)
        return orjson.loads(data)

    def close(self) -> None:
        self._db.close()


class CachedDocs(StoredDocs):
    """Documents of a site, analysed once per version and kept in SQLite (the module docstring). Nothing is read
    until asked: a patch reads only the changed documents (`entries_of`), a full build every one (`entries`)."""

    def __init__(self, path: Path, listing: SiteDocuments) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        for other in path.parent.glob("search-static-*.sqlite*"):  # another code's cache is never read again
            if not other.name.startswith(path.name):
                other.unlink(missing_ok=True)
        self.path, self.listing = path, listing
        self.made = 0  # documents made and analysed by this build
        self._db = self._open(path)
        self._build = (self._db.execute("SELECT max(built) FROM states").fetchone()[0] or 0) + 1

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        for attempt in (1, 2):
            try:
                db = sqlite3.connect(path, isolation_level=None)
                db.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;" + _SCHEMA)
                return db
            except sqlite3.DatabaseError:  # a corrupt cache is only a slower build
                if attempt == 2:
                    raise
                path.unlink(missing_ok=True)
        raise AssertionError("unreachable")

    @cached_property
    def entries(self) -> list[IndexedDoc]:  # type: ignore[override]
        """Every document's entry, in the listing's order; the ones not cached are analysed and stored."""
        known: dict[tuple[str, str], IndexedDoc] = {}
        labels: dict[str, tuple[str, ...]] = {}  # a few label lists shared by thousands of documents
        for key, digest, type_, year, published, rank, joined in self._db.execute(
                "SELECT key, digest, type, year, published, rank, labels FROM docs"):
            shared = labels.setdefault(joined, tuple(joined.split("\x1f")) if joined else ())
            known[key, digest] = IndexedDoc(key, digest, type_, year, published, rank, shared)
        entries: list[IndexedDoc] = []

        def new() -> Iterator[tuple]:  # each new document analysed, stored and let go: a cold build's are not all held
            for i, key_digest in enumerate(zip(self.listing.keys, self.listing.digests, strict=True)):
                e = known.get(key_digest)
                if e is None:
                    e, row = self._analysed(i)
                    yield row
                entries.append(e)
        self._store(new())
        return entries

    def entries_of(self, positions: Iterable[int]) -> list[IndexedDoc]:
        """The entries of the documents at these positions of the listing: read from the cache, or analysed and
        stored."""
        entries, rows = [], []
        keys, digests = self.listing.keys, self.listing.digests
        for i in positions:
            found = self._db.execute(_ENTRY, (keys[i], digests[i])).fetchone()
            if found is None:
                e, row = self._analysed(i)
                rows.append(row)
            else:
                type_, year, published, rank, joined = found
                e = IndexedDoc(keys[i], digests[i], type_, year, published, rank,
                               tuple(joined.split("\x1f")) if joined else ())
            entries.append(e)
        self._store(iter(rows))
        return entries

    def _analysed(self, i: int) -> tuple[IndexedDoc, tuple]:
        doc = self.listing.make(i)
        self.made += 1
        e = _indexed(self.listing.keys[i], self.listing.digests[i], doc)
        return e, _stored_row(e, doc)

    def _store(self, rows: Iterator[tuple]) -> None:
        self._db.execute("BEGIN")
        try:
            self._db.executemany("INSERT OR REPLACE INTO docs VALUES (?,?,?,?,?,?,?,?,?)", rows)
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def state(self, name: str) -> IndexState | None:
        row = self._db.execute("SELECT state FROM states WHERE name = ?", (name,)).fetchone()
        return IndexState.loads(row[0]) if row else None

    def save_state(self, name: str, state: IndexState) -> None:
        """Record the index just built; forget states and document versions no kept state needs."""
        db = self._db
        db.execute("BEGIN")
        db.execute("INSERT OR REPLACE INTO states VALUES (?, ?, ?)", (name, self._build, state.dumps()))
        db.execute("DELETE FROM states WHERE name NOT IN (SELECT name FROM states ORDER BY built DESC LIMIT ?)",
                   (STATES_KEPT,))
        (stored,) = db.execute("SELECT count(*) FROM docs").fetchone()
        documents = len(self.listing)
        if stored > documents + stale_allowed(documents):
            needed = set(zip(self.listing.keys, self.listing.digests, strict=True))
            for (blob,) in db.execute("SELECT state FROM states"):
                needed.update(orjson.loads(blob)["digests"].items())
            stale = [pair for pair in db.execute("SELECT key, digest FROM docs") if tuple(pair) not in needed]
            db.executemany("DELETE FROM docs WHERE key = ? AND digest = ?", stale)
        db.execute("COMMIT")


def stale_allowed(documents: int) -> int:
    """Old document versions the cache may hold before they are sorted out: finding them decodes every kept
    state (1.7 s of a 100k republish), so a one-record republish leaves its one old version for later."""
    return documents // 8


class StoredTerms:
    """The keys this cache holds for each document at its digest, for the service index (matching.KnownTerms):
    a cold build analyses each document once, not once per index."""

    def __init__(self, path: Path, listing: SiteDocuments) -> None:
        self._digests = dict(zip(listing.keys, listing.digests, strict=True))
        self._stored: StoredDocs | None = None
        try:
            self._stored = StoredDocs(path, [])
            self._stored.terms_text("", "")
        except sqlite3.Error:  # no cache yet, or not readable: the documents are analysed as before
            if self._stored is not None:
                self._stored.close()
            self._stored = None

    def __call__(self, doc: SearchDoc) -> str | None:
        digest = self._digests.get(doc.key)
        if self._stored is None or digest is None:
            return None
        text = self._stored.terms_text(doc.key, digest)
        return None if text is None else text.replace("\n", " ")  # stored sorted

    def close(self) -> None:
        if self._stored is not None:
            self._stored.close()
