"""Sources of disclosure records: a folder of files, a SQL database, a JSON endpoint.

Each source kind is a module with a `read(config: SourceConfig) -> SourceResult` function.
A source never raises for bad data: unreadable files and endpoints become SourceFailure
(which stops the affected type for the run), bad rows are passed on to validation.
"""

from __future__ import annotations

from collections.abc import Iterable

from publisher.core.config import SourceConfig
from publisher.pull.rows import SourceFailure, SourceResult


def read_sources(sources: Iterable[SourceConfig]) -> SourceResult:
    """Read every configured source; one source's failure never stops the others."""
    from publisher.pull.sources import files, http, sql

    readers = {"files": files.read, "sql": sql.read, "http": http.read}
    result = SourceResult()
    for source in sources:
        try:
            result.extend(readers[source.kind](source))
        except Exception as exc:  # a reader bug must stop its types, not the run
            reason = f"{type(exc).__name__}: {exc}"
            result.failures.append(SourceFailure(source.label, None, source.label, reason))
    return result
