"""Writing files so that a reader sees the old bytes or the new ones, never half of either."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path


def write_atomic(path: Path, data: bytes | Iterable[bytes], mode: int = 0o644) -> None:
    """Write `data` to a temporary file beside `path`, then rename it over `path` in one step.

    `data` may be pieces, written one after another: a large file need never be held whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(data, bytes | bytearray | memoryview):
                fh.write(data)
            else:
                fh.writelines(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path | str, text: str | bytes, new_in_place: bool = False,
                     known_dirs: set[Path] | None = None) -> bool:
    """Write atomically when the bytes differ; return whether the file was written.

    `new_in_place`: a file that does not exist yet is written directly, without a temporary file
    and a rename (a site build into a fresh release, which nobody reads until the switch).
    `known_dirs` remembers folders already made, saving a mkdir per file on large builds.
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    if new_in_place and _write_new(path, data, known_dirs):
        return True
    try:
        with open(path, "rb") as fh:
            if fh.read() == data:
                return False
        exists = True
    except FileNotFoundError:
        exists = False
    parent = Path(path).parent
    if known_dirs is None or parent not in known_dirs:
        parent.mkdir(parents=True, exist_ok=True)
        if known_dirs is not None:
            known_dirs.add(parent)
    if new_in_place and not exists:
        with open(path, "xb") as fh:
            fh.write(data)
        return True
    write_atomic(Path(path), data)
    return True


def _write_new(path: Path | str, data: bytes, known_dirs: set[Path] | None) -> bool:
    """Create `path` with `data` if no file is there; False if one is (a cold build: one open per file)."""
    try:
        fh = open(path, "xb")
    except FileExistsError:
        return False
    except FileNotFoundError:  # its folder is not there yet
        parent = Path(path).parent
        parent.mkdir(parents=True, exist_ok=True)
        if known_dirs is not None:
            known_dirs.add(parent)
        try:
            fh = open(path, "xb")
        except FileExistsError:
            return False
    with fh:
        fh.write(data)
    return True
