"""Incremental builds (issue 7): a run renders only what a change touches, and the result is
byte for byte the site a full build of the same records makes."""

from __future__ import annotations

import csv
import filecmp
import gzip
import json
import time
from collections import Counter
from dataclasses import replace
from pathlib import Path

import pytest

from publisher.core.config import Config, load_config
from publisher.core.content import PublishedRecord
from publisher.pull.plan import make_plan, write_plan
from publisher.runs.annual import annual_reports
from publisher.runs.ledger import ledger_of
from publisher.runs.public_ledger import OWN_FILES
from publisher.runs.publication import publish, verify_ledger
from publisher.runs.releases import verify_files
from publisher.site.build import PageIndexes, build_site
from publisher.site.listing import list_pages
from publisher.site.search import parse_query
from publisher.site.search.static_reader import StaticReader, current_meta, logical_files
from publisher.site.search.store import IndexHandle
from tests.conftest import SAMPLE_NOW, make_sample_portal


@pytest.fixture(params=["whoosh", "tantivy"])
def portal(tmp_path: Path, request) -> Config:
    config = make_sample_portal(tmp_path, planted=False)
    if request.param == "tantivy":
        text = config.path.read_text(encoding="utf-8")
        config.path.write_text(text.replace('# [search]\n# backend = "tantivy"', '[search]\nbackend = "tantivy"'),
                               encoding="utf-8")
        config = load_config(config.path)
        assert config.search.backend == "tantivy"
    return config


QUERIES = ("林", "滥伐", "经复核更正", "示林罚决字〔2026〕第99号", "杉木", "许可", "检查")


def answers(site: Path) -> list[tuple]:
    """What the search service answers from a site's index: totals, facets and every hit in order."""
    index = IndexHandle(site)
    try:
        return [(r.total, r.facets, [(h.url, h.title) for h in r.hits])
                for q in QUERIES for r in [index.get().search(parse_query(q), page_size=100)]]
    finally:
        index.close()


