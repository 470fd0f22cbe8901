"""The ledger (DESIGN §4): an append-only, hash-chained record of every publication run.

SQLite, so that an entry is either wholly written or not at all (a killed run leaves no half
entry). Each entry's hash covers the previous entry's hash and the entry's canonical JSON
body, so changing any byte of any entry breaks the chain from that entry on. A publication
appends two entries in one transaction: the run (what changed, and why) and the seal (the
hash of the list of every file of the release it produced, with each file's SHA-256).

The file lists live in their own table as changes against the release a build started from
(a republish of a 100k-record site changes a few dozen files of 300k), and each seal's body holds
the hash of its own rows, so the chain still covers every one of them.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from itertools import chain, groupby, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

import orjson

from publisher.core.config import Config
from publisher.core.files import write_atomic

GENESIS = "0" * 64
EVENT_KINDS = ("run", "rollback")  # entries whose body["records"] say what changed per record

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,            -- run | seal | rollback | recovery | annual
    prev TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL             -- canonical JSON; the hash covers prev + body
);
CREATE TABLE IF NOT EXISTS record_events (
    seq INTEGER NOT NULL REFERENCES entries(seq),
    type TEXT NOT NULL,
    slug TEXT NOT NULL,
    action TEXT NOT NULL,          -- added | changed | withdrawn | removed (by a rollback)
    content_hash TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS record_events_by_record ON record_events(type, slug, seq);
CREATE TABLE IF NOT EXISTS release_files (
    seq INTEGER NOT NULL REFERENCES entries(seq),  -- the seal
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,          -- '' when the file is gone since the base release
    PRIMARY KEY (seq, path)
);
CREATE INDEX IF NOT EXISTS entries_by_kind ON entries(kind, seq);
"""

Files = dict[str, str]


def files_hash(rows: Iterable[tuple[str, str]]) -> str:
    """The hash of a list of (path, sha256) rows: a file list, or a seal's changes.

    `path<TAB>sha256<LF>` per row in sorted order, hashed a few thousand lines at a time: a 100k release's
    list joined whole was ~30 MB of text and its bytes at the seal, the run's peak."""
    digest = hashlib.sha256()
    ordered = sorted(rows)
    for start in range(0, len(ordered), 4096):
        chunk = ordered[start:start + 4096]
        try:  # joined by C iterators: no Python step per row
            text = "\n".join(map("\t".join, chunk)) + "\n"
        except TypeError:  # a value that is not text (an edited ledger's row): formatted as it always was
            text = "".join(f"{p}\t{h}\n" for p, h in chunk)
        digest.update(text.encode())
    return digest.hexdigest()


_NO_CHANGES = files_hash([])


def _changes_hashes(db: sqlite3.Connection) -> dict[int, str]:
    """seq -> `files_hash` of that seal's file rows, each line made by SQLite: the ledger holds millions of them.

    Rows come in (seq, path) order, the order `files_hash` sorts them in (a path is unique within a seal, and
    SQLite compares text as UTF-8 bytes, which order as code points do)."""
    rows = db.execute("SELECT seq, path || char(9) || sha256 || char(10) FROM release_files ORDER BY seq, path")
    line = itemgetter(1)
    return {seq: hashlib.sha256("".join(map(line, group)).encode()).hexdigest()
            for seq, group in groupby(rows, itemgetter(0))}


