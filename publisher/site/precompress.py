"""Gzip twins of the site's text files (page.html → page.html.gz), written when the file is.

A static host sends the twin to a browser that accepts gzip without compressing anything per
request (nginx `gzip_static on;`, Caddy `precompressed gzip`); `portal serve` does the same.
"""

from __future__ import annotations

import filecmp
import gzip
import os
import tempfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from publisher.core.files import write_atomic, write_if_changed

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


CHUNK = 1 << 20  # bytes read at a time when a large file is compressed


def write_parts(path: str, parts: Iterable[bytes]) -> bool:
    """Write a large file from its parts, one after another, and its gzip twin; whether the file changed.

    The same bytes and twin as `write_if_changed` + `write_twin` of the joined parts, without ever holding
    them joined: a whole type's CSV or JSON at 100k records is ~100 MB, and its copies were a build's peak.
    The file is written aside and compared with the one there, so a release sharing it by hard link keeps it.
    """
    folder = os.path.dirname(path)
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            for part in parts:
                fh.write(part)
        os.chmod(tmp, 0o644)
        changed = not (os.path.isfile(path) and filecmp.cmp(tmp, path, shallow=False))
        twin = twin_of(path)
        if changed or not os.path.isfile(twin):
            _write_twin_of_file(tmp if changed else path, twin)
        if changed:
            os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return changed


def _write_twin_of_file(source: str, twin: str) -> None:
    """`write_twin` of a file's bytes, read and compressed a chunk at a time (zlib's stream: the same bytes)."""
    size = os.path.getsize(source)
    if not compressible(twin.removesuffix(".gz"), size):
        Path(twin).unlink(missing_ok=True)
        return
    packer = zlib.compressobj(level_of(size), zlib.DEFLATED, 31)  # 31: a gzip header with mtime 0, as gzip.compress

    def compressed() -> Iterator[bytes]:
        with open(source, "rb") as fh:
            while chunk := fh.read(CHUNK):
                yield packer.compress(chunk)
        yield packer.flush()

    write_atomic(Path(twin), compressed())  # a new file: a release sharing the old twin by hard link keeps its own


def remove_twin(path: Path) -> None:
    Path(twin_of(path)).unlink(missing_ok=True)
