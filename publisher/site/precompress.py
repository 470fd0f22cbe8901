"""Gzip twins of the site's text files (page.html → page.html.gz), written when the file is.

A static host sends the twin to a browser that accepts gzip without compressing anything per
request (nginx `gzip_static on;`, Caddy `precompressed gzip`); `portal serve` does the same.
"""

from __future__ import annotations

import filecmp
import gzip
import os
import struct
import tempfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from publisher.core.files import write_if_changed

COMPRESSED_SUFFIXES = frozenset({".html", ".css", ".js", ".json", ".xml", ".svg", ".csv", ".txt"})
MIN_BYTES = 1024  # below one packet the gzip header and a second file are not worth it
LEVEL = 6  # within 0.3 % of level 9 on a page, and faster on a 100k-page build
# A whole-type data file: 18.2 MB of penalties.csv gzips to 1.37 MB in 0.18 s at level 6, 2.13 MB in 0.07 s at 1.
BIG_BYTES, BIG_LEVEL = 8 << 20, 1


def twin_of(path: Path | str) -> str:
    return f"{path}.gz"


def compressible(path: Path | str, size: int) -> bool:
    return size >= MIN_BYTES and os.path.splitext(path)[1] in COMPRESSED_SUFFIXES


def level_of(size: int) -> int:
    """The gzip level of a twin of this many bytes: a republish rewrites the multi-MB data files' twins."""
    return BIG_LEVEL if size >= BIG_BYTES else LEVEL


def write_twin(path: Path | str, data: bytes, changed: bool = True) -> None:
    """Keep `path`'s gzip twin in step with `data` (its bytes): written when they changed or it is missing.

    A file that shrank below MIN_BYTES loses its twin; the twin is written as a new file, never
    changed in place, so a release that shares it by hard link keeps its own bytes.
    """
    twin = twin_of(path)
    if not compressible(path, len(data)):
        if changed:
            Path(twin).unlink(missing_ok=True)
        return
    if changed or not os.path.isfile(twin):
        write_if_changed(twin, gzip.compress(data, level_of(len(data)), mtime=0), new_in_place=True)


@dataclass(frozen=True)
class Piece:
    """Bytes of a large file that recur from build to build (a month's rows), with where their deflated form is
    kept: `kept(encode)` returns the kept bytes, else `encode()`s and keeps them (a PartCache.get of a name)."""

    data: bytes
    kept: Callable[[Callable[[], bytes]], bytes]


_DEFLATED_HEAD = struct.Struct("<II")  # crc32 and length of the bytes a deflated piece was made from
# A gzip member's header as zlib writes it for gzip.compress(..., mtime=0): no name, mtime 0, no extra flags, Unix.
_GZIP_HEAD = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03"
_LAST_BLOCK = b"\x03\x00"  # an empty final deflate block (fixed Huffman codes): ends the pieces' blocks


def deflated(data: bytes) -> bytes:
    """`data` as raw deflate blocks of their own ending on a byte boundary without a last block (a sync flush),
    after the crc32 and length of `data`: such blocks from any pieces joined make one deflate stream (pigz)."""
    packer = zlib.compressobj(level_of(len(data)), zlib.DEFLATED, -15)
    body = packer.compress(data) + packer.flush(zlib.Z_SYNC_FLUSH)
    return _DEFLATED_HEAD.pack(zlib.crc32(data), len(data)) + body


def _deflated_piece(piece: Piece) -> bytes:
    """A piece's deflated blocks, kept ones if they were made from these very bytes (crc32 and length)."""
    packed = piece.kept(lambda: deflated(piece.data))
    want = _DEFLATED_HEAD.pack(zlib.crc32(piece.data), len(piece.data))
    if len(packed) < _DEFLATED_HEAD.size or packed[:_DEFLATED_HEAD.size] != want:
        packed = deflated(piece.data)  # kept for other bytes (a damaged or foreign cache): made again
    return packed[_DEFLATED_HEAD.size:]


