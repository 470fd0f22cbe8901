"""content/'s catalog: an SQLite index of every content file, the one module that owns its format (issue 18).

The catalog is derived from content/ alone and can be thrown away at any moment: content/ stays the gate
between pull and site (DESIGN §6). One row per Markdown file of content/<type>/ holds what pull compares
with (key hash, state, dates, SHA-256) and what the site shows (title, dates, public fields as JSON, the
BLAKE2b digest pages are keyed by), plus columns lists, feeds and party pages can query (first-publication
order, year, department, party). A row is made from the file's bytes by one function (`_row_of`), whether
pull notes a page it just wrote or a refresh finds a file whose size or mtime differ from its row, so the
catalog a run of pulls maintains equals the one rebuilt from content/ (tests/test_catalog.py).

Where: `<state>/cache/catalog-<hash of content/'s path>.sqlite`, not inside content/: a release's content
snapshot is a hard-linked copy of content/ (`cp -al`) and SQLite writes its file in place, so a catalog in
content/ would be shared with, and written through to, every snapshot. A content folder inside the state
folder (a rollback's snapshot, built once) is catalogued in memory.

Every use starts with `refresh`: one scandir and stat of content/; a file without a row, or whose size or
mtime_ns differ from its row, is read again and its row replaced; rows without a file are dropped. A
catalog that cannot be read (deleted, corrupt, another format) is rebuilt from content/. Inside one
publication run (`one_refresh`) only the first use refreshes: pull notes every file it writes, and the
ledger's changes and the build then read one state of content/.
"""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from publisher.core.content import (
    ContentPage,
    FieldValue,
    LazyFields,
    Origin,
    PublishedRecord,
    content_files,
    department_of,
    own_date,
    parse_metadata,
    split_lines,
)
from publisher.core.schema import RECORD_TYPES

log = logging.getLogger(__name__)

