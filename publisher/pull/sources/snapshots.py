"""What each source file gave when it was last read, so a file whose bytes did not change is not parsed again.

A file is known by its bytes (a BLAKE2b digest). The cheap check comes first: size, modification and
change times and inode as they were when the file was read; only when one of them differs are the
bytes read and hashed, and only when the hash differs is the file parsed. A time stamp written in
the same second as the read is not trusted (the file may change again within its resolution), and
a file that changed while it was read is not remembered at all.

Each remembered file keeps, per row, where it is, the hash of its cells as read, and what the intake
made of it (`publisher.pull.intake.take_in_row`): the plan then needs no cell of an unchanged file,
unless it must judge a row afresh, and then the file is parsed once more. The store is a cache in
the state folder (SQLite), checked against the configuration and the code, never the truth.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from publisher.pull.cachedb import open_cache
from publisher.pull.rows import SourceResult

RACY_NS = 2_000_000_000  # a file modified this close to its reading may change again unseen in the same tick

Stamp = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def stamp_of(stat: os.stat_result) -> Stamp:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def file_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=20).hexdigest()


@dataclass
class Known:
    """One file as last read: its stamp and digest, and what the intake remembered of it (opaque here)."""

    stamp: Stamp | None  # None: not to be trusted, the bytes decide
    read_at_ns: int
    digest: str
    remembered: Any


@dataclass
class Piece:
    """One file of a source in this run: parsed now (`result`), or unchanged and remembered (`known`)."""

    source: str
    name: str
    stamp: Stamp | None
    digest: str
    read_at_ns: int
    result: SourceResult | None = None  # rows parsed in this run
    known: Known | None = None  # what the store had (an unchanged file's rows; a changed file's old rows)
    parse: Callable[[], SourceResult] | None = field(default=None, repr=False)  # parse the file (again)
    keep: bool = True  # False: a file not read (wrong format, too large): said again each run, never stored

    @property
    def unchanged(self) -> bool:
        return self.result is None


class Snapshots:
    """The store of remembered files (`sources.sqlite` in the state folder's cache)."""

    def __init__(self, path: Path, version: str) -> None:
        self._db = open_cache(path, _SCHEMA, "source-snapshots")
        found = self._db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        if found is None or found[0] != version:  # another portal.toml or code: every file is read afresh
            self._db.execute("DELETE FROM files")
            self._db.execute("DELETE FROM tables")
            self._db.execute("DELETE FROM table_rows")
            self._db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (version,))
        self._writes: list[tuple[str, str, bytes]] = []
        self._seen: dict[str, set[str]] = {}

    def known(self, source: str, name: str) -> Known | None:
        row = self._db.execute("SELECT data FROM files WHERE source = ? AND name = ?", (source, name)).fetchone()
        try:
            return pickle.loads(row[0]) if row else None
        except Exception:  # noqa: BLE001 — an entry an older version wrote: read the file afresh
            return None

    def unchanged(self, known: Known | None, stamp: Stamp) -> bool:
        """The file is as it was read, judged by its stamp alone (no byte read)."""
        return (known is not None and known.stamp is not None and known.stamp == stamp
                and known.read_at_ns - stamp[1] > RACY_NS)

    def saw(self, source: str, name: str) -> None:
        self._seen.setdefault(source, set()).add(name)

    def remember(self, piece: Piece, remembered: Any) -> None:
        """Keep what a file gave (written at `commit`), or just its new stamp when only that changed."""
        known = Known(piece.stamp, piece.read_at_ns, piece.digest, remembered)
        self._writes.append((piece.source, piece.name, pickle.dumps(known, protocol=pickle.HIGHEST_PROTOCOL)))

    def commit(self) -> None:
        """Write what this run read, forget the files that are gone from their folder."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.executemany("INSERT OR REPLACE INTO files VALUES (?, ?, ?)", self._writes)
            for source, names in self._seen.items():
                stored = [r[0] for r in self._db.execute("SELECT name FROM files WHERE source = ?", (source,))]
                self._db.executemany("DELETE FROM files WHERE source = ? AND name = ?",
                                     [(source, n) for n in stored if n not in names])
        self._writes.clear()

    def close(self) -> None:
        self._db.close()

    # SQL tables read by their change column (publisher.pull.sources.sql_changes): a state and the rows by key.
    def table_state(self, source: str, location: str) -> Any:
        row = self._db.execute("SELECT data FROM tables WHERE source = ? AND location = ?",
                               (source, location)).fetchone()
        try:
            return pickle.loads(row[0]) if row else None
        except Exception:  # noqa: BLE001 — an entry an older version wrote: read the table whole
            return None

    def table_rows(self, source: str, location: str, keys: Iterable[str] | None = None) -> dict[str, bytes]:
        """A table's stored rows by key: all of them, or only those of `keys`."""
        if keys is None:
            return dict(self._db.execute("SELECT key, data FROM table_rows WHERE source = ? AND location = ?",
                                         (source, location)))
        query = "SELECT data FROM table_rows WHERE source = ? AND location = ? AND key = ?"
        return {k: row[0] for k in keys if (row := self._db.execute(query, (source, location, k)).fetchone())}

    def save_table(self, source: str, location: str, state: Any, changed: dict[str, bytes], gone: set[str],
                   whole: bool) -> None:
        """Write a table's state and only its changed rows (`whole`: the rows given are all there are)."""
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            if whole:
                self._db.execute("DELETE FROM table_rows WHERE source = ? AND location = ?", (source, location))
            self._db.executemany("DELETE FROM table_rows WHERE source = ? AND location = ? AND key = ?",
                                 [(source, location, k) for k in gone])
            self._db.executemany("INSERT OR REPLACE INTO table_rows VALUES (?, ?, ?, ?)",
                                 [(source, location, k, v) for k, v in changed.items()])
            self._db.execute("INSERT OR REPLACE INTO tables VALUES (?, ?, ?)",
                             (source, location, pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)))


def now_ns() -> int:
    return time.time_ns()


_SCHEMA = """
CREATE TABLE files (source TEXT NOT NULL, name TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (source, name));
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE tables (source TEXT NOT NULL, location TEXT NOT NULL, data BLOB NOT NULL, PRIMARY KEY (source, location));
CREATE TABLE table_rows (source TEXT NOT NULL, location TEXT NOT NULL, key TEXT NOT NULL, data BLOB NOT NULL,
                         PRIMARY KEY (source, location, key));
"""
