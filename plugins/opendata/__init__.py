"""Pelican plugin: open data (CSV, JSON, XLSX per record type and per decision year), its catalogue page, JSON twins.

Built from content/ alone (the build context's `published`), like every public output (DESIGN §6): only live
records, with the values content/ holds (already masked). Every list page and live record page
gets an index.json beside its index.html, which the templates advertise; a withdrawn record's
twin says only that it was withdrawn (its page is a notice, never a 404, and so is its twin).
"""

from __future__ import annotations

import functools
import itertools
from typing import Any

import orjson
from pelican import signals
from pelican.generators import Generator

from publisher.core.config import Config
from publisher.core.content import PublishedRecord, digest_of
from publisher.core.schema import DECISION_TYPES, RECORD_TYPES
from publisher.site.agencies import origin_object
from publisher.site.context import build_context
from publisher.site.listing import ListPage, PageKey, list_pages
from publisher.site.opendata.national import NATIONAL_TYPES, national_packed, national_rows, years_of
from publisher.site.opendata.tables import (
    columns,
    columns_named,
    csv_header,
    csv_rows,
    dumps,
    json_fields,
    json_file_parts,
    json_records,
    last_updated,
    live,
    packed_rows,
    record_object,
)
from publisher.site.part_cache import PartCache

from .yearly import TypeData, YearPart, deflated_name

OPENDATA_URL = "/opendata/"
TWIN_TEMPLATES = ("list", "record")  # the pages whose index.json this plugin writes
# Enforcement results first: they are what other systems and the credit platform reuse most.
CATALOGUE_ORDER = (*DECISION_TYPES, "subjects", "officers", "matters", "guides", "windows")
DESCRIPTIONS = {
    "subjects": "本机关及受委托组织等行政执法主体的名称、性质、职责、依据和监督电话。",
    "officers": "持证执法人员的姓名、执法证号、所属单位、执法类别和证件状态。",
    "matters": "权责清单：各执法事项的类型、设定依据、实施主体、责任事项和追责情形。",
    "guides": "行政许可等事项的服务指南：受理条件、申请材料、办理流程、时限、地点和电话。",
    "windows": "服务窗口的地点、工作人员及岗位、办理事项和办公时间。",
    "permits": "本机关作出的、正在公示的行政许可决定，字段与国家“双公示”行政许可信息标准一致。",
    "penalties": "本机关作出的、正在公示的行政处罚决定，字段与国家“双公示”行政处罚信息标准一致。",
    "inspections": "“双随机、一公开”抽查的检查对象、事项、日期、结果和处理情况。",
    "coercions": "本机关作出的、正在公示的行政强制措施和行政强制执行决定：种类、理由、依据、内容和期限。",
    "checks": "双随机抽查以外的行政检查（日常检查、专项检查、投诉举报核查等）的对象、事项、结果和处理情况。",
    "levies": "本机关作出的、正在公示的行政征收决定：征收项目、依据、金额和缴纳期限。",
    "requisitions": "本机关作出的、正在公示的行政征用决定：征用的财产、事由、期限和补偿情况。",
}


def dataset_urls(type_key: str, year: str = "") -> dict[str, str]:
    """Site-relative URLs of a type's files (or of one year's): csv, json and, for permits and penalties, the
    national template's xlsx."""
    stem = f"{OPENDATA_URL}{type_key}-{year}" if year else f"{OPENDATA_URL}{type_key}"
    urls = {kind: f"{stem}.{kind}" for kind in ("csv", "json")}
    if type_key in NATIONAL_TYPES:
        urls["xlsx"] = f"{stem}.xlsx"
    return urls


def yearly_files(type_key: str, years: list[str]) -> list[dict[str, Any]]:
    """The files of each decision year of a type's live records (`years_of`), newest first; none for a type
    without one."""
    if RECORD_TYPES[type_key].date_field is None:
        return []
    return [{"year": y, "files": dataset_urls(type_key, y)} for y in years]


def licence(config: Config) -> dict[str, str]:
    """[opendata] licence / licence_url in portal.toml, else CC BY 4.0."""
    return {"name": config.opendata.licence, "url": config.opendata.licence_url}


def opendata_cache(config: Config, pages: Any) -> PartCache:
    return PartCache(config.paths.state / "cache" / "opendata", pages.salt)


