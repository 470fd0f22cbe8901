"""Where the static index's files live (issue 18): in the folder of the build that wrote them, found through
the file table in meta.

    search/index/meta-<hash>.json     the index's meta (static.py) and its file table; <hash> of its own bytes
    search/index/<build>/t/<n>.bin    a shard, written by the build <build> (its logical content hash)
    search/index/<build>/d/<c>.json   a snippet chunk
    search/index/<build>/o/<g>.bin    a group's rank order

A build writes only the files whose bytes changed, into a folder of its own, and the table points every other
file at the folder of the build that wrote it. So a file keeps its URL for as long as its bytes stay the same:
a republish adds a few hundred files instead of moving every one (the ledger records only those, browsers keep
their cached shards), and nothing once written is changed (every URL under search/index/ is immutable).

The table, in meta["files"]: `builds` (folder names), `t` (base64, a byte per shard: its build's number), `d`
(per group, base64, a byte per chunk of 16 ids, NONE for an empty one) and `o` (per group, its build's number).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from publisher.core.files import write_atomic

NONE = 255  # no file: an empty snippet chunk
MAX_BUILDS = 128  # past this many folders in one table, a build writes every file afresh into its own
ROOT = "index"  # under search/
CHUNK_BITS = 16  # chunk numbers: group << 16 | chunk within the group (ids are group << 20 | number, 16 a chunk)


def _b64(data: bytearray) -> str:
    return base64.b64encode(bytes(data)).decode("ascii")


def _unb64(text: str) -> bytearray:
    return bytearray(base64.b64decode(text.encode("ascii")))


@dataclass
class FileTable:
    """Which build's folder holds each file of an index."""

    builds: list[str]
    shards: bytearray
    chunks: dict[int, bytearray] = field(default_factory=dict)  # group -> a byte per chunk in the group
    orders: dict[int, int] = field(default_factory=dict)  # group -> build number

    @classmethod
    def empty(cls, shards: int) -> FileTable:
        return cls([], bytearray([NONE]) * shards)

    @classmethod
    def of_meta(cls, meta: dict) -> FileTable:
        files = meta["files"]
        return cls(list(files["builds"]), _unb64(files["t"]), {int(g): _unb64(v) for g, v in files["d"].items()},
                   {int(g): n for g, n in files["o"].items()})

    def to_meta(self) -> dict:
        return {"builds": self.builds, "t": _b64(self.shards),
                "d": {str(g): _b64(self.chunks[g]) for g in sorted(self.chunks)},
                "o": {str(g): self.orders[g] for g in sorted(self.orders)}}

    def copy(self) -> FileTable:
        return FileTable(list(self.builds), bytearray(self.shards), {g: bytearray(v) for g, v in self.chunks.items()},
                         dict(self.orders))

    def where(self, name: str) -> str | None:
        """The path under search/index/ of a file named as static.py names it (t/<n>.bin, d/<c>.json, o/<g>.bin)."""
        kind, number = _kind_and_number(name)
        if kind == "t":
            build = self.shards[number] if number < len(self.shards) else NONE
        elif kind == "d":
            row = self.chunks.get(number >> CHUNK_BITS, b"")
            low = number & ((1 << CHUNK_BITS) - 1)
            build = row[low] if low < len(row) else NONE
        else:
            build = self.orders.get(number, NONE)
        return f"{self.builds[build]}/{name}" if build != NONE else None

    def point(self, name: str, build: int) -> None:
        """Name `build` (a number into `builds`, or NONE) as the folder holding the file `name`."""
        kind, number = _kind_and_number(name)
        if kind == "t":
            self.shards[number] = build
        elif kind == "d":
            row = self.chunks.setdefault(number >> CHUNK_BITS, bytearray())
            low = number & ((1 << CHUNK_BITS) - 1)
            row.extend([NONE] * (low + 1 - len(row)))
            row[low] = build
            while row and row[-1] == NONE:
                row.pop()
            if not row:
                del self.chunks[number >> CHUNK_BITS]
        elif build == NONE:
            self.orders.pop(number, None)
        else:
            self.orders[number] = build

    def used(self) -> set[int]:
        return {*self.shards, *(b for row in self.chunks.values() for b in row), *self.orders.values()} - {NONE}

    def compact(self) -> None:
        """Drop the builds no file points at any more, numbering the rest in their order."""
        used = self.used()
        renumber = {old: new for new, old in enumerate(sorted(used))}
        renumber[NONE] = NONE
        self.builds = [self.builds[old] for old in sorted(used)]
        self.shards = bytearray(renumber[b] for b in self.shards)
        self.chunks = {g: bytearray(renumber[b] for b in row) for g, row in self.chunks.items()}
        self.orders = {g: renumber[b] for g, b in self.orders.items()}


