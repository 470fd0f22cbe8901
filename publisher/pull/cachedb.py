"""The pull's caches in the state folder as SQLite files: opened with their schema, or started afresh.

A cache is never the truth (each entry is checked before use), so a file that cannot be opened, is
corrupt or was written by another schema is deleted and made again rather than stopping a run.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

_TIMEOUT = 60.0  # seconds to wait for another process (a `portal check` beside a pull) to finish writing


def open_cache(path: Path, schema: str, name: str) -> sqlite3.Connection:
    """A connection to the cache at `path` with `schema` (a script of CREATE statements) named `name`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in (1, 2):
        db = sqlite3.connect(path, timeout=_TIMEOUT, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # a cache: losing the last commit on power loss is harmless
            found = db.execute("PRAGMA user_version").fetchone()[0]
            wanted = _version(schema, name)
            if found != wanted:
                db.executescript(f"{_drop_all(db)}{schema}PRAGMA user_version={wanted};")
            return db
        except sqlite3.DatabaseError:
            db.close()
            if attempt == 2:
                raise
            for suffix in ("", "-wal", "-shm"):  # not a database, or a damaged one: start afresh
                Path(f"{path}{suffix}").unlink(missing_ok=True)
    raise AssertionError("unreachable")


def _version(schema: str, name: str) -> int:
    import hashlib

    return int.from_bytes(hashlib.blake2b(f"{name}\n{schema}".encode(), digest_size=4).digest(), "big") >> 1


def _drop_all(db: sqlite3.Connection) -> str:
    tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return "".join(f'DROP TABLE IF EXISTS "{t}";' for t in tables)
