"""Theme files under names that carry a hash of their bytes, so a browser may keep them for a year.

A changed stylesheet gets a new name, and every page (whose build salt covers the theme) is
rewritten to name it: no visitor ever mixes an old stylesheet with a new page.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

HASH_LENGTH = 10
THEME_URL = "/theme/"
# URLs whose bytes never change: theme files named by their hash, and the static search index, whose files
# are never rewritten and whose meta is named by its bytes (publisher/site/search/static_files.py).
IMMUTABLE_URL = re.compile(rf"^/theme/.+\.[0-9a-f]{{{HASH_LENGTH}}}\.[a-z0-9]+$|^/search/index/")


def fingerprinted(relative: str, data: bytes) -> str:
    """css/portal.css → css/portal.<hash>.css."""
    digest = hashlib.blake2b(data, digest_size=16).hexdigest()[:HASH_LENGTH]
    stem, dot, suffix = relative.rpartition(".")
    return f"{stem}.{digest}.{suffix}" if dot and "/" not in suffix else f"{relative}.{digest}"


def theme_assets(static: Path) -> dict[str, str]:
    """Each theme file's path under static/ (css/portal.css) → the site URL it is written at."""
    files = sorted(p for p in static.rglob("*") if p.is_file())
    return {(rel := p.relative_to(static).as_posix()): THEME_URL + fingerprinted(rel, p.read_bytes()) for p in files}
