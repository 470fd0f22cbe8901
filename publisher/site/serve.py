"""`portal serve`: the built site on localhost, with the search service at /api/search and /search/."""

from __future__ import annotations

import functools
import json
import logging
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote

from publisher.site.build import PROJECT_ROOT
from publisher.site.search.page import SearchPage
from publisher.site.search.service import SearchService


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
