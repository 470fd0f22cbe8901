"""Where the service index lives, how a build replaces it atomically, and how the service notices.

Layout, inside the built site (DESIGN §4: `portal publish` switches a whole release at once, so
the index always travels with the pages it was built from, and `portal rollback` rolls it back):

    output/_search/index-<backend>-<hash>/   one complete index per engine and distinct content (a
                                             rebuild of the same records reuses it and writes nothing)
    output/_search/CURRENT         the name of the index in use; replaced with os.replace, one atomic step

The engine is chosen at build time (`[search] backend` in portal.toml: whoosh, or tantivy at province
scale) and named in the directory, so `portal serve` opens whichever engine built the current index.
A pointer file rather than a symlink: copying the output (rsync, copytree) keeps it one small file.
`portal serve` never serves `_search/` (publisher.site.build), and a plain-file host only ever finds there
what the pages already show.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from operator import methodcaller
from pathlib import Path

from publisher.core.content import PublishedRecord
from publisher.core.files import write_atomic

from .analysis import ANALYZER_VERSION
from .backend import SearchBackend, SearchIndex
from .documents import SearchDoc, SiteDocuments, docs_hash
from .matching import KnownTerms


@functools.cache
def _code() -> str:
    """What a document and its analysis are made by: a change to this code makes a new index, never an update."""
    here = Path(__file__).parent
    return hashlib.blake2b(b"".join((here / n).read_bytes() for n in (
        "analysis.py", "documents.py", "matching.py", "backend.py", "static.py", "tantivy_backend.py",
        "whoosh_backend.py", "postings.py", "static_docs.py", "static_patch.py", "../parties.py")),
        digest_size=8).hexdigest()


def code_hash() -> str:
    """The search code's hash: what names the static index's document cache too (static.py)."""
    return _code()


SERVICE_DIR = "_search"
POINTER = "CURRENT"
KEEP = 2  # the index in use and the one before it, which a running server may still be reading
CHECK_EVERY = 1.0  # seconds between looks at CURRENT while serving


BACKENDS = ("whoosh", "tantivy")


def default_backend(name: str = "whoosh") -> SearchBackend:
    """The engine called `name` (publisher.core.config SearchConfig.backend); imported only when used."""
    if name == "whoosh":
        from .whoosh_backend import WhooshBackend

        return WhooshBackend()
    if name == "tantivy":
        from .tantivy_backend import TantivyBackend

        return TantivyBackend()
    raise ValueError(f"search backend {name!r}: expected one of {', '.join(BACKENDS)}")


def backend_for(path: Path) -> SearchBackend:
    """The engine that built the index at `path`, from its directory name (index-<backend>-<hash>)."""
    return default_backend(path.name.split("-")[1])


def build_service_index(docs: list[SearchDoc], output: Path, backend: SearchBackend | None = None,
                        keep: int = KEEP) -> Path:
    """Build the index for `docs` under output/_search unless it exists, then point CURRENT at it."""
    backend = backend or default_backend()
    root = output / SERVICE_DIR
    root.mkdir(parents=True, exist_ok=True)
    return _install(root, f"index-{backend.name}-{docs_hash(docs, backend.name)}", keep,
                    lambda tmp: backend.build(docs, tmp))


def _install(root: Path, name: str, keep: int, make: Callable[[Path], None]) -> Path:
    """Make the index `name` in a temporary folder unless it exists, then point CURRENT at it."""
    final = root / name
    if not final.is_dir():
        tmp = Path(tempfile.mkdtemp(prefix=".building-", dir=root))
        try:
            make(tmp)
            tmp.rename(final)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    _point(root, name)
    _prune(root, name, keep)
    return final


RECORDS = "records.tsv"  # inside an index: the URL and content digest of every record in it


def index_records(records: list[PublishedRecord], output: Path, backend: SearchBackend, keep: int = KEEP,
                  profiles: Sequence[SearchDoc] = (), known: KnownTerms | None = None) -> Path:
    """The service index of the records and the party `profiles` made from them (`index_documents`)."""
    return index_documents(SiteDocuments.of(list(profiles), records), output, backend, keep, known)


def index_documents(listing: SiteDocuments, output: Path, backend: SearchBackend, keep: int = KEEP,
                    known: KnownTerms | None = None) -> Path:
    """A site's service index: named by its records' digests, and, when the engine can, made by updating the
    current index with the documents that changed since (compared as {url: digest} maps, in C), instead of
    indexing them all."""
    root = output / SERVICE_DIR
    root.mkdir(parents=True, exist_ok=True)

    def make(tmp: Path) -> None:
        current = current_index_path(output)
        before = _read_records(current) if current and current.name.startswith(f"index-{backend.name}-") else None
        update = getattr(backend, "update", None)
        now = dict(zip(listing.urls, listing.digests, strict=True))
        if current is not None and before is not None and update is not None and len(now) == len(listing):
            shutil.rmtree(tmp)
            shutil.copytree(current, tmp, copy_function=os.link)  # the unchanged segments stay shared
            stale = {url for url, _ in before.items() - now.items()}
            added = sorted(map(listing.url_position.__getitem__, {url for url, _ in now.items() - before.items()}))
            update(tmp, map(listing.make, added), [url for url in before if url in stale], known)
        else:
            backend.build(map(listing.make, range(len(listing))), tmp, known)
        _write_records(tmp / RECORDS, now)

    return _install(root, f"index-{backend.name}-{records_hash(listing, backend.name)}", keep, make)


def records_hash(listing: SiteDocuments, salt: str) -> str:
    """Same records (by content digest), same analysis and engine code: same index."""
    digest = hashlib.blake2b(f"{ANALYZER_VERSION}:{salt}:{_code()}".encode(), digest_size=8)
    digest.update(listing.records_lines)  # one call: the lines hash as they did one at a time
    return digest.hexdigest()


def _read_records(index: Path) -> dict[str, str] | None:
    try:
        lines = (index / RECORDS).read_text(encoding="utf-8").split("\n")
    except FileNotFoundError:
        return None  # an index from before records.tsv: built afresh
    if lines[-1] == "":
        lines.pop()
    try:
        return dict(map(methodcaller("split", "\t", 1), lines))  # in C: a province's file has 100k lines
    except ValueError:
        return None  # a line without its tab: not a file this code wrote, so built afresh


def _write_records(path: Path, digests: dict[str, str]) -> None:
    path.unlink(missing_ok=True)  # a hard link shared with the index before: never write through it
    path.write_text("".join(map("{}\t{}\n".format, digests.keys(), digests.values())), encoding="utf-8")


def _point(root: Path, name: str) -> None:
    pointer = root / POINTER
    if pointer.exists() and pointer.read_text(encoding="utf-8").strip() == name:
        return  # unchanged: keep the file's mtime, so a second build writes nothing
    write_atomic(pointer, (name + "\n").encode("utf-8"), mode=0o600)


def _prune(root: Path, current: str, keep_count: int) -> None:
    """Remove all but the newest KEEP indexes, and any half-built directory left by a crash."""
    indexes = sorted((p for p in root.iterdir() if p.is_dir() and p.name.startswith("index-")),
                     key=lambda p: p.stat().st_mtime, reverse=True)
    keep = {current} | {p.name for p in indexes[:keep_count]}
    for path in root.iterdir():
        stale_tmp = path.name.startswith(".building-") and time.time() - path.stat().st_mtime > 3600
        if path.is_dir() and ((path.name.startswith("index-") and path.name not in keep) or stale_tmp):
            shutil.rmtree(path, ignore_errors=True)


def current_index_path(output: Path) -> Path | None:
    pointer = output / SERVICE_DIR / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    path = pointer.parent / name
    return path if name and "/" not in name and path.is_dir() else None


class IndexHandle:
    """The service's view of output/_search: reopens the index when a build points CURRENT elsewhere."""

    def __init__(self, output: Path, backend: SearchBackend | None = None) -> None:
        self.output = output
        self.backend = backend  # None: whichever engine built the current index
        self._lock = threading.Lock()
        self._path: Path | None = None
        self._index: SearchIndex | None = None
        self._retired: SearchIndex | None = None  # the index before: a request may still be using it
        self._checked = 0.0

    def get(self) -> SearchIndex | None:
        now = time.monotonic()
        with self._lock:
            if self._index is None or now - self._checked >= CHECK_EVERY:
                self._checked = now
                path = current_index_path(self.output)
                if path != self._path:
                    if self._retired is not None:
                        self._retired.close()
                    self._retired = self._index
                    self._index, self._path = (self._open(path) if path else None), path
            return self._index

    def _open(self, path: Path) -> SearchIndex:
        return (self.backend or backend_for(path)).open(path)

    def close(self) -> None:
        with self._lock:
            for index in (self._index, self._retired):
                if index is not None:
                    index.close()
            self._index, self._retired, self._path = None, None, None
