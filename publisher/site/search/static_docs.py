"""What the static index is made of, one document at a time, kept between builds (issue 18).

Analysing a document (matching.doc_terms) is most of what the static index costs: ~750 keys a record.
A record's document depends on its content file alone, so its keys, its snippet row and its place in the
ranking are kept in SQLite under (key, digest) and a rebuild analyses only the records that changed. Party
profiles, made from several records, are kept under a hash of the document itself.

The cache also keeps, for each index it built, which document version holds which id and the index's
sizes (`IndexState`): the next build starts from that index's files and patches only what changed.

The cache is a file in the state folder named by the code that makes documents, keys and files: other code,
another cache. It can be deleted at any moment; a missing row only means analysing that document again, and a
missing state a full build.
"""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import orjson

from publisher.core.content import PublishedRecord

from .documents import SearchDoc, search_doc, search_records
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
    """What a built index holds: each document's (digest, id), its key and list byte totals, its labels."""

    shards: int
    term_bytes: int  # Σ (UTF-8 length + 2) over its keys
    postings: int  # Σ list lengths
    labels: list[str]
    docs: dict[str, list] = field(default_factory=dict)  # key -> [digest, id]

    def dumps(self) -> bytes:
        return orjson.dumps({"shards": self.shards, "term_bytes": self.term_bytes, "postings": self.postings,
                             "labels": self.labels, "docs": self.docs})

    @classmethod
    def loads(cls, data: bytes) -> IndexState:
        v = orjson.loads(data)
        return cls(v["shards"], v["term_bytes"], v["postings"], v["labels"], v["docs"])


def profile_digest(doc: SearchDoc) -> str:
    return hashlib.blake2b(repr(doc).encode(), digest_size=16).hexdigest()


def site_documents(published: dict[str, list[PublishedRecord]],
                   profiles: list[SearchDoc]) -> list[tuple[str, str, Callable[[], SearchDoc]]]:
    """(key, digest, make) of every document, in the order search_docs gives them: profiles (`profile_docs`),
    then records."""
    out: list[tuple[str, str, Callable[[], SearchDoc]]] = [
        (d.key, profile_digest(d), partial(_same, d)) for d in profiles]
    out += [(f"{r.type}/{r.slug}", r.digest, partial(search_doc, r)) for r in search_records(published)]
    return out


def _same(doc: SearchDoc) -> SearchDoc:
    return doc


def doc_row(doc: SearchDoc) -> list:
    return [doc.url, doc.heading, doc.date, [list(pair) for pair in doc.shown]]


def _indexed(key: str, digest: str, doc: SearchDoc) -> IndexedDoc:
    return IndexedDoc(key, digest, doc.type, doc.year, doc.published, doc_rank(doc),
                      tuple(label for label, _ in doc.shown))


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
        data = self._one("row", doc.key, doc.digest)
        if data is None:
            raise KeyError(doc.key)
        return orjson.loads(data)

    def close(self) -> None:
        self._db.close()


class CachedDocs(StoredDocs):
    """Documents of a site, analysed once per version and kept in SQLite (the module docstring)."""

    def __init__(self, path: Path, documents: list[tuple[str, str, Callable[[], SearchDoc]]]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        for other in path.parent.glob("search-static-*.sqlite*"):  # another code's cache is never read again
            if not other.name.startswith(path.name):
                other.unlink(missing_ok=True)
        self.path = path
        self._db = self._open(path)
        self._build = (self._db.execute("SELECT max(built) FROM states").fetchone()[0] or 0) + 1
        self.entries = self._load(documents)

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

    def _load(self, documents: list[tuple[str, str, Callable[[], SearchDoc]]]) -> list[IndexedDoc]:
        known: dict[tuple[str, str], IndexedDoc] = {}
        labels: dict[str, tuple[str, ...]] = {}  # a few label lists shared by thousands of documents
        for key, digest, type_, year, published, rank, joined in self._db.execute(
                "SELECT key, digest, type, year, published, rank, labels FROM docs"):
            shared = labels.setdefault(joined, tuple(joined.split("\x1f")) if joined else ())
            known[key, digest] = IndexedDoc(key, digest, type_, year, published, rank, shared)
        entries: list[IndexedDoc] = []

        def new() -> Iterator[tuple]:  # each new document analysed, stored and let go: a cold build's are not all held
            for key, digest, make in documents:
                e = known.get((key, digest))
                if e is None:
                    d = make()
                    e = _indexed(key, digest, d)
                    yield (e.key, e.digest, e.type, e.year, e.published, e.rank, "\x1f".join(e.labels),
                           orjson.dumps(doc_row(d)), zlib.compress("\n".join(sorted(doc_terms(d))).encode("utf-8"), 1))
                entries.append(e)
        self._db.execute("BEGIN")
        try:
            self._db.executemany("INSERT OR REPLACE INTO docs VALUES (?,?,?,?,?,?,?,?,?)", new())
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")
        return entries

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
        if stored > len(self.entries) + stale_allowed(len(self.entries)):
            needed = {(k, v[0]) for (blob,) in db.execute("SELECT state FROM states")
                      for k, v in orjson.loads(blob)["docs"].items()}
            needed |= {(e.key, e.digest) for e in self.entries}
            stale = [pair for pair in db.execute("SELECT key, digest FROM docs") if tuple(pair) not in needed]
            db.executemany("DELETE FROM docs WHERE key = ? AND digest = ?", stale)
        db.execute("COMMIT")


def stale_allowed(documents: int) -> int:
    """Old document versions the cache may hold before they are sorted out: finding them decodes every kept
    state (1.7 s of a 100k republish), so a one-record republish leaves its one old version for later."""
    return documents // 8


class StoredTerms:
    """The keys this cache holds for each document at its digest, for the service index (matching.KnownTerms):
    a cold build analyses each document once, not once per index. `documents`: as `site_documents` gives them."""

    def __init__(self, path: Path, documents: Iterable[tuple[str, str, Callable[[], SearchDoc]]]) -> None:
        self._digests = {key: digest for key, digest, _ in documents}
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
