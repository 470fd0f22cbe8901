"""Gzip twins of the site's text files (page.html → page.html.gz), written when the file is.

A static host sends the twin to a browser that accepts gzip without compressing anything per
request (nginx `gzip_static on;`, Caddy `precompressed gzip`); `portal serve` does the same.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

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


def remove_twin(path: Path) -> None:
    Path(twin_of(path)).unlink(missing_ok=True)