class _Twin:
    """A gzip member made of pieces deflated apart: each piece's blocks are a function of its bytes alone, so a
    file whose months' pieces are kept is compressed only where it changed, and a full build makes the same."""

    def __init__(self, fh: BinaryIO) -> None:
        self.fh, self.crc, self.size, self.loose = fh, 0, 0, bytearray()
        fh.write(_GZIP_HEAD)

    def add(self, part: bytes | Piece) -> bytes:
        """Add a part; return its bytes. Bytes between pieces (headers, separators) are deflated together."""
        data = part.data if isinstance(part, Piece) else part
        self.crc, self.size = zlib.crc32(data, self.crc), self.size + len(data)
        if not isinstance(part, Piece):
            self.loose += data
            if len(self.loose) >= CHUNK:
                self._flush_loose()
        elif data:
            self._flush_loose()
            self.fh.write(_deflated_piece(part))
        return data

    def _flush_loose(self) -> None:
        if self.loose:
            self.fh.write(memoryview(deflated(bytes(self.loose)))[_DEFLATED_HEAD.size:])
            self.loose.clear()

    def close(self) -> None:
        self._flush_loose()
        self.fh.write(_LAST_BLOCK + struct.pack("<II", self.crc, self.size & 0xFFFFFFFF))


CHUNK = 1 << 20  # bytes read at a time when a large file is compared; loose bytes deflated at a time


def write_parts(path: str, parts: Iterable[bytes | Piece]) -> bool:
    """Write a large file from its parts, one after another, and its gzip twin; whether the file changed.

    The same bytes as `write_if_changed` of the joined parts, without ever holding them joined: a whole type's
    CSV or JSON at 100k records is ~100 MB, and its copies were a build's peak. The twin is the parts deflated
    apart (`_Twin`), pieces from their kept blocks. The file and twin are written aside and compared with the
    file there as they are written, until they differ, so a release sharing it by hard link keeps it.
    """
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    twin_fd, tmp_twin = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh, os.fdopen(twin_fd, "wb") as twin_fh, _OldFile(path) as old:
            twin = _Twin(twin_fh)
            for part in parts:
                data = twin.add(part)
                fh.write(data)
                old.compare(data)
            twin.close()
            size, changed = twin.size, not old.same()
        twin_path = twin_of(path)
        if not compressible(path, size):
            Path(twin_path).unlink(missing_ok=True)
        # a twin of other bytes (older code's) is replaced
        elif changed or not (os.path.isfile(twin_path) and filecmp.cmp(tmp_twin, twin_path, shallow=False)):
            os.chmod(tmp_twin, 0o644)
            os.replace(tmp_twin, twin_path)  # a new file: a release sharing the old twin by hard link keeps its own
        if changed:
            os.chmod(tmp, 0o644)
            os.replace(tmp, path)
    finally:
        for leftover in (tmp, tmp_twin):
            if os.path.exists(leftover):
                os.unlink(leftover)
    return changed


class _OldFile:
    """The file a new one replaces, read alongside the new bytes until the first that differ: a changed file
    is seldom read far (its newest records come first), an unchanged one is read once, in C."""

    def __init__(self, path: str) -> None:
        try:
            self.fh: BinaryIO | None = open(path, "rb")
        except OSError:
            self.fh = None
        self.differs = self.fh is None

    def __enter__(self) -> _OldFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def compare(self, data: bytes) -> None:
        if self.differs or self.fh is None:
            return
        if self.fh.read(len(data)) != data:
            self.differs = True
            self.close()

    def same(self) -> bool:
        """Whether the old file held exactly the bytes compared (nothing after them)."""
        if self.differs or self.fh is None:
            return False
        same = self.fh.read(1) == b""
        self.close()
        return same

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


def remove_twin(path: Path) -> None:
    Path(twin_of(path)).unlink(missing_ok=True)
