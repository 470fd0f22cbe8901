"""Sources of disclosure records: a folder of files, a SQL database, a JSON endpoint, other agencies' portals.

Each source kind is a module with a `read(config: SourceConfig) -> SourceResult` function.
A source never raises for bad data: unreadable files and endpoints become SourceFailure
(which stops the affected type for the run), bad rows are passed on to validation.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from publisher.core.config import PathsConfig, SourceConfig
from publisher.pull.rows import SourceFailure, SourceResult


def read_sources(sources: Iterable[SourceConfig], max_file_bytes: int = 200 * 1024 * 1024,
                 paths: PathsConfig | None = None, now: datetime | None = None) -> SourceResult:
    """Read every configured source; one source's failure never stops the others.

    `portal` sources (other agencies' sites) need the platform's folders and clock; they are read
    together, after the others (publisher.pull.sources.portal)."""
    from publisher.pull.sources import files, http, portal, sql

    sources = list(sources)
    result = SourceResult()
    agencies = portal.portal_sources(sources)
    if agencies:
        assert paths is not None and now is not None, "portal sources need the platform's paths and clock"
        result.extend(portal.read(agencies, paths, now))
    for source in sources:
        if source.kind == "portal":
            continue
        try:
            if source.kind == "files":
                result.extend(files.read(source, max_file_bytes))
            else:
                result.extend({"sql": sql.read, "http": http.read}[source.kind](source))
        except Exception as exc:  # a reader bug must stop its types, not the run
            reason = f"{type(exc).__name__}: {exc}"
            result.failures.append(SourceFailure(source.label, None, source.label, reason))
    return result
