"""Open data by year: each decision year's files add up to the whole-type file, and a republish of one
changed record rewrites that year's files and the whole-type files only, encoding one year of one type.

The statistics kept per year (plugins/stats/tallies.py) equal the figures counted over the records at once.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest

from plugins.stats.figures import compute
from plugins.stats.tallies import figures_of, year_tallies
from publisher.core.content import load_published
from publisher.core.schema import RECORD_TYPES
from publisher.pull.plan import make_plan, write_plan
from publisher.runs.annual import annual_reports
from publisher.site.build import build_site
from publisher.site.opendata.national import NATIONAL_TYPES, national_xlsx
from publisher.site.opendata.tables import crc32_combine, last_updated, sheet_rows, workbook_of_parts
from publisher.site.part_cache import PartCache
from tests.conftest import SAMPLE_NOW, make_sample_portal
from tests.test_opendata import portal_site  # noqa: F401  (the fixture)

DATED = tuple(t for t, rt in RECORD_TYPES.items() if rt.date_field)
UNDATED = tuple(t for t, rt in RECORD_TYPES.items() if not rt.date_field)


def csv_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and data.count(b"\xef\xbb\xbf") == 1
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def xlsx_rows(path: Path) -> list[tuple]:
    wb = openpyxl.load_workbook(path, read_only=True)
    [ws] = wb.worksheets
    return [tuple("" if v is None else v for v in row) for row in ws.iter_rows(values_only=True)]


def years_listed(output: Path, type_key: str) -> list[str]:
    catalogue = json.loads((output / "opendata" / "index.json").read_text("utf-8"))
    [meta] = [d for d in catalogue["datasets"] if d["type"] == type_key]
    return list(meta.get("by_year", {}))


@pytest.mark.parametrize("type_key", DATED)
def test_each_years_files_add_up_to_the_whole_type_file(portal_site, type_key):  # noqa: F811
    folder = portal_site.output / "opendata"
    years = years_listed(portal_site.output, type_key)
    live = [r for r in load_published(portal_site.config.paths.content)[type_key] if r.live]
    assert years == sorted({r.year for r in live}, reverse=True) and years
    whole_csv = csv_rows(folder / f"{type_key}.csv")
    whole_json = json.loads((folder / f"{type_key}.json").read_text("utf-8"))
    page = portal_site.page("/opendata/")
    csv_union, json_union = [], []
    for year in years:
        rows = csv_rows(folder / f"{type_key}-{year}.csv")
        assert rows[0] == whole_csv[0]  # the same columns every year
        csv_union += rows[1:]
        data = json.loads((folder / f"{type_key}-{year}.json").read_text("utf-8"))
        assert data["year"] == year and data["count"] == len(data["records"]) == len(rows) - 1
        assert data["fields"] == whole_json["fields"]
        assert all(r["date"][:4] == year for r in data["records"])
        json_union += data["records"]
        for kind in ("csv", "json"):
            assert f'href="/opendata/{type_key}-{year}.{kind}"' in page
    assert csv_union == whole_csv[1:]  # in the whole file's order, row for row
    assert json_union == whole_json["records"]
    assert whole_json["count"] == len(live)


@pytest.mark.parametrize("type_key", UNDATED)
def test_a_type_without_a_decision_date_has_one_file_of_each_kind(portal_site, type_key):  # noqa: F811
    assert years_listed(portal_site.output, type_key) == []
    assert not list((portal_site.output / "opendata").glob(f"{type_key}-*"))


def test_json_datasets_are_one_record_a_line_and_valid_utf8(portal_site):  # noqa: F811
    for path in (portal_site.output / "opendata").glob("*.json"):
        text = path.read_bytes().decode("utf-8")
        data = json.loads(text)
        if "records" in data:
            assert text.count("\n") == len(data["records"]) + (2 if data["records"] else 1)


@pytest.fixture(scope="module")
def republished(tmp_path_factory: pytest.TempPathFactory):
    """A portal built once, then again after a clerk corrected one penalty of its older decision year."""
    config = make_sample_portal(tmp_path_factory.mktemp("yearly"), planted=False)
    write_plan(make_plan(config, SAMPLE_NOW))
    build_site(config, SAMPLE_NOW, annual=annual_reports(config, SAMPLE_NOW))
    output, state = config.paths.output, config.paths.state / "cache"
    files = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in (output / "opendata").iterdir()}
    parts = {d: set(os.listdir(state / d)) for d in ("opendata", "statistics")}
    penalties = [r for r in load_published(config.paths.content)["penalties"] if r.live]
    year = min(r.year for r in penalties)
    target = next(r for r in penalties if r.year == year)
    path = config.path.parent / "data" / "penalties.csv"
    with path.open(encoding="gb18030", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    no, facts = header.index("行政处罚决定书文号"), header.index("违法事实")
    [row] = [r for r in rows if r[no] == target.value("decision_no")]
    row[facts] += "（经复核更正）"
    with path.open("w", encoding="gb18030", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    write_plan(make_plan(config, SAMPLE_NOW))
    result = build_site(config, SAMPLE_NOW, annual=annual_reports(config, SAMPLE_NOW))
    after = {d: set(os.listdir(state / d)) for d in ("opendata", "statistics")}
    return config, year, files, parts, after, result


def test_a_republish_rewrites_only_the_changed_years_files_and_the_whole_type_files(republished):
    config, year, before, _, _, result = republished
    opendata = config.paths.output / "opendata"
    changed = {p.name for p in result.files_changed if p.parent == opendata}
    assert changed == {f"penalties.{k}" for k in ("csv", "json", "xlsx")} | {
        f"penalties-{year}.{k}" for k in ("csv", "json", "xlsx")}
    for path, (mtime, data) in before.items():
        if path.name.removesuffix(".gz") not in changed:  # a gzip twin follows its file
            assert (path.stat().st_mtime_ns, path.read_bytes()) == (mtime, data), path.name
    assert "经复核更正" in (opendata / f"penalties-{year}.csv").read_text("utf-8-sig")
    assert "经复核更正" in (opendata / "penalties.json").read_text("utf-8")
    whole = csv_rows(opendata / "penalties.csv")
    by_year = [csv_rows(opendata / f"penalties-{y}.csv") for y in years_listed(config.paths.output, "penalties")]
    assert [r for rows in by_year for r in rows[1:]] == whole[1:]
    years = years_listed(config.paths.output, "penalties")
    assert xlsx_rows(opendata / "penalties.xlsx")[1:] == [
        r for y in years for r in xlsx_rows(opendata / f"penalties-{y}.xlsx")[1:]]


def test_a_republish_encodes_one_year_of_one_type_and_counts_one_year_again(republished):
    _, _, _, parts, after, _ = republished
    # The changed month's CSV rows, JSON records and template rows (XLSX) are encoded anew (its year's are joined
    # from its months' and not kept again), its CSV and JSON rows deflated for the gzip twins, its template rows
    # deflated twice (where they start in the whole-type file, and in the year's own file), the penalty list pages'
    # keys are taken again, and its facts (fields, count, newest day) are read; its old parts are dropped; nothing
    # else moves (no other record's fields are read, no other month is deflated).
    assert len(after["opendata"] - parts["opendata"]) == 9
    assert len(parts["opendata"] - after["opendata"]) == 9
    # One tally: the penalties of that year (the year's permits and inspections are not counted again).
    assert len(after["statistics"] - parts["statistics"]) == 1
    assert len(parts["statistics"] - after["statistics"]) == 1


def test_a_damaged_cached_part_is_encoded_again(republished, tmp_path):
    config = republished[0]
    cache = config.paths.state / "cache" / "opendata"
    victim = sorted(cache.iterdir())[0]
    victim.write_bytes(victim.read_bytes()[:-20] + b"x" * 20)
    output = tmp_path / "again"
    build_site(config, SAMPLE_NOW, output=output, annual=annual_reports(config, SAMPLE_NOW))
    for path in (config.paths.output / "opendata").iterdir():
        if path.suffix in (".csv", ".json"):
            assert (output / "opendata" / path.name).read_bytes() == path.read_bytes(), path.name


def test_yearly_tallies_give_the_figures_counted_over_every_record(portal_site, tmp_path):  # noqa: F811
    published = load_published(portal_site.config.paths.content)
    for deadlines in ({t: 7 if t in ("permits", "penalties") else 20 for t in DATED}, dict.fromkeys(DATED, 10)):
        tallies, _ = year_tallies(published, deadlines, tmp_path / "tallies", "salt")
        again, cache = year_tallies(published, deadlines, tmp_path / "tallies", "salt")
        assert cache.encoded == [] and again == tallies  # read back, not counted
        assert figures_of(tallies, deadlines) == compute(published, deadlines)
        assert len(tallies) >= 2
        for year in tallies:
            assert figures_of(tallies, deadlines, scope=year) == compute(published, deadlines, scope=year)


def test_every_xlsx_part_opens(portal_site):  # noqa: F811
    for path in (portal_site.output / "opendata").glob("*.xlsx"):
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None


def test_files_joined_from_kept_parts_equal_files_encoded_afresh(republished, tmp_path):
    config = republished[0]
    shutil.rmtree(config.paths.state / "cache" / "opendata")
    shutil.rmtree(config.paths.state / "cache" / "statistics")
    output = tmp_path / "afresh"
    build_site(config, SAMPLE_NOW, output=output, annual=annual_reports(config, SAMPLE_NOW))
    for folder in ("opendata", "statistics"):
        for path in (config.paths.output / folder).rglob("*"):
            if path.is_file():
                assert (output / path.relative_to(config.paths.output)).read_bytes() == path.read_bytes(), path


def test_the_national_export_writes_the_open_data_pages_bytes(republished):
    config = republished[0]
    opendata = config.paths.output / "opendata"
    published = load_published(config.paths.content)
    for type_key in NATIONAL_TYPES:
        records = published[type_key]
        assert national_xlsx(type_key, records, config.site.agency, last_updated(records)) == (
            opendata / f"{type_key}.xlsx").read_bytes()
        for year in years_listed(config.paths.output, type_key):
            chosen = [r for r in records if r.year == year]
            assert national_xlsx(type_key, records, config.site.agency, last_updated(chosen), year) == (
                opendata / f"{type_key}-{year}.xlsx").read_bytes()


def test_a_workbook_joined_from_deflated_parts_holds_the_rows_in_order():
    rows = [[f"第{n}行", "=1+1", " 空格 ", "a<b&c\r"] for n in range(300)]
    parts = [sheet_rows(rows[:100]), sheet_rows([]), sheet_rows(rows[100:])]
    data = workbook_of_parts("表", ["甲", "乙", "丙", "丁"], parts, "机关", "2026-11-24", "标题")
    assert data == workbook_of_parts("表", ["甲", "乙", "丙", "丁"], parts, "机关", "2026-11-24", "标题")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
    [ws] = openpyxl.load_workbook(io.BytesIO(data)).worksheets
    got = [list(r) for r in ws.iter_rows(values_only=True)]
    assert got[0] == ["甲", "乙", "丙", "丁"] and len(got) == 301
    assert got[1:] == [[r[0], "'=1+1", r[2], r[3]] for r in rows]
    one = os.urandom(5000)
    assert crc32_combine(zlib.crc32(b"abc"), zlib.crc32(one), len(one)) == zlib.crc32(b"abc" + one)


def test_a_cached_part_from_another_salt_is_never_reused(tmp_path):
    made = []
    first = PartCache(tmp_path, "salt-1")
    assert first.get(first.name("csv", "x"), lambda: made.append(1) or b"one") == b"one"
    second = PartCache(tmp_path, "salt-2")
    assert second.name("csv", "x") != first.name("csv", "x")
    assert second.get(second.name("csv", "x"), lambda: made.append(2) or b"two") == b"two"
    assert made == [1, 2] and second.encoded == [second.name("csv", "x")]
    second.prune()  # the other salt's part goes: only what this build asked for stays
    assert sorted(os.listdir(tmp_path)) == [second.name("csv", "x")]


def test_a_missing_list_twin_is_written_again_though_its_type_did_not_change(republished, tmp_path):
    config = republished[0]
    twin = config.paths.output / "permits" / "index.json"
    data = twin.read_bytes()
    twin.unlink()
    result = build_site(config, SAMPLE_NOW, annual=annual_reports(config, SAMPLE_NOW))
    assert twin.read_bytes() == data and twin in result.files_changed


def test_a_changed_record_encodes_its_month_and_the_year_joins_to_the_bytes_of_one_encoding(tmp_path):
    """Issue 18: at 100k a year of penalties is ~30k records, encoded again in seconds for one correction; a year's
    rows are its months' rows, each kept, so one correction encodes one month, and the join equals the whole."""
    from dataclasses import replace

    from plugins.opendata.yearly import year_parts
    from publisher.core.content import PublishedRecord
    from publisher.site.opendata.tables import json_records

    def record(n: int, day: str) -> PublishedRecord:
        state = "withdrawn" if n in (3, 4) else "live"  # a month of withdrawals alone gives no rows
        return PublishedRecord("penalties", f"p{n}", f"决定{n}", day, day, state, (("facts", f"事实{n}"),),
                               digest=f"d{n}")

    days = ["2025-12-20", "2025-12-02", "2025-11-15", "2025-10-03", "2025-10-01", "2025-03-09", "2024-12-31"]
    records = [record(n, day) for n, day in enumerate(days)]
    cache = PartCache(tmp_path, "salt")
    encoded: list[list[str]] = []

    def joined(part) -> bytes:  # as json_file_parts joins a year's months' pieces
        return b",\n".join(piece.data for piece in part.pieces(str, cache, encode) if piece.data)

    def encode(rs):
        encoded.append([r.slug for r in rs])
        return json_records(rs, "https://x.example.gov.cn")

    def year_2025(rs):
        return next(p for p in year_parts("penalties", rs) if p.year == "2025")

    part = year_2025(records)
    assert [[r.slug for r in m.records] for m in part.months] == [["p0", "p1"], ["p2"], ["p3", "p4"], ["p5"]]
    assert joined(part) == json_records(part.records, "https://x.example.gov.cn")
    encoded.clear()
    corrected = [replace(r, title="更正", digest="d4b") if r.slug == "p4" else r for r in records]
    again = year_2025(corrected)
    assert joined(again) == json_records(again.records, "https://x.example.gov.cn")
    assert encoded == [["p3", "p4"]]  # the corrected record's month, nothing else


