from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from publisher.core.config import Config, load_config
from publisher.pull.plan import Plan, make_plan, write_plan
from publisher.pull.rows import RawRow, SourceFailure, SourceResult
from publisher.runs.annual import annual_reports
from publisher.site.build import build_site
from tests.leaks import write_leak_rows

ROOT = Path(__file__).resolve().parent.parent
# The sample data's rules are exercised against a fixed clock, so the tests never age.
SAMPLE_NOW = datetime(2026, 11, 24, 10, 0)

MINIMAL_TOML = """
[site]
url = "https://lyj.example.gov.cn"
[paths]
content = "content"
output = "output"
[[sources]]
kind = "files"
path = "data"
"""


@pytest.fixture
def portal_dir(tmp_path: Path) -> Path:
    (tmp_path / "data").mkdir()
    sample_policy = (ROOT / "portal.toml").read_text(encoding="utf-8").split("\n[policy]\n", 1)[1]
    (tmp_path / "portal.toml").write_text(MINIMAL_TOML + "\n[policy]\n" + sample_policy, encoding="utf-8")
    return tmp_path


@pytest.fixture
def config(portal_dir: Path) -> Config:
    return load_config(portal_dir / "portal.toml")


class Runner:
    """Runs plans on rows the test hands over, as `portal pull` would on a source's rows."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def plan(self, rows: list[RawRow], now: datetime = SAMPLE_NOW, failures: list[SourceFailure] | None = None,
             allow_empty: bool = False) -> Plan:
        result = SourceResult(rows=list(rows), failures=list(failures or []))
        return make_plan(self.config, now, allow_empty, source_result=result)

    def pull(self, rows: list[RawRow], **kwargs) -> Plan:
        plan = self.plan(rows, **kwargs)
        write_plan(plan)
        return plan

    def page(self, type_key: str, slug: str) -> str:
        return (self.config.paths.content / type_key / f"{slug}.md").read_text(encoding="utf-8")

    def pages(self, type_key: str) -> dict[str, str]:
        folder = self.config.paths.content / type_key
        return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.md"))} if folder.exists() else {}


@pytest.fixture
def runner(config: Config) -> Runner:
    return Runner(config)


@dataclass
class SampleSite:
    """The sample portal, pulled and built once per test session, plus the planted leak rows."""

    config: Config
    plan: Plan
    output: Path

    def page(self, url: str) -> str:
        path = self.output / url.lstrip("/") / "index.html" if url.endswith("/") else self.output / url.lstrip("/")
        return path.read_text(encoding="utf-8")

    def items(self, action: str) -> list:
        return [i for i in self.plan.items if i.action.value == action]


def make_sample_portal(root: Path, planted: bool = True) -> Config:
    """A copy of the sample agency in `root`: its data (with planted rows) and its portal.toml."""
    shutil.copytree(ROOT / "data" / "sample", root / "data")
    if planted:
        write_leak_rows(root / "data")
    toml = (ROOT / "portal.toml").read_text(encoding="utf-8").replace('path = "data/sample"', 'path = "data"')
    (root / "portal.toml").write_text(toml, encoding="utf-8")
    return load_config(root / "portal.toml")


def serve_site(server) -> Iterator[str]:
    """Run an HTTP server (from publisher.site.build.make_server or any other) in a thread; yield its base URL."""
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> SampleSite:
    config = make_sample_portal(tmp_path_factory.mktemp("sample"))
    plan = make_plan(config, SAMPLE_NOW)
    write_plan(plan)
    build_site(config, SAMPLE_NOW, annual=annual_reports(config, SAMPLE_NOW))  # as `portal build` previews them
    return SampleSite(config, plan, config.paths.output)
