"""portal.toml: bad configuration fails at start naming the key, the value and what is expected."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from publisher.core.config import ConfigError, load_config
from tests.conftest import MINIMAL_TOML, ROOT


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "portal.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_sample_configuration_loads_with_paths_relative_to_the_file():
    config = load_config(ROOT / "portal.toml")
    assert config.site.url == "https://lyj.example.gov.cn"
    assert config.paths.content == ROOT / "content"
    assert config.sources[0].path == ROOT / "data" / "sample"
    assert config.policy.catalogue.fine_natural_person == Decimal("1")
    assert {r.violation_type for r in config.policy.discretion} >= {"滥伐林木", "盗伐林木"}


def test_defaults_apply_when_policy_is_absent(tmp_path):
    config = load_config(write(tmp_path, MINIMAL_TOML))
    assert config.policy.deadline_days("penalties") == 7
    assert config.policy.deadline_days("inspections") == 20
    assert config.policy.display.default_months == 36


@pytest.mark.parametrize("change,message", [
    (('url = "https://lyj.example.gov.cn"', 'url = "localhost"'), "site.url = 'localhost'"),
    (('kind = "files"', 'kind = "ftp"'), "sources[0].kind = 'ftp'"),
    (('path = "data"', 'path = 3'), "sources[0].path = 3: expected a string"),
])
def test_a_bad_value_names_the_key(tmp_path, change, message):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, MINIMAL_TOML.replace(*change)))
    assert message in str(err.value)


@pytest.mark.parametrize("policy,message", [
    ("[policy]\nname_mask = 'initials'", "policy.name_mask = 'initials'"),
    ("[policy.deadlines]\npenalty = 7", "policy.deadlines.penalty: unknown record type"),
    ("[policy.catalogue]\nclasses = ['打板子']", "unknown 处罚类别 ['打板子']"),
    ("[[policy.discretion]]\nviolation_type = 'x'\nmin = 5\nmax = 1", "policy.discretion[0]: expected min <= max"),
    ("[policy.display]\nsmall_fine = 'a lot'", "policy.display.small_fine = 'a lot'"),
    ("[policy]\npublish_warnig_only = true", "policy.publish_warnig_only: unknown key"),
    ("[schedule]\ncron = ['0 9 * * 1-5']", ""),
])
def test_a_bad_policy_names_the_key(tmp_path, policy, message):
    text = MINIMAL_TOML + "\n" + policy + "\n"
    if not message:
        load_config(write(tmp_path, text))
        return
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert message in str(err.value)


def test_a_sql_source_needs_tables_or_queries_and_a_relative_sqlite_path_is_beside_the_config(tmp_path):
    sql = MINIMAL_TOML.replace('kind = "files"\npath = "data"', 'kind = "sql"\nurl = "sqlite:///db.sqlite"')
    with pytest.raises(ConfigError, match="sources.tables"):
        load_config(write(tmp_path, sql))
    config = load_config(write(tmp_path, sql + '[sources.tables]\npenalties = "cf"\n'))
    assert config.sources[0].url == f"sqlite:///{tmp_path}/db.sqlite"


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")
