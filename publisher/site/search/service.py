"""The search service behind `portal serve`: parameter checks, limits, JSON, and the server-rendered page.

Every request is checked before it reaches an index: a clear 4xx for what cannot be answered
(too long, too many terms, bad type or year, page out of range, too many expensive queries), an
empty result for a query without searchable characters. Queries are built from tokens, never
parsed as query syntax, so nothing a citizen types can make the engine do more work than its
length allows.
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path

from publisher.site.agencies import agency_key_ok

from .analysis import Query, parse_query
from .backend import Results, SearchIndex
from .documents import SEARCH_TYPES
from .store import IndexHandle

MAX_QUERY = 100  # characters: longer than any name, decision number or law article
MAX_TERMS = 8  # space-separated parts
MAX_PAGE = 100
PAGE_SIZE = 10
MAX_PAGE_SIZE = 50
EXPENSIVE_COST = 5  # Query.cost at or above this (one-character parts, many parts) counts against the rate
EXPENSIVE_PER_MINUTE = 30  # per client address
MAX_CLIENTS = 10_000  # the rate table forgets the oldest clients beyond this


class SearchError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def as_json(self) -> dict:
        return {"error": {"status": self.status, "code": self.code, "message": self.message}}


@dataclass(frozen=True)
class SearchRequest:
    q: str
    query: Query
    type: str = ""
    year: str = ""
    page: int = 1
    page_size: int = PAGE_SIZE
    agency: str = ""  # on a unified platform: one agency's records only

    @property
    def expensive(self) -> bool:
        return self.query.cost >= EXPENSIVE_COST or self.page > 10 or self.page_size > 20


def _one(params: dict[str, list[str]], name: str) -> str:
    values = params.get(name) or [""]
    if len(values) > 1:
        raise SearchError(400, "repeated_parameter", f"参数 {name} 只能出现一次 (parameter {name} given twice)")
    return values[0]


def _int(params: dict[str, list[str]], name: str, default: int, top: int) -> int:
    text = _one(params, name).strip()
    if not text:
        return default
    if not text.isascii() or not text.isdigit() or not 1 <= int(text) <= top:
        raise SearchError(400, f"bad_{name}", f"{name} 应为 1 到 {top} 之间的整数 ({name} must be 1-{top})")
    return int(text)


def parse_request(params: dict[str, list[str]]) -> SearchRequest:
    """Check the query string's parameters (as parse_qs gives them); raise SearchError with a 4xx."""
    q = _one(params, "q")
    if len(q) > MAX_QUERY:
        raise SearchError(400, "query_too_long", f"搜索词过长，最多 {MAX_QUERY} 个字 (query longer than {MAX_QUERY})")
    if not q.strip():
        raise SearchError(400, "missing_query", "请输入搜索词 (parameter q is required)")
    type_ = _one(params, "type").strip()
    if type_ and type_ not in SEARCH_TYPES:
        raise SearchError(400, "bad_type", f"没有这种信息类型 (type must be one of {', '.join(SEARCH_TYPES)})")
    year = _one(params, "year").strip()
    if year and not (len(year) == 4 and year.isascii() and year.isdigit()):
        raise SearchError(400, "bad_year", "年份应为四位数字 (year must be four digits)")
    agency = _one(params, "agency").strip()
    if agency and not agency_key_ok(agency):
        raise SearchError(400, "bad_agency", "没有这个发布机关 (agency must be an agency key)")
    query = parse_query(q)
    if len(query.terms) > MAX_TERMS:
        raise SearchError(400, "too_many_terms", f"搜索词最多 {MAX_TERMS} 组 (at most {MAX_TERMS} terms)")
    return SearchRequest(q, query, type_, year, _int(params, "page", 1, MAX_PAGE),
                         _int(params, "page_size", PAGE_SIZE, MAX_PAGE_SIZE), agency)


class RateLimiter:
    """At most `limit` expensive queries per client in a sliding minute."""

    def __init__(self, limit: int = EXPENSIVE_PER_MINUTE, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        now = time.monotonic()
        with self._lock:
            times = self._seen.pop(client, None) or deque()
            while times and now - times[0] > self.window:
                times.popleft()
            ok = len(times) < self.limit
            if ok:
                times.append(now)
            self._seen[client] = times  # re-inserted: the dict keeps clients in order of last use
            while len(self._seen) > MAX_CLIENTS:
                self._seen.pop(next(iter(self._seen)))
            return ok


def results_json(request: SearchRequest, results: Results) -> dict:
    return {
        "query": request.q, "type": request.type, "year": request.year, "agency": request.agency,
        "page": request.page, "page_size": request.page_size,
        "total": results.total, "pages": math.ceil(results.total / request.page_size),
        "hits": [{**asdict(h), "type_name": SEARCH_TYPES[h.type]} for h in results.hits],
        "facets": results.facets,
    }


class SearchService:
    def __init__(self, output: Path, limiter: RateLimiter | None = None) -> None:
        self.handle = IndexHandle(output)
        self.limiter = limiter or RateLimiter()

    def index(self) -> SearchIndex:
        index = self.handle.get()
        if index is None:
            raise SearchError(503, "no_index", "搜索索引尚未生成，请先运行 portal build (no search index built)")
        return index

    def run(self, request: SearchRequest, client: str = "") -> Results:
        if request.query.empty:
            return Results(0)
        if request.expensive and not self.limiter.allow(client):
            raise SearchError(429, "rate_limited", "查询过于频繁，请稍后再试 (too many expensive queries; retry later)")
        return self.index().search(request.query, request.type, request.year, request.page, request.page_size,
                                   request.agency)

    def api(self, params: dict[str, list[str]], client: str = "") -> tuple[int, dict]:
        """(HTTP status, JSON body) for GET /api/search."""
        try:
            request = parse_request(params)
            return 200, results_json(request, self.run(request, client))
        except SearchError as exc:
            return exc.status, exc.as_json()

    def close(self) -> None:
        self.handle.close()