def _parsed(body: str) -> Any:
    """An entry's body decoded by orjson (a first import's is megabytes), or by json where orjson refuses it."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        return json.loads(body)


def canonical(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def entry_hash(prev: str, body_json: str) -> str:
    return hashlib.sha256(f"{prev}\n{body_json}".encode()).hexdigest()


@dataclass(frozen=True)
class Entry:
    seq: int
    kind: str
    prev: str
    hash: str
    body: dict[str, Any]


class LedgerError(RuntimeError):
    """The ledger cannot be read or is not a chain."""


class Ledger:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._whole: str | None = None  # the bytes' digest when this process last knew the chain whole

    @property
    def _checked_path(self) -> Path:
        return self.path.with_name(self.path.name + ".checked")

    def bytes_digest(self) -> str:
        """SHA-256 of the ledger's file, and of its write-ahead log when that holds anything, as on disk now."""
        parts = []
        for path in (self.path, Path(f"{self.path}-wal")):
            try:
                with open(path, "rb") as fh:
                    parts.append(hashlib.file_digest(fh, "sha256").hexdigest() if os.fstat(fh.fileno()).st_size else "")
            except FileNotFoundError:
                parts.append("")
        return ":".join(parts)

    def checked_chain(self) -> str | None:
        """`verify_chain`, skipped when the ledger's bytes are exactly those a run left after finding it whole.

        Hashing the file is C reading bytes; verifying rebuilt every entry's hash and index (a second of a 100k
        republish). `portal ledger verify` always verifies in full. Whoever could forge the note beside the ledger
        could also take the signing key in the same folder: the note trusts nothing the run did not already."""
        digest = self.bytes_digest()
        try:
            noted = self._checked_path.read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            noted = None
        if noted == digest:
            self._whole = digest
            return None
        problem = self.verify_chain()
        if problem is None:
            self._note_whole(digest)  # as read before verifying: a write meanwhile makes the next run verify again
        return problem

    def _note_whole(self, digest: str) -> None:
        """Remember, here and beside the ledger, the bytes with which the chain is known whole."""
        self._whole = digest
        write_atomic(self._checked_path, digest.encode("ascii"), mode=0o600)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=FULL")  # a committed entry survives power loss
        db.executescript(_SCHEMA)
        return db

    def head(self) -> str:
        with closing(self._connect()) as db:
            row = db.execute("SELECT hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
        return row[0] if row else GENESIS

    def next_hash(self, body: dict[str, Any]) -> str:
        """The hash an entry with this body would get if appended now (known before the build)."""
        return entry_hash(self.head(), canonical(body))

    def append(self, entries: list[tuple[str, dict[str, Any]]],
               release_files: tuple[Files, Entry | None, Files] | None = None) -> list[Entry]:
        """Append entries (kind, body) in one transaction; a run's body["records"] is indexed for history.

        `release_files` (files, base seal, base's files): a seal's file list, stored as its changes against the
        base seal's list (the release the build started from) or whole when there is none. The seal's
        body gets the base's seq and the hash of those rows.
        """
        delta: list[tuple[str, str]] = []
        if release_files is not None:  # set operations on the lists' views: 228k Python steps at 100k otherwise
            files, _, before = release_files
            delta = sorted([*(files.items() - before.items()), *zip(before.keys() - files.keys(), repeat(""))])
        whole = False
        with closing(self._connect()) as db:
            db.execute("BEGIN IMMEDIATE")  # one writer at a time, even without the run lock
            try:
                whole = self._whole is not None and self.bytes_digest() == self._whole  # no write since the check
                row = db.execute("SELECT seq, hash FROM entries ORDER BY seq DESC LIMIT 1").fetchone()
                seq, prev = (row[0], row[1]) if row else (0, GENESIS)
                written = []
                for kind, body in entries:
                    seq += 1
                    if kind == "seal" and release_files is not None:
                        body = {**body, "base": release_files[1].seq if release_files[1] else None,
                                "changes": files_hash(delta)}
                        db.executemany("INSERT INTO release_files VALUES (?,?,?)", ((seq, p, h) for p, h in delta))
                    body_json = canonical(body)
                    digest = entry_hash(prev, body_json)
                    db.execute("INSERT INTO entries(seq, kind, prev, hash, body) VALUES (?,?,?,?,?)",
                               (seq, kind, prev, digest, body_json))
                    written.append(Entry(seq, kind, prev, digest, body))
                    prev = digest
                    if kind in EVENT_KINDS:
                        db.executemany("INSERT INTO record_events VALUES (?,?,?,?,?,?)",
                                       [(seq, *event) for event in body.get("records", [])])
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        if whole:  # a whole chain and this process's own entries: the next run need not verify them again
            self._note_whole(self.bytes_digest())  # closed: the log is checkpointed into the file first
        return written

    def seal_of(self, release: str) -> Entry | None:
        """The seal that recorded a release."""
        for entry in self._select("WHERE kind = 'seal' ORDER BY seq DESC"):
            if entry.body.get("release") == release:
                return entry
        return None

    def release_files(self, seal: Entry) -> Files:
        """A sealed release's files (path -> SHA-256): its base's list with its own changes applied."""
        chain = [seal]
        while chain[-1].body.get("base"):
            base = next(self._select("WHERE seq = ?", (chain[-1].body["base"],)), None)
            if base is None:
                raise LedgerError(f"第{chain[-1].seq}条记录的基础版本（第{chain[-1].body['base']}条）不存在")
            chain.append(base)
        files: Files = {}
        with closing(self._connect()) as db:
            for entry in reversed(chain):
                if "files" in entry.body:  # a seal written before file lists had their own table
                    files = dict(entry.body["files"])
                    continue
                for path, digest in db.execute("SELECT path, sha256 FROM release_files WHERE seq = ?", (entry.seq,)):
                    if digest:
                        files[path] = digest
                    else:
                        files.pop(path, None)
        return files

    def seals(self) -> Iterator[Entry]:
        return self._select("WHERE kind = 'seal' ORDER BY seq")

    def _select(self, where: str, args: tuple = ()) -> Iterator[Entry]:
        with closing(self._connect()) as db:
            rows = db.execute(f"SELECT seq, kind, prev, hash, body FROM entries {where}", args).fetchall()
        for seq, kind, prev, digest, body in rows:
            yield Entry(seq, kind, prev, digest, json.loads(body))

    def entries(self) -> Iterator[Entry]:
        with closing(self._connect()) as db:
            for seq, kind, prev, digest, body in db.execute(
                    "SELECT seq, kind, prev, hash, body FROM entries ORDER BY seq"):
                try:
                    parsed = json.loads(body)
                except json.JSONDecodeError:
                    parsed = {"unreadable": body}
                yield Entry(seq, kind, prev, digest, parsed)

    def last(self, kind: str) -> Entry | None:
        return next(self._select("WHERE kind = ? ORDER BY seq DESC LIMIT 1", (kind,)), None)

    def last_of(self, kinds: tuple[str, ...]) -> Entry | None:
        marks = ",".join("?" * len(kinds))
        return next(self._select(f"WHERE kind IN ({marks}) ORDER BY seq DESC LIMIT 1", kinds), None)

    def verify_chain(self) -> str | None:
        """None when every entry links to the one before and its hash matches; else what is wrong."""
        try:
            with closing(self._connect()) as db:
                rows = db.execute("SELECT seq, kind, prev, hash, body FROM entries ORDER BY seq").fetchall()
                events = db.execute("SELECT seq, type, slug, action, content_hash, reason FROM record_events "
                                    "ORDER BY seq, rowid").fetchall()
                changes = _changes_hashes(db)
        except sqlite3.DatabaseError as exc:
            return f"账本文件损坏，无法读取：{exc}"
        event = itemgetter(slice(1, None))  # each run's events listed by C iterators: 98k Python steps at 100k
        indexed = {seq: list(map(list, map(event, group))) for seq, group in groupby(events, itemgetter(0))}
        prev = GENESIS
        for expected_seq, (seq, kind, entry_prev, digest, body) in enumerate(rows, 1):
            if seq != expected_seq:
                return f"第{expected_seq}条记录缺失（下一条为第{seq}条）"
            if entry_prev != prev:
                return f"第{seq}条记录（{kind}）的前一条哈希不符：应为 {prev[:16]}…，实为 {entry_prev[:16]}…"
            if entry_hash(prev, body) != digest:
                return f"第{seq}条记录（{kind}）的内容与其哈希不符：记录在写入后被修改过"
            parsed = _parsed(body)
            recorded = parsed.get("records", []) if kind in EVENT_KINDS else []
            if indexed.pop(seq, []) != recorded:
                return f"第{seq}条记录（{kind}）的记录变更索引与记录内容不符：索引被修改过"
            own = changes.pop(seq, _NO_CHANGES)
            if kind == "seal" and "changes" in parsed and own != parsed["changes"]:
                return f"第{seq}条记录（{kind}）的文件清单与其校验值不符：清单被修改过"
            prev = digest
        if indexed:
            return f"记录变更索引中有不属于任何运行的条目（第{min(indexed)}条）"
        if changes:
            return f"文件清单中有不属于任何封存记录的条目（第{min(changes)}条）"
        return None

    def published_state(self, through: int | None = None) -> dict[tuple[str, str], tuple[str, str]]:
        """(type, slug) -> (content hash, action) as of the latest entry that touched each record,
        or as of entry `through` (a release's seal: what that release showed)."""
        limit = "" if through is None else f"WHERE seq <= {int(through)}"
        with closing(self._connect()) as db:
            rows = db.execute(f"SELECT type, slug, content_hash, action FROM record_events {limit} "
                              "ORDER BY seq, rowid").fetchall()
        return dict(zip(map(itemgetter(0, 1), rows), map(itemgetter(2, 3), rows), strict=True))  # the last wins

    def tallies(self) -> list[tuple[int, list[str]]]:
        """Each record's yearly-report tally (publisher/runs/annual.py) with the seq of the run that recorded it."""
        with closing(self._connect()) as db:  # a run's array decoded in one call: 100k, one by one, took 0.3 s
            runs = db.execute("SELECT seq, json_extract(body, '$.tallies') FROM entries WHERE kind = 'run' "
                              "AND json_type(body, '$.tallies') = 'array' ORDER BY seq").fetchall()
            odd = db.execute("SELECT count(*) FROM entries WHERE kind = 'run' "
                             "AND json_type(body, '$.tallies') <> 'array'").fetchone()[0]
        lists = [(seq, orjson.loads(value)) for seq, value in runs]
        if odd or not all(map(isinstance, chain.from_iterable(t for _, t in lists), repeat(list))):
            return self._tallies_one_by_one()  # not as a run writes them: read as before
        return [(seq, tally) for seq, tallies in lists for tally in tallies]

    def _tallies_one_by_one(self) -> list[tuple[int, list[str]]]:
        with closing(self._connect()) as db:
            rows = db.execute("SELECT e.seq, j.value FROM entries e, json_each(e.body, '$.tallies') j "
                              "WHERE e.kind = 'run' ORDER BY e.seq, j.key").fetchall()
        return [(seq, orjson.loads(value)) for seq, value in rows]

    def annual_seals(self) -> list[tuple[int, str, dict[str, Any]]]:
        """(seq, kind, body) of the entries that sealed yearly reports: a run's `annual` part, or an `annual` entry."""
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT seq, kind, CASE kind WHEN 'run' THEN json_extract(body, '$.annual') ELSE body END "
                "FROM entries WHERE kind = 'annual' OR (kind = 'run' AND json_extract(body, '$.annual') IS NOT NULL) "
                "ORDER BY seq").fetchall()
        return [(seq, kind, json.loads(body)) for seq, kind, body in rows]

    def last_seq(self) -> int:
        with closing(self._connect()) as db:
            row = db.execute("SELECT MAX(seq) FROM entries").fetchone()
        return row[0] or 0

    def record_history(self, type_key: str, slug: str) -> list[dict[str, Any]]:
        """When a record was shown, changed and withdrawn, and why."""
        with closing(self._connect()) as db:
            rows = db.execute(
                "SELECT e.seq, e.body, r.action, r.content_hash, r.reason FROM record_events r "
                "JOIN entries e ON e.seq = r.seq WHERE r.type = ? AND r.slug = ? ORDER BY e.seq",
                (type_key, slug)).fetchall()
        history = []
        for seq, body, action, content_hash, reason in rows:
            run = json.loads(body)
            history.append({"seq": seq, "run": run.get("run_id") or run.get("to"),
                            "time": run.get("started") or run.get("time"),
                            "operator": run.get("operator"), "action": action, "content_hash": content_hash,
                            "reason": reason})
        return history


def ledger_of(config: Config) -> Ledger:
    """The agency's ledger, in the state folder (never served)."""
    return Ledger(config.paths.state / "ledger.sqlite")


def ledger_head(config: Config) -> dict[str, str] | None:
    """The last recorded run ({run, hash, time}), shown by a plain `portal build`; None before the first."""
    ledger = ledger_of(config)
    if not ledger.path.exists():
        return None
    run = ledger.last("run")
    return {"run": run.body["run_id"], "hash": run.hash, "time": run.body["started"]} if run else None
