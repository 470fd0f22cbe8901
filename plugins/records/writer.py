"""The site's page writer, shared through the Pelican context as context["PORTAL_PAGES"].

Any plugin renders a theme template in the site's frame with `pages.write(url, template, ...)`:
the same globals (site, footer, navigation, QR codes), the same skip-unchanged writing, and the
URL recorded for the sitemap plugin, which runs last.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jinja2 import Template
from markupsafe import Markup

from publisher.config import Config
from publisher.content import write_if_changed
from publisher.qrcodes import qr_svg


class PageWriter:
    def __init__(self, get_template: Callable[[str], Template], output: Path, portal: Config,
                 globals_: dict[str, Any]) -> None:
        self._get_template = get_template
        self.output = output
        self.portal = portal
        self.globals = {**globals_, "qr": self.qr, "abs_url": self.abs_url}
        self.written = 0
        self.urls: list[tuple[str, str]] = []  # (site-relative URL, lastmod) for the sitemap
        self._template_context: dict[str, dict[str, Any]] = {}

    def extend_context(self, templates: tuple[str, ...], **values: Any) -> None:
        """Give every page rendered from these templates extra context (a plugin says what it adds)."""
        for name in templates:
            self._template_context.setdefault(name.removesuffix(".html"), {}).update(values)

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
        if write_if_changed(self.path_of(url), text):
            self.written += 1
            if self.written == 30 and os.environ.get("PORTAL_FAULT_INJECTION") == "during-build":
                os.kill(os.getpid(), signal.SIGKILL)  # a test proves a run killed mid-build harms nothing
