"""Encoded parts of large files kept between builds (open data by year, statistics by year), by what they are
made of; shared by the plugins that join them, so neither plugin imports the other."""

from __future__ import annotations

import hashlib
import os
import zlib
from collections.abc import Callable
from pathlib import Path

from publisher.core.files import write_atomic

_CHECK = 4  # a cached part ends with the crc32 of its bytes: a torn or damaged file is encoded again
# (crc32 reads 21 MB in 5 ms, blake2b in 23 ms: a republish reads every year's parts of the changed type)


class PartCache:
    """Encoded parts by key, in a folder of the build's state; `prune` drops what this build did not ask for."""

    def __init__(self, folder: Path | None, salt: str) -> None:
        self.folder = folder
        self.salt = salt
        self.live: set[str] = set()
        self.encoded: list[str] = []  # names of the parts this build had to encode (for the tests and the note)

    def name(self, *key: object) -> str:
        return hashlib.blake2b(repr((self.salt, *key)).encode(), digest_size=16).hexdigest()

    def get(self, name: str, encode: Callable[[], bytes]) -> bytes:
        self.live.add(name)
        path = self.folder / name if self.folder is not None else None
        if path is not None:
            try:
                data = path.read_bytes()
            except OSError:
                data = b""
            body, check = data[:-_CHECK], data[-_CHECK:]
            if len(data) >= _CHECK and _crc(body) == check:
                return body
        body = encode()
        self.encoded.append(name)
        if path is not None:
            write_atomic(path, body + _crc(body), mode=0o600)
        return body

    def keep(self, name: str) -> None:
        """A part this build's files are made of, though it was not read (its files were unchanged)."""
        self.live.add(name)

    def prune(self) -> None:
        if self.folder is None or not self.folder.is_dir():
            return
        for entry in os.scandir(self.folder):
            if entry.name not in self.live and not entry.name.startswith(".tmp-"):
                Path(entry.path).unlink(missing_ok=True)


def _crc(body: bytes) -> bytes:
    return zlib.crc32(body).to_bytes(_CHECK, "big")
