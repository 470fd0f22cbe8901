"""Building the portal with Pelican, and serving the built site on localhost."""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote

from pelican import Pelican
from pelican.settings import read_settings

from publisher.core.config import Config
from publisher.site.search.page import SearchPage
from publisher.site.search.service import SearchService

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PELICANCONF = PROJECT_ROOT / "pelicanconf.py"


@dataclass(frozen=True)
class BuildResult:
    output: Path
    seconds: float
    files_written: int
    pages_kept: int = 0  # not rendered again: same inputs as in the build the output started from
    pages_removed: list[str] = field(default_factory=list)  # URLs the build before made and this one did not
    files_changed: list[Path] = field(default_factory=list)  # the files of the pages this build wrote


@dataclass(frozen=True)
class PageIndexes:
    """Where a build finds the page index of the build its output started from, and writes its own.

    A plain `portal build` updates its output folder in place: both are the same file in the state
    folder. A release starts as a copy of the current release: it reads that release's index.
    """

    before: Path | None
    after: Path | None
    keep_search_indexes: int = 2  # a served output/ keeps the previous index for a server still reading it

    @classmethod
    def beside(cls, config: Config, output: Path) -> PageIndexes:
        name = hashlib.blake2b(str(output.resolve()).encode(), digest_size=8).hexdigest()
        index = config.paths.state / "pages" / f"{name}.tsv"
        return cls(index, index)


@contextmanager
def _portal_config_env(config: Config) -> Iterator[None]:
    """pelicanconf.py reads PORTAL_CONFIG; set it only for the duration of reading the settings."""
    old = os.environ.get("PORTAL_CONFIG")
    os.environ["PORTAL_CONFIG"] = str(config.path)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("PORTAL_CONFIG", None)
        else:
            os.environ["PORTAL_CONFIG"] = old


def pelican_settings(config: Config, now: datetime | None = None, output: Path | None = None,
                     ledger_info: dict | None = None, pages: PageIndexes | None = None) -> dict:
    out = output or config.paths.output
    pages = pages or PageIndexes.beside(config, out)
    with _portal_config_env(config):
        return read_settings(str(PELICANCONF), override={
            "PORTAL": config,
            "PORTAL_NOW": now,
            "PORTAL_PAGES_BEFORE": pages.before,
            "PORTAL_PAGES_AFTER": pages.after,
            "PORTAL_KEEP_SEARCH_INDEXES": pages.keep_search_indexes,
            "PORTAL_LEDGER": ledger_info if ledger_info is not None else _ledger_head(config),
            "PATH": str(config.paths.content),
            "OUTPUT_PATH": str(out),
            "SITEURL": config.site.url,
            "SITENAME": config.site.name,
            "TIMEZONE": config.site.timezone,
        })


def _ledger_head(config: Config) -> dict | None:
    """The last recorded run, shown in the footer of a plain `portal build`."""
    from publisher.runs.publication import ledger_of

    ledger = ledger_of(config)
    if not ledger.path.exists():
        return None
    run = ledger.last("run")
    return {"run": run.body["run_id"], "hash": run.hash, "time": run.body["started"]} if run else None


def build_site(config: Config, now: datetime | None = None, output: Path | None = None,
               ledger_info: dict | None = None, pages: PageIndexes | None = None) -> BuildResult:
    """Render content/ into the output folder; raise ValueError if SITEURL is not a public URL.

    `ledger_info` ({run, hash, time}) is the ledger entry this build will be recorded under,
    shown in every page's footer and in /ledger.json.
    """
    config.paths.content.mkdir(parents=True, exist_ok=True)
    settings = pelican_settings(config, now, output, ledger_info, pages)
    started = time.perf_counter()
    pelican = Pelican(settings)
    generators: list = []
    from pelican import signals

    def keep(gens: list) -> None:
        generators.extend(gens)

    signals.all_generators_finalized.connect(keep)
    try:
        pelican.run()
    finally:
        signals.all_generators_finalized.disconnect(keep)
    removed: list[str] = []
    changed: list[Path] = []
    for generator in generators:
        if hasattr(generator, "finish"):
            removed += generator.finish()
            changed += [generator.pages.path_of(url) for url in generator.pages.changed]
    written = sum(getattr(g, "written", 0) for g in generators)
    kept = sum(getattr(g, "kept", 0) for g in generators)
    return BuildResult(Path(settings["OUTPUT_PATH"]), time.perf_counter() - started, written, kept, removed, changed)


class _Handler(SimpleHTTPRequestHandler):
    search: SearchService | None = None  # set per server by make_server
    search_page: SearchPage | None = None

    def do_GET(self) -> None:
        if not self._search_route():
            super().do_GET()

    def do_HEAD(self) -> None:
        if not self._search_route():
            super().do_HEAD()

    def _search_route(self) -> bool:
        """Answer /api/search and /search/?q=…; refuse the service index's files. False: a static file."""
        # http.server reads the request line as Latin-1; a client that sent raw UTF-8 meant UTF-8.
        raw = self.path.encode("latin-1", errors="replace").decode("utf-8", errors="replace")
        path, _, query = raw.partition("?")
        path = unquote(path.partition("#")[0])
        if path == "/_search" or path.startswith("/_search/"):
            self.send_error(404)
            return True
        if self.search is None or path not in ("/api/search", "/search", "/search/", "/search/index.html"):
            return False
        params = parse_qs(query, keep_blank_values=True, max_num_fields=20)
        if path == "/api/search":
            status, body = self.search.api(params, self.client_address[0])
            self._send(status, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json")
            return True
        if "q" not in params or self.search_page is None:
            return False
        rendered = self.search_page.render(params, self.client_address[0])
        if rendered is None:
            return False
        self._send(*rendered, "text/html")
        return True

    def _send(self, status: int, body: bytes, mime: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", f"{mime}; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        if status == 429:
            self.send_header("Retry-After", "60")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code == 404 and page.exists():
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
            return
        super().send_error(code, message, explain)

    def log_message(self, format: str, *args: object) -> None:
        logging.getLogger("portal.serve").info("%s " + format, self.address_string(), *args)


def make_server(output: Path, host: str = "127.0.0.1", port: int = 8000) -> ThreadingHTTPServer:
    """The built site, plus GET /api/search and a server-rendered /search/ from output/_search (its CURRENT index)."""
    service = SearchService(output)
    # A subclass per server: each server has its own index handle and rate limits.
    handler_class = type("PortalHandler", (_Handler,), {
        "search": service, "search_page": SearchPage(output, PROJECT_ROOT / "theme" / "templates", service)})
    handler = functools.partial(handler_class, directory=str(output))
    return ThreadingHTTPServer((host, port), handler)