def type_data(published: dict[str, list[PublishedRecord]], cache: PartCache) -> dict[str, TypeData]:
    """Each type's records by year and month, with the months' facts (yearly.py): made once a build."""
    return {type_key: TypeData(type_key, published.get(type_key, []), cache) for type_key in CATALOGUE_ORDER}


def catalogue(published: dict[str, list[PublishedRecord]], config: Config, cache: PartCache | None = None,
              data: dict[str, TypeData] | None = None) -> list[dict[str, Any]]:
    """One entry per dataset: what the catalogue page shows and catalogue JSON holds; counted from the months'
    kept facts (`data`, made with `cache`), else from every record."""
    base = config.site.url
    if data is None and cache is not None:
        data = type_data(published, cache)
    entries = []
    for type_key in CATALOGUE_ORDER:
        rtype = RECORD_TYPES[type_key]
        records = published.get(type_key, [])
        if data is None:
            rows = live(records)
            count, modified, years, fields = (len(rows), last_updated(records), years_of(records),
                                              columns(type_key, rows))
        else:
            d = data[type_key]
            count, modified, years, fields = d.live(), d.updated(), d.years, columns_named(type_key, d.others)
        entries.append({
            "type": type_key, "title": rtype.zh, "description": DESCRIPTIONS[type_key],
            "count": count, "modified": modified,
            "page": f"/{type_key}/", "files": dataset_urls(type_key), "base": base,
            "yearly": yearly_files(type_key, years), "fields": fields,
        })
    return entries


def _dataset_meta(entry: dict[str, Any], config: Config) -> dict[str, Any]:
    base = config.site.url
    return {"title": f"{config.site.agency}{entry['title']}信息", "type": entry["type"],
            "description": entry["description"], "publisher": config.site.agency or config.site.name,
            "modified": entry["modified"], "licence": licence(config), "page": base + entry["page"],
            "catalogue": base + OPENDATA_URL,
            "distributions": {kind: base + url for kind, url in entry["files"].items()},
            **_by_year(entry["yearly"], base)}


def _by_year(yearly: list[dict[str, Any]], base: str) -> dict[str, Any]:
    """The catalogue's links to each year's files (and, as before, to each year's national template)."""
    if not yearly:
        return {}
    out: dict[str, Any] = {"by_year": {y["year"]: {kind: base + url for kind, url in y["files"].items()}
                                       for y in yearly}}
    if any("xlsx" in y["files"] for y in yearly):
        out["xlsx_by_year"] = {y["year"]: base + y["files"]["xlsx"] for y in yearly}
    return out


def _year_meta(entry: dict[str, Any], year: str, modified: str, config: Config) -> dict[str, Any]:
    """The facts of one year's file: the dataset's, for the records decided that year."""
    base = config.site.url
    urls = dataset_urls(entry["type"], year)
    return {"title": f"{config.site.agency}{entry['title']}信息（{year}年）", "type": entry["type"], "year": year,
            "description": entry["description"], "publisher": config.site.agency or config.site.name,
            "modified": modified, "licence": licence(config), "page": base + entry["page"],
            "catalogue": base + OPENDATA_URL, "all_years": base + entry["files"]["json"],
            "distributions": {kind: base + url for kind, url in urls.items()}}


def list_twin(page: ListPage, base: str) -> dict[str, Any]:
    """A list page as JSON: its place among the list's pages and its records as the page shows them."""
    def twin(url: str | None) -> str | None:
        return base + url + "index.json" if url else None

    # Like the HTML, an archive page leaves out the list's total and newest page: it keeps its bytes as the list grows.
    counts = {"total": page.total, "last_page": page.last} if page.number == 0 else {}
    return {"type": page.type, "title": page.title, "url": base + page.url, **counts,
            "page": page.number, "newer": twin(page.newer), "older": twin(page.older),
            "dataset": base + f"{OPENDATA_URL}{page.type}.json",
            "records": [record_object(r, base) for r in page.records]}


def record_twin(record: PublishedRecord, base: str) -> dict[str, Any]:
    """A detail page as JSON; for a withdrawal notice, the notice's facts and no data."""
    head = {"type": record.type, "type_title": record.rtype.zh, "state": record.state}
    if not record.live:
        return {**head, "url": base + record.url, "title": record.title, "withdrawn": record.withdrawn,
                "withdrawal_reason": record.withdrawal_reason, **origin_object(record)}
    return {**head, **record_object(record, base), "dataset": base + f"{OPENDATA_URL}{record.type}.json"}


