"""The unified platform's demo (`portal demo --unified`, `make demo-unified`) and its end-to-end test.

Three sample agencies, each its own portal in a folder of its own: 林草局 (data/sample, the bundled
sample), 市场监管局 and 生态环境局 (data/agencies/, scripts/make_agency_samples.py). Each is published
(signed heads, manifest), then a unified platform gathers the three published folders.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from publisher.core.config import Config, load_config
from publisher.runs.publication import publish

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class SampleAgency:
    key: str
    name: str
    toml: Path  # its portal.toml, whose source is a folder `data` beside it once copied
    data: Path


AGENCIES = (
    SampleAgency("lyj", "示例县林业和草原局", ROOT / "portal.toml", ROOT / "data" / "sample"),
    SampleAgency("scjg", "示例县市场监督管理局", ROOT / "data" / "agencies" / "scjg" / "portal.toml",
                 ROOT / "data" / "agencies" / "scjg" / "data"),
    SampleAgency("sthj", "示例县生态环境局", ROOT / "data" / "agencies" / "sthj" / "portal.toml",
                 ROOT / "data" / "agencies" / "sthj" / "data"),
)

UNIFIED_TOML = """# A unified platform: it publishes no records of its own, only its agencies' (issue 19).
[site]
url = "https://zf.example.gov.cn"
name = "示例县行政执法信息公示平台"
agency = "示例县人民政府"
sample_data = true

[paths]
content = "content"
output = "output"
state = ".portal"

[deploy]
path = "public"
"""


def make_agency(root: Path, agency: SampleAgency) -> Config:
    """A copy of a sample agency in root/<key>: its data and its portal.toml."""
    folder = root / agency.key
    shutil.copytree(agency.data, folder / "data")
    text = agency.toml.read_text(encoding="utf-8").replace('path = "data/sample"', 'path = "data"')
    (folder / "portal.toml").write_text(text.replace("lock_timeout = 60", "lock_timeout = 0"), encoding="utf-8")
    return load_config(folder / "portal.toml")


def published_folder(config: Config) -> Path:
    return config.deploy.path / "current"


def make_unified(root: Path, agencies: list[tuple[SampleAgency, Config]], name: str = "unified",
                 places: dict[str, str] | None = None) -> Config:
    """The unified platform's portal.toml in root/<name>: one `portal` source per agency, read from its
    published folder, or from where `places` says (by key: a URL, or another folder)."""
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    places = places or {}

    def where(agency: SampleAgency, config: Config) -> str:
        place = places.get(agency.key, str(published_folder(config)))
        return f'url = "{place}"' if place.startswith(("http://", "https://")) else f'path = "{place}"'

    sources = "".join(f'\n[[sources]]\nkind = "portal"\n{where(agency, config)}\n'
                      f'agency = "{agency.name}"\nkey = "{agency.key}"\n' for agency, config in agencies)
    policy = (ROOT / "portal.toml").read_text(encoding="utf-8").split("\n[policy]\n", 1)[1]
    policy = policy.split("\n[rights]\n", 1)[0]  # the agencies' own rights pages say where to object
    (folder / "portal.toml").write_text(UNIFIED_TOML + sources + "\n[policy]\n" + policy, encoding="utf-8")
    return load_config(folder / "portal.toml")


def build_agencies(root: Path, now: datetime) -> list[tuple[SampleAgency, Config]]:
    """The three sample agencies, each published as its own portal under root."""
    built = []
    for agency in AGENCIES:
        config = make_agency(root, agency)
        publish(config, now, operator="demo")
        built.append((agency, config))
    return built
