"""Releases: each publication builds a complete site in its own directory; one atomic switch of
the `current` link makes it public. Old releases are kept for rollback, then pruned.

Layout under the deploy path (what nginx serves is `current`):
    releases/<id>/          complete, verified releases
    releases/.building-<id> a release being built (removed if a run dies before finishing it)
    current -> releases/<id>
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import shutil
import stat
import subprocess
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import compress, repeat
from operator import itemgetter
from pathlib import Path

import orjson

from publisher.core.config import DeployConfig
from publisher.core.files import write_atomic
from publisher.runs.ledger import files_hash

_BUILDING = ".building-"
_NEXT = ".next-"  # a copy of the current release, prepared for the next run
_TRASH = ".trash-"  # releases and copies on their way out, deleted in the background
_HREF = re.compile(rb'(?:href|src)="(/[^"#?]*)')


@dataclass(frozen=True)
class Releases:
    deploy: DeployConfig

    @property
    def root(self) -> Path:
        return self.deploy.path / "releases"

    @property
    def current_link(self) -> Path:
        return self.deploy.path / "current"

    def current(self) -> str | None:
        try:
            return Path(os.readlink(self.current_link)).name
        except (FileNotFoundError, OSError):
            return None

    def list(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and not p.name.startswith("."))

    def start(self, release_id: str, base: str | None = None) -> tuple[Path, bool]:
        """A directory to build a release in, and whether it starts as a copy of release `base`.

        The copy is made of hard links: nothing is copied, and since every write replaces a file
        (a new inode) rather than changing it, the base release keeps its bytes. Leftovers of
        dead runs are removed first.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        for stale in self.root.glob(f"{_BUILDING}*"):
            shutil.rmtree(stale, ignore_errors=True)
        building = self.root / f"{_BUILDING}{release_id}"
        if base and (self.root / base).is_dir():
            prepared = self.root / f"{_NEXT}{base}"
            copying = self.root / f"{_NEXT}tmp-{base}"
            deadline = time.monotonic() + 120
            while copying.is_dir() and not prepared.is_dir() and self._copying(base) and time.monotonic() < deadline:
                time.sleep(0.05)  # the copy started after the last run is nearly done: cheaper than another
            if prepared.is_dir():  # copied in the background after the run that made `base`
                os.replace(prepared, building)
                self._remove_prepared()
                return building, True
            linked = subprocess.run(["cp", "-al", str(self.root / base), str(building)], capture_output=True)
            if linked.returncode == 0:
                return building, True
            shutil.rmtree(building, ignore_errors=True)  # a file system without hard links: build afresh
        building.mkdir()
        return building, False

    def prepare_next(self, release_id: str) -> None:
        """Start copying a release (hard links) for the next run to build on, in the background.

        A 100k-record release is ~250k files: linking them takes seconds, which the next
        republish then does not wait for. The copy becomes usable in one rename when complete; a
        run that finds none (still copying, or a dead copy) links its own.
        """
        self._remove_prepared()
        source, tmp, final = (self.root / release_id, self.root / f"{_NEXT}tmp-{release_id}",
                              self.root / f"{_NEXT}{release_id}")
        copy = subprocess.Popen(["sh", "-c", 'cp -al "$1" "$2" && mv "$2" "$3"', "prepare", str(source), str(tmp),
                                 str(final)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)  # outlives this run
        (self.root / f"{_NEXT}{release_id}.pid").write_text(str(copy.pid))

    def _copying(self, release_id: str) -> bool:
        """Whether the background copy of this release is still running."""
        try:
            os.kill(int((self.root / f"{_NEXT}{release_id}.pid").read_text()), 0)
        except (OSError, ValueError):
            return False
        return True

    def _remove_prepared(self) -> None:
        self._discard(list(self.root.glob(f"{_NEXT}*")))

    def _discard(self, folders: list[Path]) -> None:
        """Take folders out of the way at once (a rename) and delete them in the background:
        removing a 100k-record release takes seconds a run need not wait for."""
        for folder in folders:
            os.replace(folder, self.root / f"{_TRASH}{folder.name}-{secrets.token_hex(4)}")
        trash = [str(p) for p in self.root.glob(f"{_TRASH}*")]
        if trash:
            subprocess.Popen(["rm", "-rf", "--", *trash], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)

    def page_index(self, release_id: str) -> Path:
        """The page index of a release (plugins/records/writer.py), beside it: not part of the public site."""
        return self.root / f".{release_id}.pages"

    def dir_index(self, release_id: str) -> Path:
        """A sealed release's folders with their mtimes (`scan`), beside it: what the next seal trusts unchanged."""
        return self.root / f".{release_id}.dirs"

    def save_dirs(self, release_id: str, dirs: Dirs) -> None:
        write_atomic(self.dir_index(release_id), orjson.dumps(dirs))

    def load_dirs(self, release_id: str) -> Dirs | None:
        """The folders as sealed; None when unknown or unreadable (the next seal lists every folder)."""
        try:
            dirs = orjson.loads(self.dir_index(release_id).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return None
        ok = isinstance(dirs, dict) and all(type(v) is int for v in dirs.values())
        return dirs if ok else None

    def finish(self, building: Path, release_id: str) -> Path:
        final = self.root / release_id
        os.replace(building, final)
        return final

    def switch(self, release_id: str) -> None:
        """Point `current` at a release in one atomic rename: readers see the old site or the new one."""
        if not (self.root / release_id).is_dir():
            raise FileNotFoundError(f"release {release_id} not found in {self.root}")
        tmp = self.deploy.path / f".current-{os.getpid()}"
        tmp.unlink(missing_ok=True)
        os.symlink(Path("releases") / release_id, tmp)
        os.replace(tmp, self.current_link)
        dir_fd = os.open(self.deploy.path, os.O_RDONLY)
        try:
            os.fsync(dir_fd)  # the switch itself survives a crash
        finally:
            os.close(dir_fd)

    def prune(self, recorded: list[str]) -> list[str]:
        """Keep the newest `deploy.keep` recorded releases (oldest first in `recorded`) and the current
        one; remove the rest, including releases a dead run finished but never recorded."""
        releases = self.list()
        on_disk = set(releases)
        keep = set([r for r in recorded if r in on_disk][-self.deploy.keep:]) | {self.current() or ""}
        removed = [r for r in releases if r not in keep]
        self._discard([self.root / r for r in removed])
        for index in [*self.root.glob(".*.pages"), *self.root.glob(".*.dirs")]:
            if index.name[1:].rpartition(".")[0] not in keep:
                index.unlink(missing_ok=True)
        return removed

    def mirror(self) -> None:
        """Copy the current release to the configured rsync target (a remote web server), Pelican-style."""
        if not self.deploy.rsync:
            return
        source = f"{self.current_link.resolve()}/"
        subprocess.run(["rsync", "-a", "--delete", "--checksum", source, self.deploy.rsync], check=True,
                       capture_output=True, text=True)


Dirs = dict[str, int]  # a release's folders (relative, "" for its root) -> mtime_ns when it was sealed


def manifest(directory: Path, base: dict[str, str] | None = None, base_dir: Path | None = None) -> dict[str, str]:
    """Every file of a release with its SHA-256, by path relative to the release (see `scan`)."""
    return scan(directory, base, base_dir)[0]


def scan(directory: Path, base: dict[str, str] | None = None, base_dir: Path | None = None,
         base_dirs: Dirs | None = None) -> tuple[dict[str, str], Dirs]:
    """Every file of a release with its SHA-256 (sorted by path), and its folders' mtimes.

    `base`: the recorded files of the release this one started from as hard links, in `base_dir`. A
    file still linked (more than one link) at a path the base has is that very file; one linked from
    elsewhere in the base (a search index's new folder) is found by its inode among the base's files
    (only in the top-level folders where such files are). Either way its recorded hash is reused
    instead of reading it again.

    `base_dirs`: the base's folders as sealed (`Releases.dir_index`). The copy keeps each folder's mtime
    (`cp -a`) and any entry added, removed or replaced since changes it, so a folder whose mtime is the
    base's holds the base's very files: they are taken from `base` without listing or stat-ing them.
    """
    try:
        return _scan(str(directory), base, base_dir, base_dirs if base else None)
    except _Moved:  # a folder the base's listing vouched for is not there as one: list everything
        return _scan(str(directory), base, base_dir, None)


class _Moved(Exception):
    """A folder of an unchanged folder is gone or is no longer a folder."""


def _scan(root: str, base: dict[str, str] | None, base_dir: Path | None,
          base_dirs: Dirs | None) -> tuple[dict[str, str], Dirs]:
    files: dict[str, str] = {}
    dirs: Dirs = {}
    same: set[str] = set()  # folders whose entries are the base's
    children = _children(base_dirs) if base_dirs else {}
    moved: list[tuple[str, str, os.stat_result]] = []  # linked files at paths the base does not have
    stack = [("", os.lstat(root).st_mtime_ns)]  # strings: a Path per folder costs more than reading it
    while stack:
        rel, mtime = stack.pop()
        dirs[rel] = mtime
        folder = f"{root}/{rel}" if rel else root
        if base_dirs is not None and base_dirs.get(rel) == mtime:
            same.add(rel)
            for child in children.get(rel, ()):
                try:
                    info = os.lstat(f"{root}/{child}")
                except OSError:
                    raise _Moved(child) from None
                if not stat.S_ISDIR(info.st_mode):
                    raise _Moved(child)
                stack.append((child, info.st_mtime_ns))
            continue
        prefix = f"{rel}/" if rel else ""
        with os.scandir(folder) as entries:
            for entry in entries:
                name = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    stack.append((name, entry.stat(follow_symlinks=False).st_mtime_ns))
                elif entry.is_file(follow_symlinks=False):
                    if not base:
                        files[name] = _sha256(entry.path)
                        continue
                    known, info = base.get(name), entry.stat(follow_symlinks=False)
                    if known and info.st_nlink > 1:
                        files[name] = known
                    elif info.st_nlink > 1 and base_dir is not None:
                        moved.append((name, entry.path, info))
                    else:
                        files[name] = _sha256(entry.path)
    if same:
        assert base is not None
        files.update(_in_folders(base, same))
    if moved:
        assert base is not None and base_dir is not None
        # Safe: builds replace files, never edit them, so a base inode holds its recorded bytes; ledger verify re-hashes
        linked = _recorded_inodes(base_dir, base, {name.split("/", 1)[0] for name, _, _ in moved})
        for name, path, info in moved:
            known = linked.get((info.st_dev, info.st_ino, info.st_size))
            files[name] = known if known else _sha256(path)
    return dict(sorted(files.items())), dirs


def _children(dirs: Dirs) -> dict[str, list[str]]:
    """Each folder's folders, from the list of all of them."""
    children: dict[str, list[str]] = {}
    for rel in dirs:
        if rel:
            children.setdefault(rel.rpartition("/")[0], []).append(rel)
    return children


def _in_folders(files: dict[str, str], folders: set[str]) -> Iterator[tuple[str, str]]:
    """The files directly in one of `folders`, picked by C iterators: 228k Python steps at 100k otherwise."""
    names = list(files)
    inside = list(map(folders.__contains__, map(itemgetter(0), map(str.rpartition, names, repeat("/")))))
    return zip(compress(names, inside), compress(files.values(), inside), strict=True)


def _recorded_inodes(base_dir: Path, base: dict[str, str], tops: set[str]) -> dict[tuple[int, int, int], str]:
    """(device, inode, size) -> recorded SHA-256 of the base release's recorded files under the folders `tops`."""
    inodes, root = {}, str(base_dir)
    names = list(base)
    under = list(map(str.startswith, names, repeat(tuple(f"{top}/" for top in tops))))
    for name, digest in zip(compress(names, under), compress(base.values(), under), strict=True):
        try:
            info = os.stat(f"{root}/{name}", follow_symlinks=False)
        except OSError:
            continue  # gone from the base's folder: nothing can be linked to it
        inodes[(info.st_dev, info.st_ino, info.st_size)] = digest
    return inodes


def _sha256(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def manifest_hash(files: dict[str, str]) -> str:
    return files_hash(files.items())


def verify_files(directory: Path, files: dict[str, str]) -> str | None:
    """None when the release holds exactly the recorded files with the recorded hashes; else the first problem."""
    actual = manifest(directory)
    for path, digest in sorted(files.items()):
        if path not in actual:
            return f"文件 {path} 缺失"
        if actual[path] != digest:
            return f"文件 {path} 的内容与账本记录的哈希不符"
    extra = sorted(set(actual) - set(files))
    if extra:
        return f"文件 {extra[0]} 不在账本记录中"
    return None


def broken_links(directory: Path, pages: list[Path] | None = None) -> list[tuple[str, str]]:
    """(page, link) for every root-relative href/src in an HTML page that points at nothing.

    `pages`: only these pages (those a build rewrote, when it removed nothing other pages link to).
    Each distinct link is looked up once: a 100k-record release has 228k pages and ~7M links, mostly the same few.
    """
    root = str(directory)
    found: dict[bytes, bool] = {}
    broken = []
    for page in _html_pages(root) if pages is None else map(str, pages):
        if not page.endswith(".html"):
            continue
        with open(page, "rb") as fh:
            links = set(_HREF.findall(fh.read()))
        for link in links:
            there = found.get(link)
            if there is None:
                target = f"{root}/{link.decode().lstrip('/')}"
                there = found[link] = os.path.isfile(target) or os.path.isfile(os.path.join(target, "index.html"))
            if not there:
                broken.append((os.path.relpath(page, root).replace(os.sep, "/"), link.decode()))
    return sorted(broken)


def _html_pages(root: str) -> Iterator[str]:
    """Every .html file under `root`, as a path string (pathlib's rglob remembers each path it yields)."""
    for folder, _, names in os.walk(root):
        for name in names:
            if name.endswith(".html"):
                yield f"{folder}/{name}"


@dataclass(frozen=True)
class ContentSnapshots:
    """content/ as each release was built from it, kept beside the ledger (never served) for rollbacks.

    A snapshot is a folder of hard links: content/ files are only ever replaced (a new inode), never
    changed in place, so a snapshot keeps its bytes at the cost of a directory entry per file.
    """

    root: Path

    @classmethod
    def of(cls, state: Path) -> ContentSnapshots:
        return cls(state / "snapshots")

    def path(self, release_id: str) -> Path:
        return self.root / release_id

    def take(self, release_id: str, content: Path) -> None:
        """Keep `content` (content/, or another release's snapshot) as this release's snapshot."""
        with self.taking(release_id, content) as taken:
            taken()

    @contextmanager
    def taking(self, release_id: str, content: Path) -> Iterator[Callable[[], None]]:
        """`take`, linked in the background while the run builds: call the function given to wait for it.

        Nothing writes content/ after the pull (files are only replaced), so the copy is the pull's content/.
        A run that fails stops the copy and removes it."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".tmp-{release_id}"
        shutil.rmtree(tmp, ignore_errors=True)
        copy = subprocess.Popen(["cp", "-al", str(content), str(tmp)], stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def finish() -> None:
            if copy.wait() != 0:  # a file system without hard links: copied here
                shutil.rmtree(tmp, ignore_errors=True)
                shutil.copytree(content, tmp)
            os.replace(tmp, self.path(release_id))

        try:
            yield finish
        except BaseException:
            copy.kill()
            copy.wait()
            shutil.rmtree(tmp, ignore_errors=True)
            raise

    @staticmethod
    def link_copy(source: Path, target: Path) -> None:
        """A folder of hard links to `source`'s files (copies on a file system without hard links)."""
        if subprocess.run(["cp", "-al", str(source), str(target)], capture_output=True).returncode != 0:
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)

    def adopt(self, release_id: str, folder: Path) -> None:
        """A content folder made for a release (a rollback's) becomes its snapshot."""
        self.root.mkdir(parents=True, exist_ok=True)
        os.replace(folder, self.path(release_id))

    def prune(self, keep: set[str]) -> None:
        """Remove the snapshots of releases no longer kept: renamed away at once, deleted in the background
        (a 100k-record snapshot is 100k links, seconds to unlink)."""
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if folder.name not in keep and not folder.name.startswith(_TRASH):
                os.replace(folder, self.root / f"{_TRASH}{folder.name}-{secrets.token_hex(4)}")
        trash = [str(p) for p in self.root.glob(f"{_TRASH}*")]
        if trash:
            subprocess.Popen(["rm", "-rf", "--", *trash], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
