"""`portal serve`: the built site on localhost, with the search service at /api/search and /search/."""

from __future__ import annotations

import functools
import json
import logging
import posixpath
from concurrent.futures import ThreadPoolExecutor
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, unquote

from publisher.site.build import PROJECT_ROOT
from publisher.site.party_index import API_URL as PARTIES_API
from publisher.site.party_index import MAX_BODY, api_answer
from publisher.site.search.page import SearchPage
from publisher.site.search.service import SearchService

MAX_QUERY_FIELDS = 20
WORKERS = 32  # requests served at once; more wait in the listen queue instead of each taking a thread
IDLE_SECONDS = 15  # a connection that sends nothing for this long is closed
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    # Everything the portal needs is its own: no third-party request is ever made (DESIGN §5).
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
                               "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
                               "form-action 'self'",
}


class _Handler(SimpleHTTPRequestHandler):
    search: SearchService | None = None  # set per server by make_server
    search_page: SearchPage | None = None
    timeout = IDLE_SECONDS

    def do_GET(self) -> None:
        if self._refused() or self._search_route():
            return
        super().do_GET()

    def do_HEAD(self) -> None:
        if self._refused() or self._search_route():
            return
        super().do_HEAD()

    def do_POST(self) -> None:
        """Only /api/parties takes a body: the lines of a bulk check (批量比对), as text or a form's `q`."""
        if self._refused():
            return
        if self._site_path() != PARTIES_API:
            self.send_error(404)
            return
        declared = self.headers.get("Content-Length") or "0"
        length = int(declared) if declared.isdigit() else -1
        if not 0 <= length <= MAX_BODY:
            self.send_error(413)
            return
        text = self.rfile.read(length).decode("utf-8", errors="replace")
        if self.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            text = "\n".join(parse_qs(text, max_num_fields=MAX_QUERY_FIELDS).get("q", []))
        self._send_json(*api_answer(Path(self.directory), text))

    def _send_json(self, status: int, body: object) -> None:
        self._send(status, json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json")

    def end_headers(self) -> None:
        for name, value in SECURITY_HEADERS.items():
            self.send_header(name, value)
        super().end_headers()

    def list_directory(self, path: str | Path) -> None:  # type: ignore[override]
        """No folder listings: a folder without index.html is not a page."""
        self.send_error(404)

    def _site_path(self) -> str:
        """The request's path as the file system will read it: decoded and normalised (/./_search → /_search)."""
        raw = self.path.encode("latin-1", errors="replace").decode("utf-8", errors="replace")
        path = unquote(raw.partition("?")[0].partition("#")[0])
        normal = posixpath.normpath(path)
        return normal + "/" if path.endswith("/") and normal != "/" else normal

    def _refused(self) -> bool:
        """A bad request is answered (400/404), never dropped; the search index's files are never served."""
        target, _, query = self.path.partition("?")
        if "\x00" in unquote(target) or query.count("&") + query.count(";") + 1 > MAX_QUERY_FIELDS:
            self.send_error(400, "Bad Request")
            return True
        path = self._site_path()
        if path == "/_search" or path.startswith("/_search/") or "/." in path:
            self.send_error(404)
            return True
        return False

    def _search_route(self) -> bool:
        """Answer /api/search and /search/?q=…; refuse the service index's files. False: a static file."""
        # http.server reads the request line as Latin-1; a client that sent raw UTF-8 meant UTF-8.
        query = self.path.encode("latin-1", errors="replace").decode("utf-8", errors="replace").partition("?")[2]
        path = self._site_path()
        if path == PARTIES_API:
            self._send_json(*api_answer(Path(self.directory), "\n".join(parse_qs(query).get("q", []))))
            return True
        if self.search is None or path not in ("/api/search", "/search", "/search/", "/search/index.html"):
            return False
        try:
            params = parse_qs(query, keep_blank_values=True, max_num_fields=MAX_QUERY_FIELDS)
        except ValueError:
            self.send_error(400, "Bad Request")
            return True
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


class PortalServer(HTTPServer):
    """An HTTP server with a bounded pool of workers: a flood of idle connections cannot take a thread each."""

    def __init__(self, address: tuple[str, int], handler: object, workers: int = WORKERS) -> None:
        super().__init__(address, handler)  # type: ignore[arg-type]
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="portal-serve")

    def process_request(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        self._pool.submit(self._work, request, client_address)

    def _work(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        try:
            self.finish_request(request, client_address)
        except Exception:  # noqa: BLE001 — one broken connection never stops the server
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def server_close(self) -> None:
        super().server_close()
        self._pool.shutdown(wait=False, cancel_futures=True)


def make_server(output: Path, host: str = "127.0.0.1", port: int = 8000, workers: int = WORKERS) -> PortalServer:
    """The built site, plus GET /api/search and a server-rendered /search/ from output/_search (its CURRENT index)."""
    service = SearchService(output)
    # A subclass per server: each server has its own index handle and rate limits.
    handler_class = type("PortalHandler", (_Handler,), {
        "search": service, "search_page": SearchPage(output, PROJECT_ROOT / "theme" / "templates", service)})
    handler = functools.partial(handler_class, directory=str(output))
    return PortalServer((host, port), handler, workers)
