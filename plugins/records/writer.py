"""The site's page writer, shared through the Pelican context as context["PORTAL_PAGES"].

Any plugin renders a theme template in the site's frame with `pages.write(url, template, ...)`:
the same globals (site, footer, navigation, QR codes), the same skip-unchanged writing, and the
URL recorded for the sitemap plugin, which runs last.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from jinja2 import Template
from markupsafe import Markup

from publisher.config import Config
from publisher.content import write_if_changed
from publisher.qrcodes import qr_svg

T = TypeVar("T")
log = logging.getLogger(__name__)


PARALLEL_MIN = 400  # below this many pages, forking costs more than it saves
_JOB: tuple[PageWriter, Sequence[Any], Callable[[Any], None], int] | None = None  # what forked workers render


def _render_slice(index: int) -> tuple[int, list[tuple[str, str]]]:
    """In a forked worker: render every n-th item, report what was written and the sitemap URLs."""
    assert _JOB is not None
    pages, items, render, workers = _JOB
    pages.written, pages.urls = 0, []
    for item in items[index::workers]:
        render(item)
    return pages.written, pages.urls


class PageWriter:
    def __init__(self, get_template: Callable[[str], Template], output: Path, portal: Config,
                 globals_: dict[str, Any], workers: int = 1, parallel_min: int = PARALLEL_MIN) -> None:
        self.workers = workers
        self.parallel_min = parallel_min
        self._get_template = get_template
        self.output = output
        self.portal = portal
        self.globals = {**globals_, "qr": self.qr, "abs_url": self.abs_url}
        self.written = 0
        self.urls: list[tuple[str, str]] = []  # (site-relative URL, lastmod) for the sitemap
        self._template_context: dict[str, dict[str, Any]] = {}
        self._dirs: set[Path] = set()

    def extend_context(self, templates: tuple[str, ...], **values: Any) -> None:
        """Give every page rendered from these templates extra context (a plugin says what it adds)."""
        for name in templates:
            self._template_context.setdefault(name.removesuffix(".html"), {}).update(values)

    def each(self, items: Sequence[T], render: Callable[[T], None]) -> None:
        """Render one or more pages per item, on every core for a large build.

        Workers are forked, so they share the loaded templates and content; each page depends only
        on its item, so the output is byte-identical to a serial build.
        """
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
        for written, urls in results:
            self.written += written
            self.urls.extend(urls)

    def abs_url(self, url: str) -> str:
        return self.portal.site.url + url

    def qr(self, url: str) -> Markup:
        """The page's QR code, cached by URL so a rebuild does not redraw it (DESIGN §7)."""
        return Markup(qr_svg(self.abs_url(url), self.portal.paths.state / "cache" / "qr"))

    def path_of(self, url: str) -> Path:
        relative = url.lstrip("/")
        return self.output / relative / "index.html" if url.endswith("/") else self.output / relative

    def write(self, url: str, template: str, lastmod: str = "", sitemap: bool = True, **context: Any) -> None:
        """Render a theme template at a site URL (`/x/` → x/index.html); write only if it changed."""
        name = template.removesuffix(".html")
        context = {**self._template_context.get(name, {}), **context}
        html = self._get_template(name).render(**self.globals, page_url=url, **context)
        self.write_text(url, html)
        if sitemap:
            self.urls.append((url, lastmod))

    def write_text(self, url: str, text: str | bytes) -> None:
        if write_if_changed(self.path_of(url), text, new_in_place=True, known_dirs=self._dirs):
            self.written += 1
            if self.written == 30 and os.environ.get("PORTAL_FAULT_INJECTION") == "during-build":
                os.kill(os.getpid(), signal.SIGKILL)  # a test proves a run killed mid-build harms nothing
