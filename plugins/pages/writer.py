"""The site's page writer, shared with every plugin through the build context (`pages`).

Any plugin renders a theme template in the site's frame with `pages.write(url, template, ...)`:
the same globals (site, footer, navigation, QR codes), the same skip-unchanged writing, and the
URL recorded for the sitemap plugin, which runs last.

Incremental builds (issue 7): a page written with `key=` (what it is made from: record digests,
its place in a list) gets a fingerprint of that key, the template and the build's salt (theme,
code, portal.toml). If the previous build made the same page from the same fingerprint and its file
is in the output, it is not rendered again. `finish()` records every page's fingerprint and removes
pages the previous build made that this one no longer makes, so the output equals a full build.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import orjson
from jinja2 import Template
from markupsafe import Markup

from publisher.core.config import Config
from publisher.core.faults import fault_point
from publisher.core.files import write_atomic, write_if_changed
from publisher.site.background import Background
from publisher.site.context import PARALLEL_MIN
from publisher.site.precompress import remove_twin, write_parts, write_twin
from publisher.site.qrcodes import QrCache, qr_svg

T = TypeVar("T")
log = logging.getLogger(__name__)


_JOB: tuple[PageWriter, Sequence[Any], Callable[[Any], None], int] | None = None  # what forked workers render


Text = str | bytes


Made = tuple[int, int, list[tuple[str, str]], dict[str, str], list[str]]  # counts, sitemap URLs, fingerprints, changed


def _render_slice(index: int) -> Made:
    """In a forked worker: render every n-th item; report the pages made (`_pages_of`)."""
    assert _JOB is not None
    pages, items, render, workers = _JOB
    return _pages_of(pages, lambda: [render(item) for item in items[index::workers]])


def _pages_of(pages: PageWriter, job: Callable[[], object]) -> Made:
    """In a forked process (a worker, or a job `beside` the build): run the job; report the pages it made, for the
    parent to take in (`PageWriter._take`)."""
    pages.written, pages.kept, pages.urls, pages.produced, pages.changed = 0, 0, [], {}, []
    job()
    pages.qr_cache.flush()  # before the parent reads the cache again
    return pages.written, pages.kept, pages.urls, pages.produced, pages.changed


def build_salt(*parts: Iterable[Path] | bytes) -> str:
    """What every page depends on besides its own key: the bytes of these files (theme, code, settings)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        if isinstance(part, bytes):
            h.update(part)
            continue
        for path in sorted(part):
            h.update(path.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def read_page_index(path: Path | None) -> dict[str, str]:
    """url -> fingerprint of the pages a previous build made; empty if there was none or it cannot be read."""
    if path is None:
        return {}
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return {}
    if not data.startswith(b"{"):  # an index written before it was JSON: fingerprint, tab, URL per line
        return {url: fp for fp, _, url in (line.partition("\t") for line in data.decode("utf-8").splitlines())}
    try:
        index = orjson.loads(data)
    except orjson.JSONDecodeError:
        return {}  # a torn index: every page is judged changed, the build renders it all again
    return index if isinstance(index, dict) else {}


def write_page_index(path: Path, produced: dict[str, str]) -> None:
    """One JSON object, read and written by orjson: 228k lines of text took half a second a republish."""
    write_atomic(path, orjson.dumps(produced), mode=0o600)


class PageWriter:
    def __init__(self, get_template: Callable[[str], Template], output: Path, portal: Config,
                 globals_: dict[str, Any], workers: int = 1, parallel_min: int = PARALLEL_MIN,
                 salt: str = "", previous: dict[str, str] | None = None) -> None:
        self.workers = workers
        self.salt = salt
        self.previous = previous or {}  # url -> fingerprint, from the build the output started from
        self.produced: dict[str, str] = {}  # url -> fingerprint ("" if unkeyed) of every page this build makes
        self.kept = 0  # pages not rendered: same fingerprint as in the previous build
        self.changed: list[str] = []  # URLs whose file this build wrote
        self.parallel_min = parallel_min
        self._get_template = get_template
        self.output = output
        self._root = str(output).rstrip("/")  # + a site URL ("/x/…") is the file's path
        self.portal = portal
        self.globals = {**globals_, "qr": self.qr, "abs_url": self.abs_url}
        self.written = 0
        self.urls: list[tuple[str, str]] = []  # (site-relative URL, lastmod) for the sitemap
        self._template_context: dict[str, dict[str, Any]] = {}
        self._dirs: set[Path] = set()
        self._beside: list[Background] = []  # jobs writing pages in forked processes (`beside`)
        self.qr_cache = QrCache(portal.paths.state / "cache")
        self.qr_cache.prune()

    def extend_context(self, templates: tuple[str, ...], **values: Any) -> None:
        """Give every page rendered from these templates extra context (a plugin says what it adds)."""
        for name in templates:
            self._template_context.setdefault(name.removesuffix(".html"), {}).update(values)

    def each(self, items: Sequence[T], render: Callable[[T], None],
             stale: Callable[[T], bool] | None = None) -> None:
        """Render one or more pages per item, on every core for a large build.

        Workers are forked, so they share the loaded templates and content; each page depends only
        on its item, so the output is byte-identical to a serial build.

        `stale`: whether an item may have a page to render (its fingerprints differ from the previous build's).
        Items it rules out are handed to `render` here, where their pages are kept, and only the others go to
        the workers: forking and sending back 100k kept pages cost a one-record republish seconds. Every item is
        rendered once either way, so a wrong answer costs time, never output.
        """
        if stale is not None and self.workers >= 2 and len(items) >= self.parallel_min:
            changed = [item for item in items if stale(item)]
            if len(changed) < len(items):
                self.each(changed, render)
                done = {id(item) for item in changed}
                for item in items:
                    if id(item) not in done:
                        render(item)
                return
        if self.workers < 2 or len(items) < self.parallel_min:
            for item in items:
                render(item)
            return
        global _JOB
        log.info("rendering %d items on %d worker processes", len(items), self.workers)
        _JOB = (self, items, render, self.workers)
        try:
            with multiprocessing.get_context("fork").Pool(self.workers) as pool:
                results = pool.map(_render_slice, range(self.workers))
        finally:
            _JOB = None
        self._take(results)

    def beside(self, job: Callable[[], object]) -> None:
        """Run `job`, which writes pages through this writer, in a forked process beside the rest of the build;
        `settle` takes its pages in. Inline on one core, and in a build with no previous one to keep pages
        from: there the workers already keep both cores busy, and a fork would only add its memory."""
        if self.workers < 2 or not self.previous:
            job()
            return
        self._beside.append(Background(_pages_of, self, job))

    def settle(self) -> None:
        """Wait for the jobs running `beside` the build and record their pages as this writer's; a failed one
        fails the build."""
        jobs, self._beside = self._beside, []
        self._take([job.result() for job in jobs])

    def _take(self, results: list[Made]) -> None:
        for written, kept, urls, produced, changed in results:
            self.written += written
            self.kept += kept
            self.urls.extend(urls)
            self.produced.update(produced)
            self.changed.extend(changed)

    def abs_url(self, url: str) -> str:
        return self.portal.site.url + url

    def qr(self, url: str) -> Markup:
        """The page's QR code, cached by URL so a rebuild does not redraw it (DESIGN §7)."""
        return Markup(qr_svg(self.abs_url(url), self.qr_cache))

    def path_of(self, url: str) -> Path:
        return Path(self._file_of(url))

    def _file_of(self, url: str) -> str:
        """The output file of a URL as a string: judging 200k unchanged pages with pathlib took seconds."""
        return f"{self._root}{url}index.html" if url.endswith("/") else f"{self._root}{url}"

    def fingerprint(self, template: str, key: object) -> str:
        return hashlib.blake2b(f"{self.salt}\0{template}\0{key!r}".encode(), digest_size=16).hexdigest()

    def would_write(self, url: str, key: object) -> bool:
        """Whether `write_text` with this key would make the file (no: it is unchanged)."""
        return not self.same(url, self.fingerprint(url, key))

    def would_render(self, url: str, template: str, key: object) -> bool:
        """Whether `write` of this template with this key would render the page (no: it is unchanged)."""
        return not self.same(url, self.fingerprint(template.removesuffix(".html"), key))

    def same(self, url: str, fingerprint: str) -> bool:
        """The previous build made this page from the same inputs, and its file is still here."""
        return self.previous.get(url) == fingerprint and os.path.isfile(self._file_of(url))

    def keep(self, url: str, fingerprint: str, lastmod: str | None = None) -> None:
        """Record a page `same` found unchanged, without rendering it; a lastmod puts it in the sitemap."""
        self.produced[url] = fingerprint
        self.kept += 1
        if lastmod is not None:
            self.urls.append((url, lastmod))

    def keep_unchanged(self, urls: list[str], keys: list[Any]) -> list[bool]:
        """Which of these files (URLs not ending in "/") `write_text` with these keys would keep, recorded as kept,
        in bulk: at 100k record twins, one `write_text` each took a second."""
        fingerprints = list(map(self.fingerprint, urls, keys))
        same = list(map(str.__eq__, fingerprints, map(self.previous.get, urls, itertools.repeat(""))))
        there = iter(map(os.path.isfile, [self._root + u for u, s in zip(urls, same, strict=True) if s is True]))
        kept = [s is True and next(there) for s in same]
        self.produced.update(itertools.compress(zip(urls, fingerprints, strict=True), kept))
        self.kept += sum(kept)
        return kept

    def _unchanged(self, url: str, fingerprint: str) -> bool:
        if self.same(url, fingerprint):
            self.keep(url, fingerprint)
            return True
        return False

    def write(self, url: str, template: str, lastmod: str = "", sitemap: bool = True, key: object = None,
              **context: Any) -> None:
        """Render a theme template at a site URL (`/x/` → x/index.html); write only if it changed.

        `key`: everything the page shows besides the template and the site's settings (record
        digests, its place in a list). With a key, an unchanged page is not even rendered.
        """
        if sitemap:
            self.urls.append((url, lastmod))
        name = template.removesuffix(".html")
        fingerprint = "" if key is None else self.fingerprint(name, key)
        if fingerprint and self._unchanged(url, fingerprint):
            return
        context = {**self._template_context.get(name, {}), **context}
        html = self._get_template(name).render({**self.globals, "page_url": url, **context})
        self._write(url, html, fingerprint)

    def write_text(self, url: str, text: Text | Callable[[], Text | Iterator[bytes]], key: object = None) -> None:
        """Write a file at a site URL; `text` may be a function, called only if `key` says it changed, and may
        return the file's parts (an iterator of bytes), written one after another."""
        fingerprint = "" if key is None else self.fingerprint(url, key)
        if fingerprint and self._unchanged(url, fingerprint):
            return
        self._write(url, text() if callable(text) else text, fingerprint)

    def _write(self, url: str, text: Text | Iterator[bytes], fingerprint: str) -> None:
        self.produced[url] = fingerprint
        path = self._file_of(url)  # a string: pathlib per page cost a cold build seconds
        if isinstance(text, str | bytes):
            data = text.encode("utf-8") if isinstance(text, str) else text
            changed = write_if_changed(path, data, new_in_place=True, known_dirs=self._dirs)
            write_twin(path, data, changed)  # the gzip twin a static host sends (publisher/site/precompress.py)
        else:  # a large file given as its parts (a whole type's open data): never joined in memory
            changed = write_parts(path, text)
        if changed:
            self.written += 1
            self.changed.append(url)
            if self.written == 1:
                fault_point("during-build")  # a test proves a run killed mid-build harms nothing

    def finish(self, index: Path | None) -> list[str]:
        """Remove pages the previous build made and this one did not; record this build's pages."""
        self.settle()  # a page written beside the build is this build's: never removed as one it did not make
        self.qr_cache.flush()
        removed = sorted(set(self.previous) - set(self.produced))
        for url in removed:
            path = self.path_of(url)
            path.unlink(missing_ok=True)
            remove_twin(path)
            for folder in path.parents:  # a withdrawn list page leaves no empty folder behind
                if folder == self.output or not folder.is_relative_to(self.output) or any(folder.iterdir()):
                    break
                folder.rmdir()
        if index is not None:
            write_page_index(index, self.produced)
        return removed