FORMAT = 1
_CODE = (Path(__file__), Path(__file__).with_name("content.py"))  # what a row is made by: another code, another catalog
# Columns of `files`, in the order `_row_of` makes them.
COLUMNS = ("type", "name", "size", "mtime_ns", "sha256", "digest", "shown", "slug", "key_hash", "state",
           "published", "withdrawn", "reason", "date", "title", "agency", "agency_key", "canonical",
           "agency_published", "fields", "list_values", "listed", "year", "department", "credit_code", "party_name",
           "party_type", "record_date")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS files (
    type TEXT NOT NULL,          -- the record type: content/<type>/
    name TEXT NOT NULL,          -- the file's name in content/<type>/
    size INTEGER NOT NULL,       -- size and mtime_ns of the bytes this row was made from
    mtime_ns INTEGER NOT NULL,
    sha256 TEXT NOT NULL,        -- what pull compares a page with
    digest TEXT NOT NULL,        -- BLAKE2b-128: what the site's pages built from the record are keyed by
    shown INTEGER NOT NULL,      -- 1: a page the site shows (its Record-Type is its folder, it has a Slug)
    slug TEXT NOT NULL,          -- its Slug, or the file's stem
    key_hash TEXT,               -- NULL: not written by the publisher, pull leaves it alone
    state TEXT NOT NULL,         -- live | withdrawn
    published TEXT NOT NULL,     -- first day shown
    withdrawn TEXT NOT NULL,
    reason TEXT NOT NULL,        -- withdrawal reason category
    date TEXT NOT NULL,          -- the record's own date, or its first publication
    title TEXT NOT NULL,         -- plain text
    agency TEXT, agency_key TEXT, canonical TEXT, agency_published TEXT,  -- content.Origin, NULL for none
    fields BLOB,                 -- the public fields, [[name, value], ...] as JSON (orjson)
    list_values INTEGER NOT NULL, -- 1: a field's value is a list (read back as a tuple)
    listed TEXT NOT NULL,        -- a list's order, oldest first: (listed, date, slug)
    year TEXT NOT NULL,          -- the year of `date`
    department TEXT NOT NULL,    -- the list filter's department (department, else unit)
    credit_code TEXT NOT NULL,   -- the party's 统一社会信用代码 as given (upper case), "" for none
    party_name TEXT NOT NULL,    -- party_name or target_name
    party_type TEXT NOT NULL,    -- 行政相对人类别 as given
    record_date TEXT NOT NULL,   -- the record's own date: a live page's Date, a notice's Record-Date
    PRIMARY KEY (type, name)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS files_by_list ON files (type, shown, state, listed, date, slug);
CREATE INDEX IF NOT EXISTS files_by_party ON files (credit_code) WHERE credit_code != '';
"""


def _code_version() -> str:
    digest = hashlib.blake2b(str(FORMAT).encode(), digest_size=16)
    for path in _CODE:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def catalog_path(content_dir: Path, state_dir: Path) -> Path | None:
    """Where content/'s catalog lives; None (in memory) for a content folder inside the state folder."""
    content, state = content_dir.resolve(), state_dir.resolve()
    if content.is_relative_to(state):
        return None  # a rollback's snapshot: built once, a file would only linger
    name = hashlib.blake2b(str(content).encode(), digest_size=8).hexdigest()
    return state / "cache" / f"catalog-{name}.sqlite"


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "；".join(v for v in value if isinstance(v, str))
    return ""


_BY_JSON = b"J"  # fields encoded by json, not orjson (JSON never starts with "J")


def _encode_fields(fields: list) -> bytes:
    try:
        data = orjson.dumps(fields)
        if orjson.loads(data) == fields:
            return data
    except TypeError:  # a lone surrogate or a huge integer in a hand-edited file: orjson refuses
        pass
    # json keeps what orjson cannot (NaN, 1e400 it writes as null, a huge integer it reads as a float):
    # marked, so it is read back by json
    return _BY_JSON + json.dumps(fields, separators=(",", ":")).encode()


def _decode_fields(data: bytes) -> list:
    return json.loads(data[1:]) if data.startswith(_BY_JSON) else orjson.loads(data)


def _row_of(type_key: str, name: str, data: bytes, size: int, mtime_ns: int) -> tuple:
    """A file's row, from its bytes alone: what `content.read_summary` and `content.load_record` read."""
    try:
        text, decodable = data.decode("utf-8"), True
    except UnicodeDecodeError:
        text, decodable = data.decode("utf-8", "replace"), False
    meta = parse_metadata(split_lines(text))
    fields: list | None = None
    values: dict[str, Any] = {}
    shown = decodable and meta.get("record-type") == type_key and "slug" in meta
    if shown:
        try:
            fields = [[n, v] for n, v in json.loads(meta.get("fields", "[]"))]
            values = dict(fields)
        except (ValueError, TypeError):
            shown, fields = False, None
            log.warning("content/%s/%s 的 Fields 行无法读取，网站不显示此文件", type_key, name)
    elif not decodable:
        log.warning("content/%s/%s 不是 UTF-8 文本，网站不显示此文件", type_key, name)
    origin = "agency-key" in meta
    date, published = meta.get("date", ""), meta.get("published", "")
    party_field = "party_name" if "party_name" in values else "target_name"
    return (
        type_key, name, size, mtime_ns, hashlib.sha256(data).hexdigest(),
        hashlib.blake2b(data, digest_size=16).hexdigest(), int(shown), meta.get("slug", name.removesuffix(".md")),
        meta.get("key-hash") or None, meta.get("state", "live"), published, meta.get("withdrawn", ""),
        meta.get("withdrawal-reason", ""), date, html.unescape(meta.get("title", "")),
        html.unescape(meta.get("agency", "")) if origin else None, meta["agency-key"] if origin else None,
        meta.get("canonical", "") if origin else None, meta.get("agency-published", "") if origin else None,
        _encode_fields(fields) if fields is not None else None, int(any(isinstance(v, list) for v in values.values())),
        published or date, date[:4], department_of(values),
        _text(values.get("credit_code")).strip().upper(), _text(values.get(party_field)).strip(),
        _text(values.get("party_type")).strip(), own_date(meta),
    )


def _read_row(type_key: str, path: str) -> tuple | None:
    """The row of the file at `path`, stat taken of the very bytes read; None when it is gone."""
    try:
        with open(path, "rb") as fh:
            stat = os.fstat(fh.fileno())
            data = fh.read()
    except FileNotFoundError:
        return None
    return _row_of(type_key, os.path.basename(path), data, stat.st_size, stat.st_mtime_ns)


_PAGE_COLUMNS = ("type", "slug", "name", "key_hash", "state", "published", "withdrawn", "reason", "sha256",
                 "record_date")  # a ContentPage's, in its order
_PAGE_AT = tuple(COLUMNS.index(c) for c in _PAGE_COLUMNS)
_KEY_HASH_AT = COLUMNS.index("key_hash")  # None: a file the publisher did not write, no page of its
_INSERT = f"INSERT OR REPLACE INTO files ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})"
_RECORD_COLUMNS = ("type, slug, title, date, published, state, fields, list_values, withdrawn, reason, digest, "
                   "agency, agency_key, canonical, agency_published, record_date, department")


def _field_pairs(data: bytes, list_values: int) -> tuple[tuple[str, FieldValue], ...]:
    """The fields as `PublishedRecord` holds them: pairs, a list value as a tuple."""
    pairs = tuple(map(tuple, _decode_fields(data)))
    if not list_values:  # the common case: no Python loop over the fields
        return pairs  # type: ignore[return-value]
    return tuple((n, tuple(v) if isinstance(v, list) else v) for n, v in pairs)


def _published_record(row: tuple) -> PublishedRecord:
    (type_key, slug, title, date, published, state, fields, list_values, withdrawn, reason, digest,
     agency, agency_key, canonical, agency_published, record_date, department) = row
    return PublishedRecord.stored(
        type_key, slug, title, date, published, state,
        LazyFields(_field_pairs, fields, list_values),  # decoded when a page needs them
        withdrawn, reason, digest,
        Origin(agency, agency_key, canonical, agency_published) if agency_key is not None else None,
        "" if state == "live" else record_date, department)


def _newest_first(record: PublishedRecord) -> tuple[str, str]:
    return record.date, record.slug


class Catalog:
    """An open catalog of one content folder. Use `open_catalog`, which refreshes it first."""

    def __init__(self, content_dir: Path, path: Path | None) -> None:
        self.content_dir = content_dir
        self.path = path
        self.made = False
        self.db = self._connect()
        self.exact = False  # refreshed in this run, and since kept in step by the run's own writes

    def _connect(self) -> sqlite3.Connection:
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(":memory:" if self.path is None else self.path, timeout=60)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            version = _code_version()
            found = db.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
            self.made = found is None or found[0] != version  # a new table: only a refresh fills it
            if self.made:
                with db:  # another format: every row is made again
                    db.execute("DROP TABLE IF EXISTS files")
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (version,))
            db.executescript(_SCHEMA)
        except BaseException:
            db.close()
            raise
        return db

    def _discard(self) -> None:
        """A catalog SQLite cannot read: removed, and made again from content/."""
        self.db.close()
        self.exact = False
        if self.path is not None:
            log.warning("内容目录索引 %s 无法读取，已从 content/ 重建", self.path)
            _remove(self.path)
        self.db = self._connect()

    def close(self) -> None:
        self.db.close()

    def refresh(self) -> int:
        """Bring every row in line with content/ (the cheap check); return how many files were read."""
        try:
            return self._refresh()
        except sqlite3.DatabaseError as error:
            if _busy(error):
                raise
            self._discard()
            return self._refresh()

    def _refresh(self) -> int:
        known = {(t, n): (s, m) for t, n, s, m in self.db.execute("SELECT type, name, size, mtime_ns FROM files")}
        stale: list[tuple[str, str]] = []
        for type_key, entry in content_files(self.content_dir):
            stat = entry.stat()
            if known.pop((type_key, entry.name), None) != (stat.st_size, stat.st_mtime_ns):
                stale.append((type_key, entry.path))
        gone = list(known)  # rows without a file
        read = 0

        def rows() -> Iterator[tuple]:  # inserted as read: a cold build's 100k rows are never all held
            nonlocal read
            for type_key, path in stale:
                row = _read_row(type_key, path)
                if row is None:  # removed since the scan
                    gone.append((type_key, os.path.basename(path)))
                else:
                    read += 1
                    yield row
        if stale or gone:
            with self.db:
                self.db.executemany(_INSERT, rows())
                self.db.executemany("DELETE FROM files WHERE type = ? AND name = ?", gone)
        return read

    def note_written(self, type_key: str, paths: list[Path]) -> list[ContentPage]:
        """Pull wrote these files of content/<type>/: their rows, from the bytes now there; their pages (`pages`)."""
        pages: list[ContentPage] = []

        def rows() -> Iterator[tuple]:  # inserted as read: the rows' fields are never all held
            for path in paths:
                if (row := _read_row(type_key, str(path))) is not None:
                    if row[_KEY_HASH_AT] is not None:
                        pages.append(ContentPage(*(row[i] for i in _PAGE_AT)))
                    yield row
        with self.db:
            self.db.executemany(_INSERT, rows())
        return pages

    def _query(self, query: str) -> list[tuple]:
        """Every row of a query; a catalog that turns out unreadable (not refreshed in this open) is rebuilt."""
        try:
            return self.db.execute(query).fetchall()
        except sqlite3.DatabaseError as error:
            if _busy(error) or not self.exact:
                raise
            self._discard()
            self.refresh()
            return self.db.execute(query).fetchall()

    def pages(self) -> dict[str, dict[str, ContentPage]]:
        """What pull compares with: every page the publisher wrote, by type and key hash (the last file wins)."""
        pages: dict[str, dict[str, ContentPage]] = {t: {} for t in RECORD_TYPES}
        query = f"SELECT {', '.join(_PAGE_COLUMNS)} FROM files WHERE key_hash IS NOT NULL ORDER BY type, name"
        for row in self._query(query):
            pages[row[0]][row[3]] = ContentPage(*row)
        return pages

    def published(self) -> dict[str, list[PublishedRecord]]:
        """Every page the site shows, by type, newest first (by date, then slug): `content.load_published`."""
        out: dict[str, list[PublishedRecord]] = {t: [] for t in RECORD_TYPES}
        # In key order, sorted here: SQLite would sort whole rows, fields and all, in a temporary b-tree.
        query = f"SELECT {_RECORD_COLUMNS} FROM files WHERE shown ORDER BY type, name"
        for row in self._query(query):
            out[row[0]].append(_published_record(row))
        for records in out.values():  # date, then slug, newest first; stable: the same file names in name order
            records.sort(key=_newest_first, reverse=True)
        return out

    def rows(self) -> list[tuple]:
        """Every row, in (type, name) order: for comparing two catalogs."""
        return self.db.execute(f"SELECT {', '.join(COLUMNS)} FROM files ORDER BY type, name").fetchall()


