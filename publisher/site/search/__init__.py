"""Search across every record type (DESIGN §5, issue 4): one analysis, a service and a static fallback.

- analysis: CJK bigrams + whole Latin/digit runs + single characters, for documents and queries alike
- documents: what is indexed (live records of content/, masked values)
- backend: the SearchBackend / SearchIndex interface and result types; whoosh_backend the default engine,
  tantivy_backend the one for province scale (`[search] backend = "tantivy"` in portal.toml, issue 7)
- store: the service index inside the output, built by the configured engine, switched atomically,
  reopened (with whichever engine built it) when it changes
- static: the sharded static index for plain-file hosting, and a Python reader of it
- service, page: GET /api/search and the server-rendered /search/ of `portal serve`
- cli: `portal search QUERY`
"""

from .analysis import parse_query
from .backend import Hit, Results, SearchBackend, SearchIndex
from .documents import SearchDoc, search_docs

__all__ = ["Hit", "Results", "SearchBackend", "SearchDoc", "SearchIndex", "parse_query", "search_docs"]
