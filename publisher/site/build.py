"""Building the portal: Pelican renders content/ through the plugins, handed one BuildContext."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pelican import Pelican, signals
from pelican.settings import read_settings

from publisher.core.annual import AnnualReport
from publisher.core.config import Config
from publisher.core.memory import collections_between_stages
from publisher.site.context import BUILD_SETTING, BuildContext, LedgerHead

PROJECT_ROOT = Path(__file__).resolve().parents[2]
PELICANCONF = PROJECT_ROOT / "pelicanconf.py"


@dataclass(frozen=True)
class BuildResult:
    output: Path
    seconds: float
    files_written: int
    pages_kept: int = 0  # not rendered again: same inputs as in the build the output started from
    pages_removed: list[str] = field(default_factory=list)  # URLs the build before made and this one did not
    files_changed: list[Path] = field(default_factory=list)  # the files of the pages this build wrote


@dataclass(frozen=True)
class PageIndexes:
    """Where a build finds the page index of the build its output started from, and writes its own.

    A plain `portal build` updates its output folder in place: both are the same file in the state
    folder. A release starts as a copy of the current release: it reads that release's index.
    """

    before: Path | None
    after: Path | None
    keep_search_indexes: int = 2  # a served output/ keeps the previous index for a server still reading it

    @classmethod
    def beside(cls, config: Config, output: Path) -> PageIndexes:
        name = hashlib.blake2b(str(output.resolve()).encode(), digest_size=8).hexdigest()
        index = config.paths.state / "pages" / f"{name}.tsv"
        return cls(index, index)


def pelican_settings(config: Config, now: datetime | None = None, output: Path | None = None,
                     ledger_info: LedgerHead | dict | None = None, pages: PageIndexes | None = None,
                     annual: dict[str, AnnualReport] | None = None) -> dict:
    """pelicanconf.py for what Pelican itself needs; the portal's own settings in one BuildContext."""
    out = output or config.paths.output
    pages = pages or PageIndexes.beside(config, out)
    today = now.date() if now else datetime.now(ZoneInfo(config.site.timezone)).date()
    build = BuildContext(config, today, pages.before, pages.after, pages.keep_search_indexes,
                         LedgerHead.of(ledger_info), annual=annual or {})
    return read_settings(str(PELICANCONF), override={
        BUILD_SETTING: build,
        "PATH": str(config.paths.content),
        "OUTPUT_PATH": str(out),
        "SITEURL": config.site.url,
        "SITENAME": config.site.name,
        "TIMEZONE": config.site.timezone,
    })


def build_site(config: Config, now: datetime | None = None, output: Path | None = None,
               ledger_info: LedgerHead | dict | None = None, pages: PageIndexes | None = None,
               annual: dict[str, AnnualReport] | None = None) -> BuildResult:
    """Render content/ into the output folder; raise ValueError if SITEURL is not a public URL.

    `ledger_info` ({run, hash, time}) is the ledger entry this build will be recorded under,
    shown on the home page, /ledger/ and in /ledger.json; None shows no ledger entry. `annual` holds the
    ledger's sealed yearly reports by year (publisher/runs/annual.py); none given, none shown.
    """
    config.paths.content.mkdir(parents=True, exist_ok=True)
    settings = pelican_settings(config, now, output, ledger_info, pages, annual)
    started = time.perf_counter()
    pelican = Pelican(settings)
    generators: list = []

    def keep(gens: list) -> None:
        generators.extend(gens)

    signals.all_generators_finalized.connect(keep)
    try:
        with collections_between_stages():  # a plain `portal build` too; inside a run it is already paused
            pelican.run()
    finally:
        signals.all_generators_finalized.disconnect(keep)
    removed: list[str] = []
    changed: list[Path] = []
    for generator in generators:
        if hasattr(generator, "finish"):
            removed += generator.finish()
            changed += [generator.pages.path_of(url) for url in generator.pages.changed]
    written = sum(getattr(g, "written", 0) for g in generators)
    kept = sum(getattr(g, "kept", 0) for g in generators)
    return BuildResult(Path(settings["OUTPUT_PATH"]), time.perf_counter() - started, written, kept, removed, changed)
