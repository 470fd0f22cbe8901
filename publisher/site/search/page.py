"""The /search/ page with results rendered by the server, for `portal serve` without JavaScript.

The build writes search/index.html with an empty panel (theme/templates/search_panel.html) between
two markers; the server renders the same panel template with the results and puts it in their place,
so the page's frame, navigation and footer are exactly those of the built site.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from .backend import Results
from .documents import SEARCH_TYPES
from .service import PAGE_SIZE, SearchError, SearchRequest, SearchService, parse_request

PANEL_START = "<!--search-panel-->"
PANEL_END = "<!--/search-panel-->"
PANEL_TEMPLATE = "search_panel.html"


def panel_context(query: str = "", results: Results | None = None, error: str = "", type: str = "", year: str = "",
                  page: int = 1, page_size: int = PAGE_SIZE) -> dict[str, Any]:
    """Everything search_panel.html uses; the build renders it with the defaults (an empty form)."""
    pages = math.ceil(results.total / page_size) if results else 0
    return {"query": query, "results": results, "error": error, "type": type, "year": year, "page": page,
            "page_size": page_size, "pages": pages, "search_types": SEARCH_TYPES}


class SearchPage:
    def __init__(self, output: Path, templates: Path, service: SearchService) -> None:
        self.output = output
        self.service = service
        self.env = Environment(loader=FileSystemLoader(str(templates)), autoescape=True, undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True)

    def render(self, params: dict[str, list[str]], client: str = "") -> tuple[int, bytes] | None:
        """(status, HTML) of /search/ with results; None when the built page is missing."""
        path = self.output / "search" / "index.html"
        try:
            built = path.read_text(encoding="utf-8")
        except OSError:
            return None
        head, sep, rest = built.partition(PANEL_START)
        _, sep2, tail = rest.partition(PANEL_END)
        if not (sep and sep2):
            return None
        status, context = 200, panel_context(query=(params.get("q") or [""])[0][:200])
        try:
            request = parse_request(params)
            context = self._context(request, self.service.run(request, client))
        except SearchError as exc:
            status, context["error"] = exc.status, exc.message.split(" (")[0]
        panel = self.env.get_template(PANEL_TEMPLATE).render(**context)
        return status, (head + PANEL_START + panel + PANEL_END + tail).encode("utf-8")

    @staticmethod
    def _context(request: SearchRequest, results: Results) -> dict[str, Any]:
        return panel_context(request.q, results, "", request.type, request.year, request.page, request.page_size)
