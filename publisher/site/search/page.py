"""The /search/ page with results rendered by the server, for `portal serve` without JavaScript.

The build writes search/index.html with an empty panel (theme/templates/search_panel.html) between
two markers; the server renders the same panel template with the results and puts it in their place,
so the page's frame, navigation and footer are exactly those of the built site.
"""

from __future__ import annotations

import json
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
AGENCIES_FILE = "agencies.json"  # search/agencies.json: a unified platform's agencies for the agency menu


def panel_context(query: str = "", results: Results | None = None, error: str = "", type: str = "", year: str = "",
                  page: int = 1, page_size: int = PAGE_SIZE, agency: str = "",
                  agencies: dict[str, str] | None = None) -> dict[str, Any]:
    """Everything search_panel.html uses; the build renders it with the defaults (an empty form).

    `agencies`: a unified platform's agencies, key -> name, for the agency menu and each filter link."""
    pages = math.ceil(results.total / page_size) if results else 0
    return {"query": query, "results": results, "error": error, "type": type, "year": year, "page": page,
            "page_size": page_size, "pages": pages, "search_types": SEARCH_TYPES, "agency": agency,
            "search_agencies": agencies or {}}


def read_search_agencies(output: Path) -> dict[str, str]:
    """The agency menu the build wrote beside /search/ ({} on a single agency's portal or a bad file)."""
    try:
        data = json.loads((output / "search" / AGENCIES_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


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
        agencies = read_search_agencies(self.output)
        status, context = 200, panel_context(query=(params.get("q") or [""])[0][:200], agencies=agencies)
        try:
            request = parse_request(params)
            context = self._context(request, self.service.run(request, client), agencies)
        except SearchError as exc:
            status, context["error"] = exc.status, exc.message.split(" (")[0]
        panel = self.env.get_template(PANEL_TEMPLATE).render(**context)
        return status, (head + PANEL_START + panel + PANEL_END + tail).encode("utf-8")

    @staticmethod
    def _context(request: SearchRequest, results: Results, agencies: dict[str, str]) -> dict[str, Any]:
        return panel_context(request.q, results, "", request.type, request.year, request.page, request.page_size,
                             request.agency, agencies)