def _kind_and_number(name: str) -> tuple[str, int]:
    """("t", 5) for "t/5.bin": a file's kind (its folder) and number."""
    kind, file_name = name.split("/")
    return kind, int(file_name.split(".")[0])


def compact_json(value: object) -> bytes:
    """JSON as every file of the index holds it: UTF-8, no spaces."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


class IndexFiles:
    """Writes one build's files: a file whose bytes the previous index already holds keeps its place in the
    table, any other goes into this build's folder (first written aside, renamed into place when complete)."""

    def __init__(self, root: Path, build: str, shards: int, previous: FileTable | None) -> None:
        self.root, self.build = root, build
        # every file afresh: nothing to keep, another shard count, or a table grown too long
        self.fresh = previous is None or len(previous.builds) >= MAX_BUILDS or len(previous.shards) != shards
        self.previous = None if self.fresh else previous
        self.table = FileTable.empty(shards) if self.previous is None else self.previous.copy()
        self.number = len(self.table.builds)
        self.table.builds.append(build)
        self.folder = root / f".building-{build}"
        shutil.rmtree(self.folder, ignore_errors=True)

    def read(self, name: str) -> bytes | None:
        """A file of the previous index, or None when it had none."""
        where = self.previous.where(name) if self.previous is not None else None
        return (self.root / where).read_bytes() if where else None

    def put(self, name: str, data: bytes) -> None:
        """The file `name` of this build holds `data` (b"": no such file any more)."""
        if not data:
            self.table.point(name, NONE)
            return
        where = self.previous.where(name) if self.previous is not None else None
        if where is not None:
            old = self.root / where
            try:
                same = old.stat().st_size == len(data) and old.read_bytes() == data
            except OSError:
                same = False
            if same:
                return
        path = self.folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
        self.table.point(name, self.number)

    def finish(self, meta: dict) -> str:
        """Move this build's files into place and write its meta with the table; return meta's file name."""
        self.table.compact()
        final = self.root / self.build
        if self.folder.is_dir():
            if not final.is_dir():
                self.folder.rename(final)
            else:  # the same content built before: its folder holds the same bytes under the same names
                for path in sorted(self.folder.rglob("*")):
                    target = final / path.relative_to(self.folder)
                    if path.is_dir():
                        target.mkdir(exist_ok=True)
                    elif not target.exists():
                        os.replace(path, target)
                shutil.rmtree(self.folder, ignore_errors=True)
        data = compact_json({**meta, "build": self.build, "files": self.table.to_meta()})
        name = f"meta-{meta_hash(data)}.json"
        path = self.root / name
        if not path.is_file():  # the twin first: the meta's name is what says both are whole
            write_atomic(self.root / f"{name}.gz", gzip.compress(data, compresslevel=9, mtime=0))
            write_atomic(path, data)
        return name


def meta_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=8).hexdigest()


def read_meta(path: Path) -> dict | None:
    try:
        return json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None


def metas(root: Path) -> list[Path]:
    """The metas under search/index/, newest first."""
    if not root.is_dir():
        return []
    found = [p for p in root.glob("meta-*.json") if p.is_file()]
    return sorted(found, key=lambda p: (p.stat().st_mtime_ns, p.name), reverse=True)


def complete(root: Path, meta: dict) -> bool:
    """Every folder the meta's table names is there."""
    return all((root / build).is_dir() for build in meta.get("files", {}).get("builds", []))


def prune(root: Path, current: str, keep: int) -> None:
    """Keep the current meta and the newest others up to `keep`, and the folders they name; remove the rest."""
    kept = [p for p in metas(root) if p.name != current][:max(0, keep - 1)]
    keep_names = {current, *(p.name for p in kept)}
    builds: set[str] = set()
    for name in keep_names:
        meta = read_meta(root / name)
        builds.update(meta.get("files", {}).get("builds", []) if meta else [])
    for path in root.iterdir():
        if path.name.startswith("meta-") and path.name.removesuffix(".gz") not in keep_names:
            path.unlink(missing_ok=True)
        elif path.is_dir() and path.name not in builds:
            shutil.rmtree(path, ignore_errors=True)
        elif path.name.startswith(".") and path.is_file():
            path.unlink(missing_ok=True)
