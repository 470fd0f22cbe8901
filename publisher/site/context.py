"""What a build hands the portal's plugins: one typed object, in place of loose Pelican settings.

`build_site` puts it in Pelican's settings under BUILD_SETTING; each plugin takes it with
`build_context(settings)`. The pages plugin, which runs first, fills in `published` (content/ as
the site shows it) and `pages` (the one page writer every plugin writes through).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from publisher.core.annual import AnnualReport
from publisher.core.config import Config
from publisher.core.content import PublishedRecord
from publisher.site.parties import Party, cached_parties, collect_parties

BUILD_SETTING = "PORTAL_BUILD"
PARALLEL_MIN = 400  # below this many pages, forking workers costs more than it saves


@dataclass(frozen=True)
class LedgerHead:
    """The ledger entry a build is recorded under: shown on the home page, /ledger/ and /ledger.json."""

    run: str
    hash: str
    time: str

    @classmethod
    def of(cls, value: LedgerHead | dict[str, str] | None) -> LedgerHead | None:
        if value is None or isinstance(value, LedgerHead):
            return value
        return cls(value["run"], value["hash"], value["time"])


@dataclass
class BuildContext:
    config: Config
    today: date  # the build's day in the agency's zone: officers' validity, yearly reports
    pages_before: Path | None = None  # page index of the build the output starts from
    pages_after: Path | None = None  # where this build records its page index
    keep_search_indexes: int = 2  # a served output/ keeps the previous index for a server still reading it
    ledger: LedgerHead | None = None
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    parallel_min: int = PARALLEL_MIN
    feed_limit: int = 50  # entries per feed
    require_public_url: bool = True  # QR codes on paper must work for years
    published: dict[str, list[PublishedRecord]] = field(default_factory=dict)  # set by the pages plugin
    pages: Any = None  # the page writer (plugins/pages), set by the pages plugin
    annual: dict[str, AnnualReport] = field(default_factory=dict)  # sealed yearly reports, from the ledger
    agencies: list[Any] = field(default_factory=list)  # a unified platform's SiteAgency list, set by the pages plugin
    _parties: dict[str, Party] | None = field(default=None, repr=False)

    def parties(self) -> dict[str, Party]:
        """The party profiles of `published`, collected once: profile pages and both search indexes use them."""
        if self._parties is None and self.pages is None:
            self._parties = collect_parties(self.published)
        elif self._parties is None:  # each record's facts kept by its digest: a republish reads the changed ones
            self._parties = cached_parties(self.published, self.config.paths.state / "cache" / "parties",
                                           self.pages.salt)
        return self._parties


def build_context(settings: dict[str, Any]) -> BuildContext:
    """The build's context from Pelican's settings; a plugin run outside `portal build` says so."""
    context = settings.get(BUILD_SETTING)
    if not isinstance(context, BuildContext):
        raise RuntimeError("门户插件只能在 portal build / portal publish 中运行（缺少构建上下文）")
    return context