def edit_penalties(config: Config) -> dict[str, str]:
    """A clerk's next export: one decision corrected, one revoked, one new. Returns their decision numbers."""
    path = config.path.parent / "data" / "penalties.csv"
    with path.open(encoding="gb18030", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    col = {name: i for i, name in enumerate(header)}
    shown = [r for r in rows if r[col["审核状态"]] == "已审核" and r[col["当前状态"]] == "正常"]
    corrected, revoked = shown[3], shown[7]
    corrected[col["违法事实"]] += "（经复核更正）"
    revoked[col["当前状态"]] = "撤销"
    new = list(corrected)
    new[col["行政处罚决定书文号"]] = "示林罚决字〔2026〕第99号"
    new[col["处罚决定日期"]] = "2026-11-20"
    new[col["首次公开日期"]] = ""
    rows.append(new)
    with path.open("w", encoding="gb18030", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    no = col["行政处罚决定书文号"]
    return {"corrected": corrected[no], "revoked": revoked[no], "added": new[no]}


# The newer decision types' files (UTF-8), with the column a clerk corrects in each.
NEWER_EDITS = {"coercions": "行政强制内容", "checks": "检查结果", "levies": "征收内容", "requisitions": "征用内容"}


def edit_newer_types(config: Config) -> None:
    """In each newer type's file: one decision corrected and one new, as edit_penalties does."""
    for type_key, column in NEWER_EDITS.items():
        path = config.path.parent / "data" / f"{type_key}.csv"
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header, *rows = list(csv.reader(fh))
        col = {name: i for i, name in enumerate(header)}
        corrected = [r for r in rows if r[col["审核状态"]] == "已审核" and r[col["当前状态"]] == "正常"][2]
        corrected[col[column]] += "（经复核更正）"
        new = list(corrected)
        new[header.index(next(h for h in header if h.endswith("文书号") or h.endswith("决定书文号")))] += "之一"
        new[col["首次公开日期"]] = ""
        rows.append(new)
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            csv.writer(fh).writerows([header, *rows])


def tree(root: Path) -> dict[str, Path]:
    return {p.relative_to(root).as_posix(): p for p in root.rglob("*") if p.is_file()}


def assert_same_site(incremental: Path, full: Path) -> None:
    """Same files, same bytes: the incremental site cannot be told apart from a full build.

    The search service's index (`_search/`, never served as files) is named by the hash of the
    documents in it; inside, whoosh names its segments at random, so two full builds differ there too.
    The static index's files lie in the folder of the build that last changed them (static_files.py), so
    they are compared as search.js reads them, and the pages naming its meta with that name set aside.
    """
    assert (incremental / "_search" / "CURRENT").read_text() == (full / "_search" / "CURRENT").read_text()
    ours, theirs = tree(incremental), tree(full)
    # The public ledger's files describe a release (its manifest and signed heads): a plain build has none.
    ours = {k: v for k, v in ours.items() if not k.startswith(SET_ASIDE) and k not in OWN_FILES}
    theirs = {k: v for k, v in theirs.items() if not k.startswith(SET_ASIDE)}
    assert sorted(set(ours) - set(theirs)) == [], "files left over from the previous build"
    assert sorted(set(theirs) - set(ours)) == [], "files a full build makes that the incremental build missed"
    different = [name for name in sorted(ours) if not filecmp.cmp(ours[name], theirs[name], shallow=False)]
    assert different == []
    static = [site / "search" / "index" for site in (incremental, full)]
    assert static[0].is_dir() == static[1].is_dir()
    if static[0].is_dir():
        metas = [current_meta(site) for site in (incremental, full)]
        assert logical_files(metas[0]) == logical_files(metas[1])
        for name in NAMING_META:
            pages = [(site / name).read_bytes().replace(f"/{meta.relative_to(site)}".encode(), b"META")
                     for site, meta in zip((incremental, full), metas, strict=True)]
            assert pages[0] == pages[1] and b"META" in pages[0], name
            for site, meta in zip((incremental, full), metas, strict=True):
                twin = site / f"{name}.gz"
                assert not twin.exists() or gzip.decompress(twin.read_bytes()) == (site / name).read_bytes()
                assert meta.is_file() and gzip.decompress(meta.with_name(meta.name + ".gz").read_bytes()) \
                    == meta.read_bytes()


SET_ASIDE = ("_search/index-", "search/index/", "search/index.html", "api/search")
NAMING_META = ("search/index.html", "api/search")


def revoke_a_shown_penalty(config: Config) -> str:
    """The clerk marks a decision the site shows 撤销 (edit_penalties' revoked one was never shown here)."""
    pages = sorted((config.paths.content / "penalties").glob("*.md"))
    # The earliest: its place in the index (decided years before its notice) is what its Record-Date keeps.
    page = min((p for p in pages if "State: live" in p.read_text(encoding="utf-8")),
               key=lambda p: p.read_text(encoding="utf-8").split("\nDate: ", 1)[1][:10])
    path = config.path.parent / "data" / "penalties.csv"
    with path.open(encoding="gb18030", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    col = {name: i for i, name in enumerate(header)}
    text = page.read_text(encoding="utf-8")
    row = next(r for r in rows if r[col["行政处罚决定书文号"]] in text and r[col["当前状态"]] == "正常")
    row[col["当前状态"]] = "撤销"
    with path.open("w", encoding="gb18030", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    return page.stem


def ids_by_url(meta: Path) -> dict[str, int]:
    """Each record's id in a static index, by its URL: from the snippet chunks, where an id is its place."""
    found = {}
    for name, data in logical_files(meta).items():
        if name.startswith("d/") and data:
            chunk = int(name[2:].removesuffix(".json"))
            found |= {row[0]: chunk * 16 + place for place, row in enumerate(json.loads(data)) if row}
    return found


def tree_text(root: Path) -> str:
    pages = (p for p in root.rglob("*") if p.is_file() and p.suffix in (".html", ".json"))
    return "".join(p.read_text(errors="replace") for p in pages)


def page_of(release: Path, decision_no: str) -> Path:
    for page in (release / "penalties").glob("*/index.html"):
        if decision_no in page.read_text(encoding="utf-8"):
            return page
    raise AssertionError(f"no page shows {decision_no}")


def test_a_republish_equals_a_full_build_and_rewrites_only_what_changed(portal, tmp_path):
    first = publish(portal, SAMPLE_NOW)
    release_1 = portal.deploy.path / "releases" / first.release
    changed = edit_penalties(portal)
    untouched = page_of(release_1, "示林罚决字〔2024〕第1号")
    corrected_before = page_of(release_1, changed["corrected"]).read_bytes()

    prepared = portal.deploy.path / "releases" / f".next-{first.release}"
    for _ in range(100):  # the copy for the next run is made in the background; a run that finds none makes its own
        if prepared.is_dir():
            break
        time.sleep(0.05)
    assert prepared.is_dir()
    second = publish(portal, SAMPLE_NOW)
    assert not prepared.exists()  # taken as the second release's starting point
    release_2 = portal.deploy.path / "releases" / second.release
    run = next(e for e in ledger_of(portal).entries() if e.kind == "run" and e.body["run_id"] == second.run_id)
    assert sorted(r[2] for r in run.body["records"]) == ["added", "changed", "withdrawn"]

    # A page the change does not touch is the very same file (a hard link), not a copy rewritten.
    same = release_2 / untouched.relative_to(release_1)
    assert same.stat().st_ino == untouched.stat().st_ino
    corrected = page_of(release_2, changed["corrected"])
    assert corrected.read_bytes() != corrected_before and "经复核更正" in corrected.read_text(encoding="utf-8")
    assert corrected.stat().st_ino != (release_1 / corrected.relative_to(release_2)).stat().st_ino
    assert (release_1 / corrected.relative_to(release_2)).read_bytes() == corrected_before  # release 1 kept its bytes
    assert verify_ledger(portal) == []
    ledger = ledger_of(portal)  # and release 1, still there for a rollback, holds exactly what it was sealed with
    assert verify_files(release_1, ledger.release_files(ledger.seal_of(first.release))) is None

    full = tmp_path / "full"
    build_site(portal, SAMPLE_NOW, output=full, pages=PageIndexes(None, None, keep_search_indexes=1),
               ledger_info={"run": second.run_id, "hash": second.entry_hash, "time": run.body["started"]},
               annual=annual_reports(portal, SAMPLE_NOW))
    assert_same_site(release_2, full)
    if portal.search.backend == "tantivy":  # updated, not rebuilt: the old segments are shared, not copied
        inodes = {f.stat().st_ino for f in (release_1 / "_search").rglob("*") if f.is_file()}
        shared = [f for f in (release_2 / "_search").rglob("shard-*/*") if f.stat().st_ino in inodes]
        assert shared and all(not f.name.endswith(".json") for f in shared)
    found = answers(release_2)
    assert found == answers(full)
    assert found[2][0] == 2 and found[3][0] >= 1  # the corrected decision and the new one copied from it


def test_building_the_same_folder_again_after_a_change_equals_a_full_build(portal, tmp_path):
    ledger = {"run": "r1", "hash": "ab" * 32, "time": "2026-11-24T10:00:00"}
    # Keep one search index, as a release does (`portal build` keeps the one before for a running server).
    in_place = replace(PageIndexes.beside(portal, portal.paths.output), keep_search_indexes=1)
    write_plan(make_plan(portal, SAMPLE_NOW))
    first = build_site(portal, SAMPLE_NOW, ledger_info=ledger, pages=in_place)
    assert first.pages_kept == 0
    edit_penalties(portal)
    write_plan(make_plan(portal, SAMPLE_NOW))
    again = build_site(portal, SAMPLE_NOW, ledger_info=ledger, pages=in_place)
    assert again.pages_kept > 0.85 * first.files_written  # nearly every page judged unchanged without rendering
    assert again.files_written < 0.1 * first.files_written
    full = build_site(portal, SAMPLE_NOW, output=tmp_path / "full", ledger_info=ledger, pages=PageIndexes(None, None))
    assert_same_site(portal.paths.output, full.output)
    edit_newer_types(portal)  # every other decision type: the same byte-for-byte promise
    plan = make_plan(portal, SAMPLE_NOW)
    write_plan(plan)
    assert sum(i.type in NEWER_EDITS and i.action.value in ("add", "change") for i in plan.items) == 8
    build_site(portal, SAMPLE_NOW, ledger_info=ledger, pages=in_place)
    full = build_site(portal, SAMPLE_NOW, output=tmp_path / "full2", ledger_info=ledger, pages=PageIndexes(None, None))
    assert_same_site(portal.paths.output, full.output)


def test_a_rebuild_on_worker_processes_sends_them_only_the_changed_pages_and_equals_a_full_build(portal, tmp_path,
                                                                                                monkeypatch):
    import sys

    import publisher.site.build as build_module
    from publisher.site.context import BuildContext

    # The sample is small: render on two forked workers from 2 items up, as a 100k site does from 400.
    monkeypatch.setattr(build_module, "BuildContext",
                        lambda *args, **kwargs: BuildContext(*args, **kwargs, workers=2, parallel_min=2))
    ledger = {"run": "r1", "hash": "ab" * 32, "time": "2026-11-24T10:00:00"}
    in_place = replace(PageIndexes.beside(portal, portal.paths.output), keep_search_indexes=1)
    write_plan(make_plan(portal, SAMPLE_NOW))
    build_site(portal, SAMPLE_NOW, ledger_info=ledger, pages=in_place)
    writer = sys.modules["pages.writer"].PageWriter  # Pelican loads the plugin as `pages` (PLUGIN_PATHS)
    calls: list[tuple[int, bool]] = []
    each = writer.each

    def spy(self, items, render, stale=None):
        calls.append((len(items), stale is not None))
        return each(self, items, render, stale)

    monkeypatch.setattr(writer, "each", spy)
    edit_penalties(portal)
    write_plan(make_plan(portal, SAMPLE_NOW))
    again = build_site(portal, SAMPLE_NOW, ledger_info=ledger, pages=in_place)
    assert again.pages_kept > 100  # every page is judged in the parent first and the unchanged kept there
    sent = [n for n, judged in calls if not judged]
    assert sent and all(n < 10 for n in sent), calls  # only the few changed records go to the workers
    full = build_site(portal, SAMPLE_NOW, output=tmp_path / "full", ledger_info=ledger, pages=PageIndexes(None, None))
    assert_same_site(portal.paths.output, full.output)


def rec(n: int, decided: str = "2020-01-01", published: str = "2026-01-01") -> PublishedRecord:
    return PublishedRecord("penalties", f"p{n:05d}", f"处罚{n}", f"{decided}+{n:05d}", published, "live",
                           (("department", "执法大队"),), digest=f"d{n}")


def test_a_new_record_changes_at_most_three_pages_of_each_list_however_long_the_list():
    """Lists are numbered from the oldest and an archive page names neither the total nor the newest page."""
    for count in (45, 1000, 1018, 1019, 1020):  # within a page, and at the edge of one
        before = {p.url: p.key for p in list_pages("penalties", [rec(n) for n in reversed(range(count))])}
        after = list(list_pages("penalties", [rec(n) for n in reversed(range(count + 1))]))
        changed = Counter(p.base_url for p in after if before.get(p.url) != p.key)
        assert len(changed) == 3 and max(changed.values()) <= 3, (count, changed)  # the list, its year and its unit


def test_an_old_decision_published_today_joins_the_front_page_without_reshuffling_the_archive():
    records = [rec(n, "2025-06-01", f"2025-{7 + n // 28:02d}-{1 + n % 28:02d}") for n in range(100)]
    late = rec(100, decided="2025-01-15", published="2025-11-24")  # decided before all of them, published last
    before = {p.url: p for p in list_pages("penalties", records)}
    after = {p.url: p for p in list_pages("penalties", [late, *records])}
    front = after["/penalties/"]
    assert front.records[0] is late and front.span == ("2025-09-25", "2025-11-24")
    archive = [p for url, p in after.items() if p.number and p.base_url == "/penalties/"]
    assert all(before[p.url].key == p.key for p in archive)  # page 1..4 keep their records and bytes
    assert [len(p.records) for p in archive] == [20, 20, 20, 20] and len(front.records) == 21
    seen = [r.slug for p in [*archive, front] for r in p.records]
    assert sorted(seen) == sorted({r.slug for r in [late, *records]})  # every record once, none twice


def test_a_change_patches_the_static_search_index_and_it_equals_a_full_build(portal, tmp_path, monkeypatch):
    """Issue 18: after a correction, a withdrawal and an addition, the static index is patched from the one
    before (only the changed records analysed, only the files they touch written), never built afresh."""
    from publisher.site.search import static

    ledger = {"run": "r1", "hash": "ab" * 32, "time": "2026-11-24T10:00:00"}
    in_place = replace(PageIndexes.beside(portal, portal.paths.output), keep_search_indexes=1)
    write_plan(make_plan(portal, SAMPLE_NOW))
    build_site(portal, SAMPLE_NOW, ledger_info=ledger, pages=in_place)
    before = current_meta(portal.paths.output)
    old_files = {p for p in before.parent.rglob("*") if p.is_file()}
    ids_before = ids_by_url(before)
    edit_penalties(portal)
    revoked = revoke_a_shown_penalty(portal)
    write_plan(make_plan(portal, SAMPLE_NOW))

    def no_full_build(*args, **kwargs):
        raise AssertionError("the static index was built afresh, not patched")

    monkeypatch.setattr(static, "_write", no_full_build)
    build_site(portal, SAMPLE_NOW, ledger_info=ledger, pages=in_place)
    monkeypatch.undo()
    after = current_meta(portal.paths.output)
    assert after != before and not before.exists()  # keep_search_indexes=1: only the current meta stays
    table = StaticReader(after).table
    named = {after.parent / where for name in logical_files(after) if name != "meta"
             for where in [table.where(name)] if where}
    new = {p for p in named if p not in old_files}
    # Most files keep their URL (the same file, untouched); the few the change touched are in one new folder.
    assert 0 < len(new) < 0.5 * len(named) and {p.relative_to(after.parent).parts[0] for p in new} == {table.builds[-1]}
    # Ids survive: the withdrawn record keeps its place (its notice's Record-Date), no other record's id moves.
    ids_after = ids_by_url(after)
    [gone] = set(ids_before) - set(ids_after)
    assert gone == f"/penalties/{revoked}/"
    # The one exception (static.py): a record published today is numbered among today's by rank, so the new
    # decision of 2026-11-20 moves the few of its year published today that rank below it, by one.
    moved = {url: ids_after[url] - number for url, number in ids_before.items() if ids_after.get(url, number) != number}
    assert set(moved.values()) <= {1} and len(moved) <= 3, moved
    notice = (portal.paths.content / "penalties" / f"{gone.strip('/').split('/')[1]}.md").read_text(encoding="utf-8")
    assert "State: withdrawn" in notice and "Record-Date: 20" in notice  # kept in content/, never shown:
    assert "Record-Date" not in tree_text(portal.paths.output)
    full = build_site(portal, SAMPLE_NOW, output=tmp_path / "full", ledger_info=ledger, pages=PageIndexes(None, None))
    assert_same_site(portal.paths.output, full.output)
