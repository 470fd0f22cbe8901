"""`portal.toml`, validated once into typed objects that the rest of the code is handed.

Bad configuration fails at start with the key, the value and what is expected.
Paths inside the file are relative to the file.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from publisher.core.schema import PENALTY_CLASSES, RECORD_TYPES


class ConfigError(ValueError):
    """A key of portal.toml is missing or has a value the portal cannot use."""


@dataclass(frozen=True)
class SiteConfig:
    url: str
    name: str
    agency: str
    sample_data: bool = False
    timezone: str = "Asia/Shanghai"  # the run's clock: embargoes and deadlines are local time


@dataclass(frozen=True)
class FooterConfig:
    host: str = ""  # 主办单位
    site_code: str = ""  # 政府网站标识码
    icp: str = ""  # ICP备案号
    police_record: str = ""  # 公安机关备案号
    contact: str = ""
    address: str = ""
    supervision_phone: str = ""


@dataclass(frozen=True)
class PathsConfig:
    content: Path
    output: Path
    state: Path  # run reports and, later, the ledger; never served


@dataclass(frozen=True)
class SourceConfig:
    kind: str  # files | sql | http
    label: str  # how reports name the source, e.g. "files:data/sample"
    path: Path | None = None  # files
    url: str | None = None  # sql (SQLAlchemy URL) or http
    tables: dict[str, str] = field(default_factory=dict)  # sql: type -> table
    queries: dict[str, str] = field(default_factory=dict)  # sql: type -> SELECT
    timeout: float = 30.0  # http
    types: tuple[str, ...] = ()  # http: the types this endpoint provides (for stopping on failure)


@dataclass(frozen=True)
class FineRange:
    """A discretion benchmark (裁量基准): the fine range in 万元 for a violation type."""

    violation_type: str
    minimum: Decimal
    maximum: Decimal
    party_type: str | None = None  # None: any party


@dataclass(frozen=True)
class Catalogue:
    """The legal-review catalogue (重大执法决定目录): what makes a decision major."""

    fine_natural_person: Decimal = Decimal("1")  # 万元
    fine_organisation: Decimal = Decimal("10")
    classes: tuple[str, ...] = ("吊销许可证件", "责令停产停业", "责令关闭")
    hearing_is_major: bool = True


@dataclass(frozen=True)
class DisplayPeriods:
    """How long a penalty stays shown when it has no 公示截止期 (DOMAIN: 市场监管 model)."""

    default_months: int = 36
    short_months: int = 3
    short_classes: tuple[str, ...] = ("通报批评",)  # only these (and small fines) -> short
    small_fine: Decimal = Decimal("1")  # 万元; a fine at or below is "small"


@dataclass(frozen=True)
class Policy:
    publish_warning_only: bool = False
    publish_simple_procedure: bool = False
    name_mask: str = "surname"  # surname | given | none
    deadlines: dict[str, int] = field(default_factory=dict)  # type -> working days
    withdrawal_days: int = 3
    catalogue: Catalogue = field(default_factory=Catalogue)
    display: DisplayPeriods = field(default_factory=DisplayPeriods)
    discretion: tuple[FineRange, ...] = ()

    def deadline_days(self, type_key: str) -> int:
        return self.deadlines.get(type_key, RECORD_TYPES[type_key].deadline_days)


@dataclass(frozen=True)
class DeployConfig:
    """Where `portal publish` puts releases: <path>/releases/<id>, served through <path>/current."""

    path: Path
    keep: int = 5  # releases kept for rollback
    lock_timeout: float = 0.0  # seconds a second run waits for the first; 0 = refuse at once
    rsync: str = ""  # optional `host:/dir` or `/dir` the current release is mirrored to


@dataclass(frozen=True)
class ScheduleConfig:
    cron: tuple[str, ...] = ()
    working_days_only: bool = True  # skip weekends and holidays; 调休 Saturdays count as working days


@dataclass(frozen=True)
class OpenDataConfig:
    licence: str = "知识共享 署名 4.0 国际许可协议（CC BY 4.0）"
    licence_url: str = "https://creativecommons.org/licenses/by/4.0/deed.zh-hans"


@dataclass(frozen=True)
class SearchConfig:
    backend: str = "whoosh"  # the service index's engine: whoosh (DESIGN §5), or tantivy for province scale
    static_fallback: bool = True  # the plain-file index; rebuilt whole on every change (docs/scaling.md)


@dataclass(frozen=True)
class Config:
    path: Path
    site: SiteConfig
    footer: FooterConfig
    paths: PathsConfig
    sources: tuple[SourceConfig, ...]
    policy: Policy
    deploy: DeployConfig
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    opendata: OpenDataConfig = field(default_factory=OpenDataConfig)
    search: SearchConfig = field(default_factory=SearchConfig)
    raw: dict[str, Any] = field(repr=False, default_factory=dict)  # for later issues' sections


NAME_MASKS = ("surname", "given", "none")


def load_config(path: str | Path) -> Config:
    """Read and validate portal.toml; raise ConfigError naming the key on any problem."""
    path = Path(path).resolve()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found (use --config PATH)") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_config(data, path)


def parse_config(data: dict[str, Any], path: Path) -> Config:
    base = path.parent
    site = _table(data, "site")
    url = _str(site, "site.url", required=True)
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(f"site.url = {url!r}: expected an absolute http(s) URL such as https://lyj.example.gov.cn")
    paths = _table(data, "paths")
    sources = data.get("sources", [])
    if not isinstance(sources, list) or not sources:
        raise ConfigError("sources: expected at least one [[sources]] table with kind = files | sql | http")
    return Config(
        path=path,
        site=SiteConfig(
            url=url.rstrip("/"),
            name=_str(site, "site.name", default="行政执法公示平台"),
            agency=_str(site, "site.agency", default=""),
            sample_data=_bool(site, "site.sample_data", False),
            timezone=_timezone(_str(site, "site.timezone", default="Asia/Shanghai")),
        ),
        footer=FooterConfig(**{k: _str(_table(data, "footer"), f"footer.{k}", default="")
                               for k in FooterConfig.__dataclass_fields__}),
        paths=PathsConfig(
            content=base / _str(paths, "paths.content", default="content"),
            output=base / _str(paths, "paths.output", default="output"),
            state=base / _str(paths, "paths.state", default=".portal"),
        ),
        sources=tuple(_source(s, i, base) for i, s in enumerate(sources)),
        policy=_policy(_table(data, "policy")),
        deploy=_deploy(_table(data, "deploy"), base),
        schedule=_schedule(_table(data, "schedule")),
        opendata=_opendata(_table(data, "opendata")),
        search=_search(_table(data, "search")),
        raw=data,
    )


def _deploy(d: dict[str, Any], base: Path) -> DeployConfig:
    timeout = d.get("lock_timeout", 0)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout < 0:
        raise ConfigError(f"deploy.lock_timeout = {timeout!r}: expected seconds >= 0")
    return DeployConfig(
        path=base / _str(d, "deploy.path", default="public"),
        keep=_positive_int(d.get("keep", 5), "deploy.keep"),
        lock_timeout=float(timeout),
        rsync=_str(d, "deploy.rsync", default=""),
    )


def _schedule(d: dict[str, Any]) -> ScheduleConfig:
    from cronsim import CronSim, CronSimError

    cron = d.get("cron", [])
    if isinstance(cron, str):
        cron = [cron]
    if not isinstance(cron, list) or not all(isinstance(c, str) for c in cron):
        raise ConfigError(f"schedule.cron = {cron!r}: expected a list of cron expressions like \"0 9 * * 1-5\"")
    for expr in cron:
        try:
            CronSim(expr, datetime(2026, 1, 1))
        except CronSimError as exc:
            raise ConfigError(f"schedule.cron: {expr!r} is not a cron expression ({exc})") from None
    return ScheduleConfig(tuple(cron), _bool(d, "schedule.working_days_only", True))


def _opendata(d: dict[str, Any]) -> OpenDataConfig:
    if "licence" in d and "licence_url" not in d:
        return OpenDataConfig(_str(d, "opendata.licence"), "")  # a named licence with no page of its own
    return OpenDataConfig(_str(d, "opendata.licence", default=OpenDataConfig.licence),
                          _str(d, "opendata.licence_url", default=OpenDataConfig.licence_url))


def _search(d: dict[str, Any]) -> SearchConfig:
    backend = _str(d, "search.backend", default=SearchConfig.backend)
    if backend not in ("whoosh", "tantivy"):  # publisher.site.search.store.BACKENDS
        raise ConfigError(f"search.backend = {backend!r}: expected whoosh or tantivy")
    return SearchConfig(backend, _bool(d, "search.static_fallback", SearchConfig.static_fallback))


def _source(s: Any, i: int, base: Path) -> SourceConfig:
    key = f"sources[{i}]"
    if not isinstance(s, dict):
        raise ConfigError(f"{key}: expected a table")
    kind = _str(s, f"{key}.kind", required=True)
    if kind == "files":
        rel = _str(s, f"{key}.path", required=True)
        return SourceConfig(kind, f"files:{rel}", path=base / rel)
    if kind == "sql":
        url = _str(s, f"{key}.url", required=True)
        # A relative SQLite path is relative to portal.toml, like every other path.
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
            url = f"sqlite:///{base / url[len('sqlite:///'):]}"
        tables = _type_map(s, f"{key}.tables")
        queries = _type_map(s, f"{key}.queries")
        if not tables and not queries:
            raise ConfigError(f"{key}: a sql source needs [sources.tables] or [sources.queries] by record type")
        return SourceConfig(kind, f"sql:{_redact_url(url)}", url=url, tables=tables, queries=queries)
    if kind == "http":
        url = _str(s, f"{key}.url", required=True)
        if urlparse(url).scheme not in ("http", "https"):
            raise ConfigError(f"{key}.url = {url!r}: expected an http(s) URL")
        types = s.get("types", [])
        if not isinstance(types, list) or any(t not in RECORD_TYPES for t in types):
            raise ConfigError(f"{key}.types = {types!r}: expected a list of {', '.join(RECORD_TYPES)}")
        timeout = s.get("timeout", 30)
        if not isinstance(timeout, int | float) or timeout <= 0:
            raise ConfigError(f"{key}.timeout = {timeout!r}: expected a positive number of seconds")
        return SourceConfig(kind, f"http:{url}", url=url, timeout=float(timeout), types=tuple(types))
    raise ConfigError(f"{key}.kind = {kind!r}: expected one of files, sql, http")


def _policy(p: dict[str, Any]) -> Policy:
    name_mask = _str(p, "policy.name_mask", default="surname")
    if name_mask not in NAME_MASKS:
        raise ConfigError(f"policy.name_mask = {name_mask!r}: expected one of {', '.join(NAME_MASKS)}")
    deadlines = p.get("deadlines", {})
    if not isinstance(deadlines, dict):
        raise ConfigError("policy.deadlines: expected a table of record type = working days")
    for k, v in deadlines.items():
        if k not in RECORD_TYPES:
            raise ConfigError(f"policy.deadlines.{k}: unknown record type; expected one of {', '.join(RECORD_TYPES)}")
        _positive_int(v, f"policy.deadlines.{k}")
    cat = _table(p, "catalogue", "policy.catalogue")
    classes = tuple(cat.get("classes", Catalogue.classes))
    _known_classes(classes, "policy.catalogue.classes")
    disp = _table(p, "display", "policy.display")
    short = tuple(disp.get("short_classes", DisplayPeriods.short_classes))
    _known_classes(short, "policy.display.short_classes")
    ranges = []
    for i, r in enumerate(p.get("discretion", [])):
        key = f"policy.discretion[{i}]"
        if not isinstance(r, dict):
            raise ConfigError(f"{key}: expected a table with violation_type, min and max")
        lo, hi = _money(r, f"{key}.min"), _money(r, f"{key}.max")
        if lo is None or hi is None or lo > hi:
            raise ConfigError(f"{key}: expected min <= max (万元), got min={r.get('min')!r} max={r.get('max')!r}")
        ranges.append(FineRange(_str(r, f"{key}.violation_type", required=True), lo, hi,
                                _str(r, f"{key}.party_type", default="") or None))
    return Policy(
        publish_warning_only=_bool(p, "policy.publish_warning_only", False),
        publish_simple_procedure=_bool(p, "policy.publish_simple_procedure", False),
        name_mask=name_mask,
        deadlines=dict(deadlines),
        withdrawal_days=_positive_int(p.get("withdrawal_days", 3), "policy.withdrawal_days"),
        catalogue=Catalogue(
            fine_natural_person=_money(cat, "policy.catalogue.fine_natural_person", Catalogue.fine_natural_person),
            fine_organisation=_money(cat, "policy.catalogue.fine_organisation", Catalogue.fine_organisation),
            classes=classes,
            hearing_is_major=_bool(cat, "policy.catalogue.hearing_is_major", True),
        ),
        display=DisplayPeriods(
            default_months=_positive_int(disp.get("default_months", 36), "policy.display.default_months"),
            short_months=_positive_int(disp.get("short_months", 3), "policy.display.short_months"),
            short_classes=short,
            small_fine=_money(disp, "policy.display.small_fine", DisplayPeriods.small_fine),
        ),
        discretion=tuple(ranges),
    )


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"site.timezone = {name!r}: expected an IANA time zone such as Asia/Shanghai") from None
    return name


_KNOWN_KEYS = {
    "site": {"url", "name", "agency", "sample_data", "timezone"},
    "footer": set(FooterConfig.__dataclass_fields__),
    "paths": {"content", "output", "state"},
    "policy": {"publish_warning_only", "publish_simple_procedure", "name_mask", "deadlines", "withdrawal_days",
               "catalogue", "display", "discretion"},
    "policy.catalogue": {"fine_natural_person", "fine_organisation", "classes", "hearing_is_major"},
    "policy.display": {"default_months", "short_months", "short_classes", "small_fine"},
    "deploy": {"path", "keep", "lock_timeout", "rsync"},
    "schedule": {"cron", "working_days_only"},
    "opendata": {"licence", "licence_url"},
    "search": {"backend", "static_fallback"},
}


def _table(data: dict[str, Any], name: str, key: str | None = None) -> dict[str, Any]:
    """A sub-table; a misspelt key in it is an error, not a silently ignored setting."""
    key = key or name
    value = data.get(name, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a table, got {value!r}")
    unknown = sorted(set(value) - _KNOWN_KEYS.get(key, set(value)))
    if unknown:
        raise ConfigError(f"{key}.{unknown[0]}: unknown key; expected one of {', '.join(sorted(_KNOWN_KEYS[key]))}")
    return value


def _str(data: dict[str, Any], key: str, *, required: bool = False, default: str = "") -> str:
    name = key.rsplit(".", 1)[-1]
    if name not in data:
        if required:
            raise ConfigError(f"{key}: required key is missing")
        return default
    value = data[name]
    if not isinstance(value, str):
        raise ConfigError(f"{key} = {value!r}: expected a string")
    return value


def _bool(data: dict[str, Any], key: str, default: bool) -> bool:
    value = data.get(key.rsplit(".", 1)[-1], default)
    if not isinstance(value, bool):
        raise ConfigError(f"{key} = {value!r}: expected true or false")
    return value


def _positive_int(value: Any, key: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ConfigError(f"{key} = {value!r}: expected a positive whole number")
    return value


def _money(data: dict[str, Any], key: str, default: Decimal | None = None) -> Decimal | None:
    name = key.rsplit(".", 1)[-1]
    if name not in data:
        return default
    value = data[name]
    try:
        if isinstance(value, bool):
            raise InvalidOperation
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ConfigError(f"{key} = {value!r}: expected an amount in 万元, e.g. 0.5") from None
    if amount < 0:
        raise ConfigError(f"{key} = {value!r}: expected an amount >= 0")
    return amount


def _type_map(s: dict[str, Any], key: str) -> dict[str, str]:
    value = s.get(key.rsplit(".", 1)[-1], {})
    if not isinstance(value, dict):
        raise ConfigError(f"{key}: expected a table of record type = name")
    for k, v in value.items():
        if k not in RECORD_TYPES:
            raise ConfigError(f"{key}.{k}: unknown record type; expected one of {', '.join(RECORD_TYPES)}")
        if not isinstance(v, str) or not v.strip():
            raise ConfigError(f"{key}.{k} = {v!r}: expected a table name or a SELECT statement")
    return dict(value)


def _known_classes(classes: tuple[str, ...], key: str) -> None:
    unknown = [c for c in classes if c not in PENALTY_CLASSES]
    if unknown:
        raise ConfigError(f"{key} = {list(classes)!r}: unknown 处罚类别 {unknown}; "
                          f"expected from {', '.join(PENALTY_CLASSES)}")


def _redact_url(url: str) -> str:
    """Drop a password from a database URL before it appears in reports."""
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url