def test_unchanged_record_twins_are_kept_in_bulk_and_a_missing_one_is_written_again(republished, monkeypatch,
                                                                                     tmp_path):
    """A republish makes the twin (index.json) of no record or list page that did not change; a twin removed
    from the output is made again, with the same bytes, and only it."""
    import sys

    import plugins.opendata as opendata

    config = republished[0]
    log = tmp_path / "made.txt"  # a file: the twins may be made in a process forked beside the build

    def made() -> list[str]:
        return log.read_text(encoding="utf-8").split() if log.exists() else []

    def noting(url: str) -> None:
        with log.open("a", encoding="utf-8") as fh:
            fh.write(url + "\n")

    record_twin, list_twin = opendata._record_twin_text, opendata._list_twin_text
    for module in [m for m in list(sys.modules.values()) if getattr(m, "_record_twin_text", None) is not None]:
        # Pelican loads the plugin from its folder as `opendata`, beside `plugins.opendata`.
        monkeypatch.setattr(module, "_record_twin_text", lambda r, base: noting(r.url) or record_twin(r, base))
        monkeypatch.setattr(module, "_list_twin_text", lambda p, base: noting(p.url) or list_twin(p, base))
    build_site(config, SAMPLE_NOW, annual=annual_reports(config, SAMPLE_NOW))
    assert made() == []
    live = next(r for r in load_published(config.paths.content)["penalties"] if r.live)
    removed = [config.paths.output / url.strip("/") / "index.json" for url in (live.url, "/penalties/")]
    data = [twin.read_bytes() for twin in removed]
    for twin in removed:
        twin.unlink()
    result = build_site(config, SAMPLE_NOW, annual=annual_reports(config, SAMPLE_NOW))
    assert sorted(made()) == sorted([live.url, "/penalties/"]) and [twin.read_bytes() for twin in removed] == data
    assert result.pages_kept > 0


def test_the_catalogue_from_kept_month_facts_equals_the_catalogue_counted_over_every_record(republished, tmp_path):
    """The catalogue (counts, newest days, years, columns) made from the months' kept facts equals the one counted
    from every record; damaged facts are counted again, never believed."""
    from plugins.opendata import catalogue

    config = republished[0]
    published = load_published(config.paths.content)
    counted = catalogue(published, config)
    cache = PartCache(tmp_path / "facts", "salt")
    assert catalogue(published, config, cache) == counted
    assert catalogue(published, config, PartCache(tmp_path / "facts", "salt")) == counted  # read back
    for n, path in enumerate(sorted((tmp_path / "facts").iterdir())):
        body = [b'{"others":', b'[["x"],"5","",true]', b"[1,2]", b"\xff", b'[[],1,5,true]', b'[[],1,"",1]'][n % 6]
        # sealed but not facts; or torn
        path.write_bytes(body + zlib.crc32(body).to_bytes(4, "big") if n % 7 else path.read_bytes()[:-3])
    assert catalogue(published, config, PartCache(tmp_path / "facts", "salt")) == counted