def _busy(error: sqlite3.DatabaseError) -> bool:
    """Another process holds the catalog too long: an error to report, not a catalog to throw away."""
    return getattr(error, "sqlite_errorcode", 0) & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# Catalogs refreshed once per run (`one_refresh`): path -> refreshed yet in this run.
_RUNS: dict[Path, bool] = {}


@contextmanager
def one_refresh(content_dir: Path, state_dir: Path) -> Iterator[None]:
    """Within one publication run (it holds the run lock, and only its pull writes content/, noting each
    file it writes): the first open refreshes content/'s catalog, later opens trust it without the stat walk.

    So the ledger's changes and the release are made from one state of content/; a file edited by hand
    while the run goes is seen by the next run's refresh (or a `portal build`, which refreshes)."""
    path = catalog_path(content_dir, state_dir)
    if path is None or path in _RUNS:  # in memory (made afresh at each open), or already inside a run
        yield
        return
    _RUNS[path] = False
    try:
        yield
    finally:
        del _RUNS[path]


@contextmanager
def open_catalog(content_dir: Path, state_dir: Path, refresh: bool = True) -> Iterator[Catalog]:
    """content/'s catalog, refreshed against content/ (rebuilt when unreadable), closed after use.

    `refresh=False` skips the scan of content/, for a writer that notes what it wrote (pull). Inside
    `one_refresh`, only the run's first open scans."""
    path = catalog_path(content_dir, state_dir)
    try:
        catalog = Catalog(content_dir, path)
    except sqlite3.DatabaseError as error:
        if _busy(error) or path is None:
            raise
        log.warning("内容目录索引 %s 无法读取，已从 content/ 重建", path)
        _remove(path)
        catalog = Catalog(content_dir, path)
    try:
        if refresh and path in _RUNS and _RUNS[path] and not catalog.made:
            catalog.exact = True
        elif refresh:
            catalog.refresh()
            if path in _RUNS:
                _RUNS[path] = True
        yield catalog
    finally:
        catalog.close()


def content_pages(content_dir: Path, state_dir: Path) -> dict[str, dict[str, ContentPage]]:
    """What pull compares with (`Catalog.pages`), from the refreshed catalog."""
    with open_catalog(content_dir, state_dir) as catalog:
        return catalog.pages()


def published_records(content_dir: Path, state_dir: Path) -> dict[str, list[PublishedRecord]]:
    """What the site shows (`Catalog.published`), from the refreshed catalog: only changed files are read."""
    with open_catalog(content_dir, state_dir) as catalog:
        return catalog.published()
