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
from publisher.pull.sources.snapshots import Snapshots


def read_sources(sources: Iterable[SourceConfig], max_file_bytes: int = 200 * 1024 * 1024,
                 snapshots: Snapshots | None = None, paths: PathsConfig | None = None,
                 now: datetime | None = None) -> SourceResult:
    """Read every configured source; one source's failure never stops the others.

    With `snapshots`, files are read only when their bytes changed (publisher.pull.sources.snapshots).
    `portal` sources (other agencies' sites) need the platform's folders and clock; they are read
    together, before the others (publisher.pull.sources.portal)."""
    from publisher.pull.sources import portal

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
            # Imported when used: SQLAlchemy alone takes most of a second to import.
            if source.kind == "files":
                from publisher.pull.sources import files

                result.extend(files.read(source, max_file_bytes, snapshots))
            elif source.kind == "sql":
                from publisher.pull.sources import sql

                result.extend(sql.read(source, snapshots))
            else:
                from publisher.pull.sources import http

                result.extend(http.read(source))
        except Exception as exc:  # a reader bug must stop its types, not the run
            reason = f"{type(exc).__name__}: {exc}"
            result.failures.append(SourceFailure(source.label, None, source.label, reason))
    return result