def write_open_data(published: dict[str, list[PublishedRecord]], config: Config, pages: Any,
                    entries: list[dict[str, Any]] | None = None, cache: PartCache | None = None,
                    data: dict[str, TypeData] | None = None) -> list[dict[str, Any]]:
    """Write every dataset file, the JSON twins and the catalogue page; return the catalogue.

    `entries`: the catalogue, if made, with the cache and the types' data it was made with."""
    cache = cache if cache is not None else opendata_cache(config, pages)
    data = data if data is not None else type_data(published, cache)
    entries = entries if entries is not None else catalogue(published, config, cache, data)
    for entry in entries:
        _write_dataset(pages, entry, data[entry["type"]], config, cache)
    cache.prune()
    pages.write_text(OPENDATA_URL + "index.json", dumps({
        "title": f"{config.site.agency}开放数据目录", "publisher": config.site.agency, "licence": licence(config),
        "datasets": [_dataset_meta(e, config) | {"count": e["count"]} for e in entries]}))
    modified = max((e["modified"] for e in entries), default="")
    pages.write(OPENDATA_URL, "opendata.html", lastmod=modified, datasets=entries, licence=licence(config))
    return entries


def _write_dataset(pages: Any, entry: dict[str, Any], data: TypeData, config: Config, cache: PartCache) -> None:
    """One type's dataset files, its years' files and JSON twins; each is rebuilt only when what it is made
    from changed, and each year's rows are encoded only when that year's records changed (yearly.py)."""
    type_key, base = entry["type"], config.site.url
    _write_tables(pages, entry, data, config, cache)
    if type_key in NATIONAL_TYPES:
        _write_national(pages, entry, data, config, cache)
    _write_list_twins(pages, type_key, data.records, base, cache)
    _write_record_twins(pages, data.records, base)


def _write_tables(pages: Any, entry: dict[str, Any], data: TypeData, config: Config, cache: PartCache) -> None:
    """The CSV and JSON files of a type and of each of its years, joined from the months' cached rows, and their
    gzip twins from the months' cached deflated blocks (precompress.write_parts)."""
    type_key, base, cols, parts = entry["type"], config.site.url, entry["fields"], data.parts
    unified = data.unified
    # A month's rows depend on the type's columns, which every month shares, and on whether agencies are named.
    names = (*(c.name for c in cols), *(["@origin"] if unified else []))

    def csv_month(digest: str) -> str:
        return cache.name("csv-month", type_key, names, base, digest)

    def json_month(digest: str) -> str:
        return cache.name("json-month", type_key, base, digest)

    months = [m.digest for p in parts for m in p.months]
    for name in (*map(csv_month, months), *map(json_month, months)):
        cache.keep(name)
        cache.keep(deflated_name(cache, name))

    # A year's rows are joined from its months' each time, not kept again: a second copy of every row in the state.
    def csv_part(part: YearPart) -> list[Any]:
        return part.pieces(csv_month, cache, lambda records: csv_rows(cols, records, base, unified))

    def json_part(part: YearPart) -> list[Any]:
        return part.pieces(json_month, cache, lambda records: json_records(records, base))

    header, fields = csv_header(cols, unified), json_fields(cols)
    everything = data.digest
    # The whole type's files go to the writer as their months' parts, read one year at a time: at 100k ~100 MB.
    pages.write_text(entry["files"]["csv"], lambda: itertools.chain(
        (header,), itertools.chain.from_iterable(map(csv_part, parts))), key=everything)
    pages.write_text(entry["files"]["json"], lambda: json_file_parts(
        {**_dataset_meta(entry, config), "fields": fields}, entry["count"],
        itertools.chain.from_iterable(map(json_part, parts))), key=everything)
    by_year = {p.year: p for p in parts}
    for y in entry["yearly"]:
        part, urls = by_year[y["year"]], y["files"]
        key = (part.digest, names)
        pages.write_text(urls["csv"], functools.partial(lambda p: iter([header, *csv_part(p)]), part), key=key)
        pages.write_text(urls["json"], functools.partial(lambda p: json_file_parts(
            {**_year_meta(entry, p.year, data.updated(p.year), config), "fields": fields}, data.live(p.year),
            json_part(p)), part), key=key)


