"""Pelican plugin: the search indexes and the /search/ page, built from exactly what the site shows.

Runs after the pages generator (PLUGINS order), reading the build context's `published` (content/, live
records only, values already masked: DESIGN §6) and writing through the build context's page writer:

- output/_search/index-<backend>-<hash>/ for `portal serve`, by the engine `[search] backend` names
  (whoosh by default, tantivy at province scale), switched by one os.replace of CURRENT;
- output/search/index/ the static fallback for plain-file hosting (static_files.py: a folder per build);
- /api/search, a placeholder a plain-file host returns (the service answers that URL itself);
- /search/ naming the static index it belongs to, written after both.

Same records, same hashes: a rebuild with unchanged content builds and writes nothing.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.generators import Generator

from publisher.site.background import Background
from publisher.site.context import build_context
from publisher.site.search.documents import profile_docs, site_documents
from publisher.site.search.page import AGENCIES_FILE, panel_context
from publisher.site.search.static import cache_file, index_name_hash, withdrawn_slots
from publisher.site.search.static_docs import StoredTerms
from publisher.site.search.static_patch import update_static_index
from publisher.site.search.store import default_backend, index_documents, records_hash

log = logging.getLogger(__name__)


class SearchGenerator(Generator):
    def generate_context(self) -> None:
        """Start the static index in a process of its own: it is pure Python and needs all the records,
        so it runs beside the pages, open data and the service index instead of after them."""
        self._static: Any = None
        build = build_context(self.settings)
        # Listed once, before the fork: both indexes compare it with what they hold and make only what changed.
        self._documents = site_documents(build.published, profile_docs(build.parties()))
        # Without the fallback, /search/ needs the service (a province's search replicas, docs/scaling.md).
        if not build.config.search.static_fallback:
            return
        slots = withdrawn_slots(build.published)  # withdrawn records keep their ids' places (static.py)
        name = index_name_hash(records_hash(self._documents, "static"), slots)
        # Only the records that changed are analysed again, and only the files they touch are written.
        self._static = Background(update_static_index, self._documents, Path(self.output_path),
                                  build.keep_search_indexes, name, slots, cache_file(build.config.paths.state))

    def generate_output(self, writer: Any) -> None:
        output = Path(self.output_path)
        started = time.perf_counter()
        build = build_context(self.settings)
        documents = self._documents
        static_url = self._static.result() if self._static is not None else ""
        # The static index analysed every document into its cache: the service index reads its keys there.
        known = StoredTerms(cache_file(build.config.paths.state), documents) if self._static is not None else None
        try:
            index_documents(documents, output, default_backend(build.config.search.backend),
                            build.keep_search_indexes, known)
        finally:
            if known is not None:
                known.close()
        log.info("search: %d records indexed in %.1f s", len(documents) - documents.records_from,
                 time.perf_counter() - started)
        pages = build.pages
        # On a plain-file host this file answers GET /api/search?…, telling search.js to use the static index
        # without a 404 in the console; `portal serve` answers that URL itself and never serves it.
        pages.write_text("/api/search", json.dumps({"service": False, "static_index": static_url}) + "\n")
        agencies = {a.key: a.name for a in build.agencies if a.url}  # a unified platform's agency menu (issue 19)
        if agencies:
            pages.write_text(f"/search/{AGENCIES_FILE}", json.dumps(agencies, ensure_ascii=False) + "\n")
        pages.write("/search/", "search.html", sitemap=False, static_index=static_url,
                    **panel_context(agencies=agencies))


def get_generators(pelican_object: Any) -> type[Generator]:
    return SearchGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
