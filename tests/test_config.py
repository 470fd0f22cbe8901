"""portal.toml: bad configuration fails at start naming the key, the value and what is expected."""

from __future__ import annotations

import ast
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from publisher.cli import cli
from publisher.core.config import NAME_MASKS, Config, ConfigError, load_config
from publisher.core.settings_check import declared_keys
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
    (('url = "https://lyj.example.gov.cn"', 'url = "localhost"'),
     "site.url = 'localhost'：应为完整的 http(s) 网址，例如 https://lyj.example.gov.cn"),
    (('kind = "files"', 'kind = "ftp"'), "sources[0].kind = 'ftp'：应为 files、sql、http、portal 之一"),
    (('path = "data"', 'path = 3'), "sources[0].path = 3：应为文本"),
])
def test_a_bad_value_names_the_key(tmp_path, change, message):
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, MINIMAL_TOML.replace(*change)))
    assert message in str(err.value)


@pytest.mark.parametrize("policy,message", [
    ("[policy]\nname_mask = 'initials'", "policy.name_mask = 'initials'：应为 surname、hidden、none 之一"),
    ("[policy.deadlines]\npenalty = 7", "policy.deadlines.penalty：未知的记录类型"),
    ("[policy.catalogue]\nclasses = ['打板子']", "未知的处罚类别或行政强制类别 ['打板子']"),
    ("[[policy.discretion]]\nviolation_type = 'x'\nmin = 5\nmax = 1", "policy.discretion[0]：应满足 min <= max"),
    ("[policy.display]\nsmall_fine = 'a lot'", "policy.display.small_fine = 'a lot'：应为不小于 0 的金额"),
    ("[policy]\npublish_warnig_only = true", "policy.publish_warnig_only：未知的配置项；可用的配置项："),
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
    with pytest.raises(ConfigError, match=r"sources\[0\]：sql 来源需要.*\[sources.tables\]"):
        load_config(write(tmp_path, sql))
    config = load_config(write(tmp_path, sql + '[sources.tables]\npenalties = "cf"\n'))
    assert config.sources[0].url == f"sqlite:///{tmp_path}/db.sqlite"


def test_a_missing_file_says_so(tmp_path):
    with pytest.raises(ConfigError, match="找不到配置文件"):
        load_config(tmp_path / "nope.toml")


SQL_SOURCE = 'kind = "sql"\nurl = "sqlite:///db.sqlite"\n[sources.tables]\npenalties = "cf"'
HTTP_SOURCE = 'kind = "http"\nurl = "https://api.example.gov.cn/records"'


def portal(tmp_path: Path, *args: str, text: str = MINIMAL_TOML):
    """`portal --config <tmp>/portal.toml ARGS` as a clerk runs it."""
    return CliRunner().invoke(cli, ["--config", str(write(tmp_path, text)), *args])


@pytest.mark.parametrize("text,key,allowed", [
    ("serach = 1\n" + MINIMAL_TOML, "serach",
     "deploy、footer、intake、opendata、paths、policy、rights、schedule、search、site、sources"),
    (MINIMAL_TOML + "[serach]\nbackend = 'tantivy'\n", "serach", "search"),
    (MINIMAL_TOML + "[policy.display]\nshort_month = 3\n", "policy.display.short_month",
     "default_months、short_classes、short_months、small_fine"),
    (MINIMAL_TOML + 'pth = "x"\n', "sources[0].pth", "kind、path"),
    (MINIMAL_TOML.replace('kind = "files"\npath = "data"', SQL_SOURCE.replace("\n[", '\npth = "x"\n[')),
     "sources[0].pth", "full_read_hours、kind、overlap_minutes、queries、tables、updated_at、url"),
    (MINIMAL_TOML.replace('kind = "files"\npath = "data"', HTTP_SOURCE + '\npath = "x"'),
     "sources[0].path", "kind、timeout、types、url"),
    (MINIMAL_TOML + "[[policy.discretion]]\nviolation_type = 'x'\nmin = 0\nmax = 1\nmaxx = 2\n",
     "policy.discretion[0].maxx", "aggravating、basis、max、min、mitigating、party_type、violation_type"),
])
def test_an_unknown_key_at_any_level_stops_every_command_naming_it_and_the_keys_allowed(tmp_path, text, key, allowed):
    for command in ("check", "config"):
        result = portal(tmp_path, command, text=text)
        assert result.exit_code == 2
        assert f"{key}：未知的配置项；可用的配置项：" in result.output and allowed in result.output


def test_each_kind_of_source_loads_with_its_own_keys(tmp_path):
    for source, kind in ((SQL_SOURCE, "sql"), (HTTP_SOURCE + "\ntimeout = 5\ntypes = ['penalties']", "http")):
        config = load_config(write(tmp_path, MINIMAL_TOML.replace('kind = "files"\npath = "data"', source)))
        assert config.sources[0].kind == kind


def test_portal_config_prints_every_declared_setting_with_its_value_default_and_help(tmp_path):
    result = portal(tmp_path, "config")
    assert result.exit_code == 0
    printed = {line.split()[0] for line in result.output.splitlines() if line and not line.startswith((" ", "#"))}
    declared = {key for key, _, _ in declared_keys(Config)}
    assert printed == declared
    assert {"site.url", "sources[].path", "policy.catalogue.classes", "policy.discretion[].min"} <= declared
    block = result.output.split("\npolicy.name_mask\n", 1)[1].split("\n\n", 1)[0]
    assert '当前值："surname"' in block and '默认值："surname"' in block
    assert "可选值：surname、hidden、none" in block and "说明：自然人姓名的脱敏方式" in block
    assert "portal.toml 的每一项配置" in portal(tmp_path, "config", "--help").output


def test_portal_config_never_shows_a_database_password(tmp_path):
    sql = SQL_SOURCE.replace("sqlite:///db.sqlite", "postgresql://portal:s3cret@db/cases")
    output = portal(tmp_path, "config", text=MINIMAL_TOML.replace('kind = "files"\npath = "data"', sql)).output
    assert "s3cret" not in output and "postgresql://portal:***@db/cases" in output


def test_name_mask_accepts_exactly_the_values_portal_toml_documents(tmp_path):
    comment = next(line for line in (ROOT / "portal.toml").read_text(encoding="utf-8").splitlines()
                   if line.startswith("name_mask"))
    documented = [part.split(":")[0].strip() for part in comment.split("#", 1)[1].split("|")]
    assert tuple(documented) == NAME_MASKS == ("surname", "hidden", "none")
    for value in NAME_MASKS:
        config = load_config(write(tmp_path, MINIMAL_TOML + f"[policy]\nname_mask = '{value}'\n"))
        assert config.policy.name_mask == value
    with pytest.raises(ConfigError, match="policy.name_mask = 'given'：应为 surname、hidden、none 之一"):
        load_config(write(tmp_path, MINIMAL_TOML + "[policy]\nname_mask = 'given'\n"))


def test_the_core_does_not_import_the_later_stages():
    later = ("publisher.pull", "publisher.site", "publisher.runs", "plugins")
    for module in (ROOT / "publisher" / "core").glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else \
                [a.name for a in node.names] if isinstance(node, ast.Import) else []
            assert not [n for n in names if n.startswith(later)], module.name


PORTAL_SOURCE = 'kind = "portal"\npath = "agency/public/current"\nagency = "示例县市场监督管理局"\nkey = "scjg"'


@pytest.mark.parametrize("source,message", [
    (PORTAL_SOURCE.replace('path = "agency/public/current"\n', ""), "portal 来源需要 url（该机关网站的网址）或 path"),
    (PORTAL_SOURCE + '\nurl = "https://scjg.example.gov.cn"', "portal 来源需要 url（该机关网站的网址）或 path"),
    (PORTAL_SOURCE.replace('key = "scjg"', 'key = "市监"'), "sources[0].key = '市监'：应为 1 到 16 个小写字母或数字"),
    (PORTAL_SOURCE.replace('key = "scjg"\n', "").replace('\nkey = "scjg"', ""), "sources[0].key：缺少必填的配置项"),
    (PORTAL_SOURCE.replace('path = "agency/public/current"', 'url = "ftp://x"'), "应为 http(s) 网址"),
    (PORTAL_SOURCE + '\npublic_key = "keys/none.pem"', "该文件无法读取"),
    (PORTAL_SOURCE + "\n\n[[sources]]\n" + PORTAL_SOURCE, "key = 'scjg' 用于多个 portal 来源"),
    (PORTAL_SOURCE + '\ntables = { penalties = "cf" }', "sources[0].tables：未知的配置项"),
])
def test_a_portal_source_needs_one_place_a_name_and_a_unique_key(tmp_path, source, message):
    result = portal(tmp_path, "config", text=MINIMAL_TOML.replace('kind = "files"\npath = "data"', source))
    assert result.exit_code == 2 and message in result.output


def test_a_portal_source_loads_with_its_agency_and_a_pinned_fingerprint(tmp_path):
    pin = "ab" * 32
    config = load_config(write(tmp_path, MINIMAL_TOML.replace('kind = "files"\npath = "data"',
                                                               PORTAL_SOURCE + f'\npublic_key = "{pin}"')))
    source = config.sources[0]
    assert (source.kind, source.key, source.public_key) == ("portal", "scjg", pin)
    assert source.agency == "示例县市场监督管理局"
    assert source.path == tmp_path / "agency" / "public" / "current" and source.label == "portal:scjg"
