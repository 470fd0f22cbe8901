"""`portal.toml`, validated once into typed objects that the rest of the code is handed.

Each setting is declared once below, with its type, default, allowed values and help text;
parsing, the checks, the unknown-key errors and `portal config` all come from that declaration
(publisher.core.settings_check). Paths inside the file are relative to the file.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from publisher.core.checkcodes import credit_code_problem
from publisher.core.schema import COERCION_CLASSES, PENALTY_CLASSES, RECORD_TYPES
from publisher.core.settings_check import ConfigError, describe_settings, parse_table, section, setting, show

NAME_MASKS = ("surname", "hidden", "none")  # publisher.pull.redaction.mask_name
_TYPES = tuple(RECORD_TYPES)


def _site_url(url: str) -> str:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ValueError("应为完整的 http(s) 网址，例如 https://lyj.example.gov.cn")
    return url.rstrip("/")


def _timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("应为 IANA 时区名称，例如 Asia/Shanghai") from None
    return name


def _cron(expr: str) -> str:
    from cronsim import CronSim, CronSimError

    try:
        CronSim(expr, datetime(2026, 1, 1))
    except CronSimError as exc:
        raise ValueError(f"不是有效的 cron 表达式（{exc}），应写作 \"分 时 日 月 周\"，例如 \"0 9 * * 1-5\"") from None
    return expr


def _positive(value: int | float) -> int | float:
    if value <= 0:
        raise ValueError("应为大于 0 的数")
    return value


def _not_negative(value: float) -> float:
    if value < 0:
        raise ValueError("应为不小于 0 的秒数")
    return value


def _credit_code(value: str) -> str:
    problem = credit_code_problem(value.strip().upper()) if value.strip() else None
    if problem:
        raise ValueError(f"不是有效的统一社会信用代码：{problem}")
    return value.strip().upper()


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("应为表名或 SELECT 语句")
    return value


@dataclass(frozen=True)
class SiteConfig:
    url: str = setting(help="网站的完整网址；二维码和订阅源都指向这里", check=_site_url)
    name: str = setting("行政执法公示平台", help="网站名称，显示在每页的页头")
    agency: str = setting("", help="公示机关的全称")
    agency_code: str = setting("", check=_credit_code,
                               help="公示机关的统一社会信用代码；记录未填“数据来源单位”及其代码时，用公示机关补齐")
    sample_data: bool = setting(False, help="网站是否显示“本站为虚构的示例数据”的提示")
    timezone: str = setting("Asia/Shanghai", check=_timezone,
                            help="运行时钟所用的时区（IANA 名称）；暂缓公开和公示时限都按当地时间计算")


@dataclass(frozen=True)
class FooterConfig:
    host: str = setting("", help="主办单位")
    site_code: str = setting("", help="政府网站标识码")
    icp: str = setting("", help="ICP备案号")
    police_record: str = setting("", help="公安机关备案号")
    contact: str = setting("", help="联系电话")
    address: str = setting("", help="联系地址")
    supervision_phone: str = setting("", help="监督电话")


@dataclass(frozen=True)
class PathsConfig:
    content: Path = setting(Path("content"), help="portal pull 写入 Markdown 的文件夹")
    output: Path = setting(Path("output"), help="portal build 生成网站的文件夹")
    state: Path = setting(Path(".portal"), help="运行报告和账本所在的文件夹；不对外公开")


def _agency_key(value: str) -> str:
    if not re.fullmatch(r"[a-z0-9]{1,16}", value):
        raise ValueError("应为 1 到 16 个小写字母或数字，例如 lyj；用于网址和筛选")
    return value


def _agency_name(value: str) -> str:
    if not value.strip():
        raise ValueError("应为该机关的全称，例如 示例县林业和草原局")
    return value.strip()


@dataclass(frozen=True)
class SourceConfig:
    kind: str = setting(help="数据来源的类型：files 文件夹（CSV、XLSX、JSON），sql 数据库，http 接口，"
                             "portal 另一个机关已发布的公示网站（统一平台汇集各机关）",
                        choices=("files", "sql", "http", "portal"))
    label: str  # derived: how reports name the source, e.g. "files:data/sample"
    path: Path | None = setting(None, kinds=("files", "portal"), required=False,
                                help="files：存放数据文件的文件夹（必填）；portal：该机关已发布的网站版本所在的文件夹"
                                     "（如 public/current），与 url 二选一")
    url: str | None = setting(None, kinds=("sql", "http", "portal"), required=False,
                              help="sql：SQLAlchemy 数据库地址，如 sqlite:///data/sample.sqlite（相对路径以 "
                                   "portal.toml 所在文件夹为准）；http：接口的 http(s) 网址；"
                                   "portal：该机关公示网站的 https 网址，与 path 二选一")
    tables: dict[str, str] = setting({}, kinds=("sql",), choices=_TYPES, noun="记录类型", check=_not_blank,
                                     help="按记录类型读取的数据表，如 penalties = \"cf\"；与 queries 至少设一项")
    queries: dict[str, str] = setting({}, kinds=("sql",), choices=_TYPES, noun="记录类型", check=_not_blank,
                                      help="按记录类型读取的 SELECT 语句；与 tables 至少设一项")
    updated_at: str | None = setting(None, kinds=("sql",), check=lambda v: v.strip() or None,
                                     help="可选：记录最后修改时间的列名（如 updated_at）；设了之后每次只读取上次以来"
                                          "改过的行和全部记录的编号（删除的记录照样撤回），定期和发现异常时全部读取")
    overlap_minutes: float = setting(60.0, kinds=("sql",), check=_positive,
                                     help="按修改时间读取时，向前多读的分钟数：抵消写入方时钟偏慢或长事务晚提交")
    full_read_hours: float = setting(24.0, kinds=("sql",), check=_positive,
                                     help="按修改时间读取时，每隔多少小时全部读取一次，并核对有没有漏读的修改")
    timeout: float = setting(30.0, kinds=("http", "portal"), check=_positive, help="等待接口或网站应答的秒数")
    types: tuple[str, ...] = setting((), kinds=("http",), choices=_TYPES, noun="记录类型",
                                     help="这个接口提供的记录类型；接口出错时，只停止这些类型的公示")
    agency: str = setting("", kinds=("portal",), required=True, check=_agency_name,
                          help="portal：该机关的全称，显示在它的每条记录旁")
    key: str = setting("", kinds=("portal",), required=True, check=_agency_key,
                       help="portal：该机关的简称代码（小写字母和数字），用于网址、筛选和记录编号，如 lyj")
    public_key: str = setting("", kinds=("portal",),
                              help="portal：可选，固定该机关的签名公钥：公钥文件（.pem）的路径，或其 SHA-256 指纹；"
                                   "不设则首次见到的公钥被记下，此后不得更换")

    @staticmethod
    def finish(values: dict[str, Any], table: dict[str, Any], key: str, base: Path) -> dict[str, Any]:
        kind, url = values["kind"], values.get("url")
        if kind == "files":
            if values.get("path") is None:
                raise ConfigError(f"{key}.path：缺少必填的配置项")
            return {**values, "label": f"files:{table['path']}"}
        if kind == "portal":
            return _portal_source(values, table, key, base)
        if url is None:
            raise ConfigError(f"{key}.url：缺少必填的配置项")
        if kind == "http":
            if urlparse(url).scheme not in ("http", "https"):
                raise ConfigError(f"{key}.url = {url!r}：应为 http(s) 网址")
            return {**values, "label": f"http:{url}"}
        # A relative SQLite path is relative to portal.toml, like every other path.
        if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and url != "sqlite:///:memory:":
            url = f"sqlite:///{base / url[len('sqlite:///'):]}"
        if not values["tables"] and not values["queries"]:
            raise ConfigError(f"{key}：sql 来源需要按记录类型设置 [sources.tables] 或 [sources.queries]")
        return {**values, "url": url, "label": f"sql:{_redact_url(url)}"}


def _portal_source(values: dict[str, Any], table: dict[str, Any], key: str, base: Path) -> dict[str, Any]:
    """A `portal` source: exactly one of url and path; a pinned key given as a .pem file is read here."""
    url, path = values.get("url"), values.get("path")
    if (url is None) == (path is None):
        raise ConfigError(f"{key}：portal 来源需要 url（该机关网站的网址）或 path（已发布版本的文件夹）二者之一")
    if url is not None:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(f"{key}.url = {url!r}：应为 http(s) 网址，例如 https://scjg.example.gov.cn")
        values = {**values, "url": url.rstrip("/")}
    pinned = values["public_key"].strip()
    if pinned and not re.fullmatch(r"(sha256:)?[0-9a-fA-F]{64}", pinned):
        pem = base / pinned
        try:
            pinned = pem.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            raise ConfigError(f"{key}.public_key = {table['public_key']!r}：应为公钥文件（.pem）的路径或 "
                              "64 位十六进制的 SHA-256 指纹，该文件无法读取") from None
    return {**values, "public_key": pinned, "label": f"portal:{values['key']}"}


@dataclass(frozen=True)
class FineRange:
    """A discretion benchmark (裁量基准): the fine range in 万元 for a violation type."""

    violation_type: str = setting(help="违法行为类型，与处罚记录中的违法行为类型一致")
    minimum: Decimal = setting(key="min", help="罚款下限（万元）")
    maximum: Decimal = setting(key="max", help="罚款上限（万元）")
    party_type: str | None = setting(None, check=lambda v: v or None,
                                     help="只适用于这一当事人类型（如 自然人）；不设则适用于所有当事人")
    basis: str = setting("", help="裁量依据：法律、法规、规章的条款，在网站的裁量基准页公开")
    aggravating: tuple[str, ...] = setting((), str_as_list=True, help="从重处罚的情节，每项一条，在裁量基准页公开")
    mitigating: tuple[str, ...] = setting((), str_as_list=True,
                                          help="从轻或者减轻处罚的情节，每项一条，在裁量基准页公开")

    def position(self, fine: Decimal | str) -> str:
        """Where a fine (万元) sits in this range: below | within | above."""
        amount = Decimal(str(fine))
        return "below" if amount < self.minimum else "above" if amount > self.maximum else "within"

    @staticmethod
    def finish(values: dict[str, Any], table: dict[str, Any], key: str, base: Path) -> dict[str, Any]:
        if values["minimum"] > values["maximum"]:
            raise ConfigError(f"{key}：应满足 min <= max（万元），现为 min = {table['min']!r}、max = {table['max']!r}")
        return values


@dataclass(frozen=True)
class Catalogue:
    """The legal-review catalogue (重大执法决定目录): what makes a decision major."""

    fine_natural_person: Decimal = setting(Decimal("1"), help="对自然人罚款达到此数额（万元）即为重大执法决定")
    fine_organisation: Decimal = setting(Decimal("10"), help="对法人及非法人组织罚款达到此数额（万元）即为重大执法决定")
    classes: tuple[str, ...] = setting(("吊销许可证件", "责令停产停业", "责令关闭"),
                                       choices=PENALTY_CLASSES + COERCION_CLASSES, noun="处罚类别或行政强制类别",
                                       help="属于重大执法决定的处罚类别和行政强制类别")
    hearing_is_major: bool = setting(True, help="经过听证的决定是否为重大执法决定")


@dataclass(frozen=True)
class DisplayPeriods:
    """How long a penalty stays shown when it has no 公示截止期 (DOMAIN: 市场监管 model)."""

    default_months: int = setting(36, check=_positive, help="处罚没有公示截止期时，公示的月数")
    short_months: int = setting(3, check=_positive, help="只有通报批评或小额罚款的处罚，公示的月数")
    short_classes: tuple[str, ...] = setting(("通报批评",), choices=PENALTY_CLASSES, noun="处罚类别",
                                             help="只含这些处罚类别（或小额罚款）的处罚按较短期限公示")
    small_fine: Decimal = setting(Decimal("1"), help="罚款不超过此数额（万元）即为小额罚款")


@dataclass(frozen=True)
class CreditRepair:
    """信用修复: how soon a party may apply to have a penalty removed early (national credit-repair rules)."""

    general_months: int = setting(3, check=_positive,
                                  help="一般失信行为的行政处罚信息最短公示期（月），期满后可申请信用修复")
    serious_months: int = setting(12, check=_positive, help="严重失信行为的行政处罚信息最短公示期（月）")
    serious_classes: tuple[str, ...] = setting(("责令关闭", "限制开展生产经营活动", "行政拘留"),
                                               choices=PENALTY_CLASSES, noun="处罚类别",
                                               help="含这些处罚类别的处罚按严重失信行为计算最短公示期")
    serious_fine: Decimal = setting(Decimal("0"), help="罚款达到此数额（万元）按严重失信行为计算；0 表示不按金额区分")
    serious_violation_types: tuple[str, ...] = setting((), help="按严重失信行为计算的违法行为类型（领域）")
    no_early_removal: tuple[str, ...] = setting(("责令停产停业", "吊销许可证件", "降低资质等级", "限制从业"),
                                                choices=PENALTY_CLASSES, noun="处罚类别",
                                                help="含这些处罚类别的处罚不得申请提前停止公示")
    route: str = setting("当事人可在最短公示期届满后，向作出处罚决定的机关或通过“信用中国”网站申请信用修复",
                         help="申请信用修复的途径，显示在处罚页面和当事人页面")
    url: str = setting("https://www.creditchina.gov.cn/", help="申请信用修复的网址；为空则不显示链接")


@dataclass(frozen=True)
class Policy:
    publish_warning_only: bool = setting(False, help="是否公开仅给予警告的处罚（市场监管的做法是不公开）")
    publish_simple_procedure: bool = setting(False, help="是否公开简易程序作出的处罚")
    name_mask: str = setting("surname", choices=NAME_MASKS,
                             help="自然人姓名的脱敏方式：surname 保留姓氏（张**，复姓保留两字），"
                                  "hidden 全部隐去（***），none 不脱敏")
    deadlines: dict[str, int] = setting({}, choices=_TYPES, noun="记录类型", check=_positive,
                                        help="作出决定后多少个工作日内公示，按记录类型设置；不设则用各类型的法定时限")
    withdrawal_days: int = setting(3, check=_positive, help="决定被撤销、变更后多少个工作日内撤下公示")
    catalogue: Catalogue = section("重大执法决定法制审核目录", Catalogue)
    display: DisplayPeriods = section("处罚没有公示截止期时的公示期限", DisplayPeriods)
    credit_repair: CreditRepair = section("信用修复：最短公示期和申请途径", CreditRepair)
    discretion: tuple[FineRange, ...] = setting((), help="裁量基准：按违法行为类型（可再分当事人类型）的罚款幅度；"
                                                     "超出幅度的处罚在报告中提醒")

    def deadline_days(self, type_key: str) -> int:
        return self.deadlines.get(type_key, RECORD_TYPES[type_key].deadline_days)

    def fine_range(self, violation_type: object, party_type: object) -> FineRange | None:
        """The discretion range a penalty falls under: the one for its party type, else the general one."""
        ranges = [r for r in self.discretion if r.violation_type == violation_type]
        return (next((r for r in ranges if r.party_type == party_type), None)
                or next((r for r in ranges if r.party_type is None), None))


@dataclass(frozen=True)
class RightsConfig:
    """What a party may do about a decision or its publication (救济渠道 and 异议), shown on decision pages."""

    objection: str = setting("对公示信息有异议的，可向本机关提出，并提供相关证明材料；本机关核实后更正或撤回",
                             help="对公示信息提出异议的途径")
    objection_phone: str = setting("", help="受理异议的电话；为空则用页脚的联系电话")
    objection_url: str = setting("", help="在线提出异议的网址；可为空")
    review_body: str = setting("本级人民政府", help="受理行政复议的机关（行政复议法：知道决定之日起60日内申请）")
    court: str = setting("有管辖权的人民法院", help="受理行政诉讼的人民法院（行政诉讼法：知道决定之日起6个月内起诉）")
    review_days: int = setting(60, check=_positive, help="申请行政复议的期限（日）")
    litigation_months: int = setting(6, check=_positive, help="提起行政诉讼的期限（月）")


@dataclass(frozen=True)
class DeployConfig:
    """Where `portal publish` puts releases: <path>/releases/<id>, served through <path>/current."""

    path: Path = setting(Path("public"), help="发布版本所在的文件夹：releases/<版本>/ 和 nginx 指向的 current")
    keep: int = setting(5, check=_positive, help="保留多少个旧版本，供 portal rollback 回退")
    lock_timeout: float = setting(0.0, check=_not_negative,
                                  help="另一次运行正在进行时，等待它结束的秒数；0 表示立即放弃")
    rsync: str = setting("", help="可选：每个版本同步到的网站服务器，写作 host:/dir 或 /dir")


@dataclass(frozen=True)
class ScheduleConfig:
    cron: tuple[str, ...] = setting((), check=_cron, str_as_list=True,
                                    help="portal schedule 定时发布的时间，cron 表达式的列表，例如 [\"0 9 * * *\"]")
    working_days_only: bool = setting(True, help="只在工作日运行：跳过周末和法定节假日，调休上班的周六照常运行")


@dataclass(frozen=True)
class OpenDataConfig:
    licence: str = setting("知识共享 署名 4.0 国际许可协议（CC BY 4.0）", help="开放数据的许可协议名称")
    licence_url: str = setting("https://creativecommons.org/licenses/by/4.0/deed.zh-hans",
                               help="许可协议的网址；只设了 licence 而没有设它时为空")

    @staticmethod
    def finish(values: dict[str, Any], table: dict[str, Any], key: str, base: Path) -> dict[str, Any]:
        if "licence" in table and "licence_url" not in table:  # a named licence with no page of its own
            return {**values, "licence_url": ""}
        return values


@dataclass(frozen=True)
class SearchConfig:
    backend: str = setting("whoosh", choices=("whoosh", "tantivy"),  # publisher.site.search.store.BACKENDS
                           help="站内搜索的引擎：whoosh，或适合全省规模数据的 tantivy（docs/scaling.md）")
    static_fallback: bool = setting(True, help="是否同时生成纯文件的搜索索引，不运行 portal serve 也能搜索；"
                                               "每次变化都整体重建")


def _share(value: float) -> float:
    if not 0 < value <= 1:
        raise ValueError("应为 0 到 1 之间的比例，例如 0.1 表示 10%")
    return value


@dataclass(frozen=True)
class IntakeConfig:
    """Limits at the boundary between the sources and validation: what one row or one run may do."""

    max_cell_chars: int = setting(20_000, check=_positive, help="一个单元格最多的字符数；超过的行被拒绝并报告")
    max_row_chars: int = setting(100_000, check=_positive, help="一行所有单元格合计最多的字符数；超过的行被拒绝并报告")
    max_file_mb: int = setting(200, check=_positive, help="一个数据文件最大的兆字节数（XLSX 按解压后计算）；"
                                                          "超过的文件不读取，其记录类型本次停止更新")
    withdraw_share: float = setting(0.1, check=_share,
                                    help="一次运行中，因数据源里没有了而撤回的记录占该类已公开记录的比例上限；"
                                         "超过时该类本次停止更新（确需撤回时使用 --allow-mass-withdrawal）")
    withdraw_floor: int = setting(5, check=_positive, help="撤回不到这么多条时，不受上述比例限制")


@dataclass(frozen=True)
class Config:
    path: Path  # derived: the portal.toml read
    site: SiteConfig = section("网站")
    footer: FooterConfig = section("每页页脚的网站标识")
    paths: PathsConfig = section("文件夹，相对于 portal.toml 所在的文件夹")
    sources: tuple[SourceConfig, ...] = setting(help="数据来源，每个来源一个 [[sources]] 表")
    policy: Policy = section("公示规则")
    deploy: DeployConfig = section("portal publish 发布的版本")
    schedule: ScheduleConfig = section("portal schedule 定时发布", ScheduleConfig)
    opendata: OpenDataConfig = section("开放数据", OpenDataConfig)
    search: SearchConfig = section("站内搜索", SearchConfig)
    intake: IntakeConfig = section("读取数据源的安全限制", IntakeConfig)
    rights: RightsConfig = section("当事人的权利：异议和救济渠道", RightsConfig)
    raw: dict[str, Any] = field(repr=False, default_factory=dict)  # derived: the file as read

    @staticmethod
    def finish(values: dict[str, Any], table: dict[str, Any], key: str, base: Path) -> dict[str, Any]:
        keys = [s.key for s in values["sources"] if s.kind == "portal"]
        twice = sorted({k for k in keys if keys.count(k) > 1})
        if twice:  # an agency's key is in its records' slugs: two agencies under one key would mix their records
            raise ConfigError(f"sources：机关简称代码 key = {twice[0]!r} 用于多个 portal 来源；每个机关的 key 应不同")
        return values


def load_config(path: str | Path) -> Config:
    """Read and validate portal.toml; raise ConfigError naming the key on any problem."""
    path = Path(path).resolve()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}：找不到配置文件（用 --config 指定路径）") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}：不是有效的 TOML 文件：{exc}") from None
    return parse_config(data, path)


def parse_config(data: dict[str, Any], path: Path) -> Config:
    return parse_table(Config, data, "", path.parent, path=path, raw=data)


def describe(config: Config) -> str:
    """Every setting of portal.toml with its current value, default and help: `portal config`."""
    def shown(key: str, value: Any) -> str:  # a database password never reaches the screen
        return show(_redact_url(value)) if key == "sources[].url" and value else show(value)

    return f"# {config.path}\n\n" + describe_settings(config, shown)


def _redact_url(url: str) -> str:
    """Drop a password from a database URL before it appears in reports."""
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url