def _write_national(pages: Any, entry: dict[str, Any], data: TypeData, config: Config, cache: PartCache) -> None:
    """The national template's XLSX of a type and of each year, joined from the months' cached sheet rows, each
    kept deflated by the row it starts at: a corrected record deflates its month's rows again, nothing else."""
    type_key, author, parts = entry["type"], config.site.agency, data.parts
    whole, yearly = [], {}  # (month, the sheet row its rows start at), in the whole file and in its year's file
    first = 2  # row 1: the headers
    for p in parts:
        yearly[p.year], in_year = [], 2
        for month, facts in zip(p.months, data.facts[p.year], strict=True):
            whole.append((month, first))
            yearly[p.year].append((month, in_year))
            first, in_year = first + facts.live, in_year + facts.live

    def month_name(digest: str) -> str:
        return cache.name("xlsx-month", type_key, digest)

    def packed_name(month: Any, first: int) -> str:
        return cache.name("xlsx-packed", type_key, month.digest, first)

    for month, first in (*whole, *(m for ms in yearly.values() for m in ms)):
        cache.keep(packed_name(month, first))
        cache.keep(month_name(month.digest))

    def packed(month: Any, first: int) -> bytes:
        return cache.get(packed_name(month, first), lambda: packed_rows(cache.get(
            month_name(month.digest), lambda: national_rows(type_key, month.records)), first))

    pages.write_text(entry["files"]["xlsx"], lambda: national_packed(
        type_key, [packed(*m) for m in whole], author, data.updated()), key=data.digest)
    by_year = {p.year: p for p in parts}
    for y in entry["yearly"]:
        part = by_year[y["year"]]
        pages.write_text(y["files"]["xlsx"], functools.partial(
            lambda p: national_packed(type_key, [packed(*m) for m in yearly[p.year]], author, data.updated(p.year),
                                      p.year), part), key=part.digest)


def _write_list_twins(pages: Any, type_key: str, records: list[PublishedRecord], base: str,
                      cache: PartCache) -> None:
    """The list pages' twins; a type whose records are the same as last build's reads its pages' URLs and keys
    back from the cache instead of paginating them again, and paginates only if a twin must be written."""
    name = cache.name("lists", type_key, base, digest_of(records))
    pages_of = functools.cache(lambda: {p.url: p for p in list_pages(type_key, records)})

    def encode() -> bytes:
        return orjson.dumps([[p.url, repr(p.key)] for p in pages_of().values()])

    listed = orjson.loads(cache.get(name, encode))
    kept = pages.keep_unchanged([url + "index.json" for url, _ in listed], [PageKey(key) for _, key in listed])
    for (url, key), k in zip(listed, kept, strict=True):
        if not k:
            pages.write_text(url + "index.json", functools.partial(
                lambda u: _list_twin_text(pages_of()[u], base), url), key=PageKey(key))


def _write_record_twins(pages: Any, records: list[PublishedRecord], base: str) -> None:
    """The records' twins: those made from the same record as last build, whose file is there, are kept in bulk
    (`PageWriter.keep_unchanged`); only the others are written, on the workers if they are many."""
    def write(r: PublishedRecord) -> None:
        pages.write_text(r.url + "index.json", functools.partial(_record_twin_text, r, base), key=r.digest)

    kept = pages.keep_unchanged([r.url + "index.json" for r in records], [r.digest for r in records])
    pages.each([r for r, k in zip(records, kept, strict=True) if not k], write)


def _list_twin_text(page: ListPage, base: str) -> str:
    return dumps(list_twin(page, base))


def _record_twin_text(record: PublishedRecord, base: str) -> str:
    return dumps(record_twin(record, base))


class OpenDataGenerator(Generator):
    """Runs after the records generator, which puts content/ and the page writer in the context."""

    def generate_context(self) -> None:
        build = build_context(self.settings)
        build.pages.extend_context(TWIN_TEMPLATES, json_twin=True)  # this plugin writes the twins: it says they exist
        self.cache = opendata_cache(build.config, build.pages)
        self.data = type_data(build.published, self.cache)
        self.entries: list[dict[str, Any]] | None = catalogue(build.published, build.config, self.cache, self.data)

    def generate_output(self, writer: Any) -> None:
        build = build_context(self.settings)
        # No `written` here: the shared page writer's count is already reported by the pages generator.
        # Beside the statistics, search and party pages, on the second core: nothing they make depends on these files.
        build.pages.beside(functools.partial(write_open_data, build.published, build.config, build.pages,
                                             self.entries, self.cache, self.data))


def get_generators(pelican_object: Any) -> type[Generator]:
    return OpenDataGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
