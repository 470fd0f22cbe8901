"""content/'s catalog (issue 18): kept in step by every pull, yet always what content/ alone gives.

A catalog maintained through a day of pulls (first import, a correction, a withdrawal, a new record, a page
edited or added by hand) holds exactly the rows a catalog rebuilt from content/ holds, and what pull and the
site read from it is what reading every Markdown file gives. A deleted or corrupt catalog is rebuilt and the
site built from it is byte for byte the same.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from publisher.core import catalog as catalog_module
from publisher.core.catalog import catalog_path, one_refresh, open_catalog
from publisher.core.config import Config
from publisher.core.content import LazyFields, load_published
from publisher.pull.memo import scan_content
from publisher.pull.plan import make_plan, write_plan
from publisher.runs.publication import publish
from publisher.site.build import PageIndexes, build_site
from tests.conftest import SAMPLE_NOW, make_sample_portal
from tests.test_incremental import assert_same_site, edit_newer_types, edit_penalties

LEDGER = {"run": "r1", "hash": "ab" * 32, "time": "2026-11-24T10:00:00"}


@pytest.fixture
def portal(tmp_path: Path) -> Config:
    return make_sample_portal(tmp_path, planted=False)


def maintained_rows(config: Config) -> list[tuple]:
    """The catalog as the pulls left it, not refreshed against content/."""
    with open_catalog(config.paths.content, config.paths.state, refresh=False) as catalog:
        return catalog.rows()


def rebuilt_rows(content: Path, elsewhere: Path) -> list[tuple]:
    """A catalog made from content/ alone, in a state folder of its own."""
    with open_catalog(content, elsewhere) as catalog:
        return catalog.rows()


def pull(config: Config, **kwargs) -> list[Path]:
    plan = make_plan(config, SAMPLE_NOW, **kwargs)
    written = write_plan(plan)
    # The pages the plan compared with, with those it wrote: what the ledger's changes read instead of the catalog
    with open_catalog(config.paths.content, config.paths.state, refresh=False) as catalog:
        assert plan.pages == catalog.pages()
    return written


def assert_in_step(config: Config, tmp_path: Path, step: str) -> None:
    rows = maintained_rows(config)
    assert len(rows) == sum(1 for _ in config.paths.content.glob("*/*.md"))
    assert rows == rebuilt_rows(config.paths.content, tmp_path / f"rebuilt-{step}"), step
    with open_catalog(config.paths.content, config.paths.state, refresh=False) as catalog:
        assert catalog.refresh() == 0, step  # nothing the pull wrote was left for the next scan to read
        assert catalog.published() == load_published(config.paths.content), step  # what the site shows
        assert catalog.pages() == scan_content(config.paths.content), step  # what pull compares with


def hand_written(config: Config) -> Path:
    """A page a clerk put in content/ by hand: shown by the site, left alone by pull (no Key-Hash)."""
    page = config.paths.content / "penalties" / "hand-written.md"
    page.write_text("Title: 手工补录的处罚信息\nDate: 2026-11-01\nSlug: hand-written\nRecord-Type: penalties\n"
                    "State: live\nPublished: 2026-11-02\n"
                    'Fields: [["decision_no", "示林罚决字〔2026〕第7号"], ["party_name", "某木材加工厂"]]\n\n'
                    "| 项目 | 内容 |\n", encoding="utf-8")
    return page


def test_the_catalog_pulls_keep_equals_the_one_rebuilt_from_content(portal, tmp_path):
    assert pull(portal)  # first import
    assert_in_step(portal, tmp_path, "first import")
    assert pull(portal) == []  # nothing changed
    assert_in_step(portal, tmp_path, "unchanged")
    edit_penalties(portal)  # one corrected, one revoked (its notice replaces it), one new
    edit_newer_types(portal)
    written = pull(portal)
    assert len(written) == 3 + 8
    assert_in_step(portal, tmp_path, "edits")
    withdrawn = [r for r in load_published(portal.paths.content)["penalties"] if not r.live]
    with open_catalog(portal.paths.content, portal.paths.state) as catalog:
        assert {(r.slug, r.withdrawal_reason) for r in catalog.published()["penalties"] if not r.live} == {
            (r.slug, r.withdrawal_reason) for r in withdrawn}
        assert withdrawn
    edited = next((portal.paths.content / "penalties").glob("*.md"))
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # changed by hand
    hand = hand_written(portal)
    pull(portal)  # the next pull reads the edited files, puts the edited page right and notes it
    assert_in_step(portal, tmp_path, "hand edits")
    with open_catalog(portal.paths.content, portal.paths.state) as catalog:
        [record] = [r for r in catalog.published()["penalties"] if r.slug == "hand-written"]
        assert record.value("party_name") == "某木材加工厂" and record.title == "手工补录的处罚信息"
        assert "hand-written" not in {p.slug for p in catalog.pages()["penalties"].values()}
    hand.unlink()  # removed by hand: its row goes at the next look
    with open_catalog(portal.paths.content, portal.paths.state) as catalog:
        assert "hand-written" not in {r.slug for r in catalog.published()["penalties"]}
    assert maintained_rows(portal) == rebuilt_rows(portal.paths.content, tmp_path / "rebuilt-removed")


def test_a_lists_departments_come_from_the_catalog_without_decoding_any_record(portal):
    """The lists' department filters read every record's department: the catalog's column, the same text the
    record's own fields give, so a republish of a big site decodes no fields of records it does not change."""
    pull(portal)
    read = load_published(portal.paths.content)
    with open_catalog(portal.paths.content, portal.paths.state) as catalog:
        stored = catalog.published()
    for type_key, records in stored.items():
        departments = [r.department for r in records]
        assert all(r.__dict__["_fields"].__class__ is LazyFields for r in records), type_key  # none decoded
        assert departments == [r.department for r in read[type_key]], type_key
    assert sum(bool(d) for records in stored.values() for d in (r.department for r in records)) > 50


def test_a_stored_records_fields_are_decoded_when_read_and_not_kept_on_it(portal):
    """A build reads every record's fields (open data, search, pages): kept decoded on each record, a 100k
    site's fields would all be held at once as Python objects, shared into every forked worker."""
    pull(portal)
    read = load_published(portal.paths.content)
    with open_catalog(portal.paths.content, portal.paths.state) as catalog:
        stored = catalog.published()
    for type_key, records in stored.items():
        assert [(r.fields, r.values, r.value("title")) for r in records] == \
            [(r.fields, r.values, r.value("title")) for r in read[type_key]], type_key
        assert all(r.__dict__["_fields"].__class__ is LazyFields and "values" not in r.__dict__
                   for r in records), type_key


def test_a_deleted_or_corrupt_catalog_is_rebuilt_and_the_site_is_the_same(portal, tmp_path):
    pull(portal)
    first = build_site(portal, SAMPLE_NOW, output=tmp_path / "first", ledger_info=LEDGER, pages=PageIndexes(None, None))
    catalog = catalog_path(portal.paths.content, portal.paths.state)
    assert catalog is not None and catalog.is_file()
    rows = maintained_rows(portal)

    for path in catalog.parent.glob(catalog.name + "*"):
        path.unlink()  # deleted
    again = build_site(portal, SAMPLE_NOW, output=tmp_path / "after-delete", ledger_info=LEDGER,
                       pages=PageIndexes(None, None))
    assert_same_site(again.output, first.output)
    assert maintained_rows(portal) == rows

    for path in catalog.parent.glob(catalog.name + "-*"):
        path.unlink()
    catalog.write_bytes(b"not a database, a disk error's leftovers" * 100)  # corrupt
    again = build_site(portal, SAMPLE_NOW, output=tmp_path / "after-corruption", ledger_info=LEDGER,
                       pages=PageIndexes(None, None))
    assert_same_site(again.output, first.output)
    assert maintained_rows(portal) == rows
    assert make_plan(portal, SAMPLE_NOW).counts().get("add", 0) == 0  # pull reads the rebuilt catalog alike


def test_a_rollback_snapshot_is_catalogued_in_memory(portal):
    snapshot = portal.paths.state / "snapshots" / ".rollback-r2"
    assert catalog_path(snapshot, portal.paths.state) is None
    assert catalog_path(portal.paths.content, portal.paths.state).parent == portal.paths.state / "cache"


def test_hand_edited_files_are_catalogued_as_content_reads_them_and_broken_ones_skipped(tmp_path):
    content, state = tmp_path / "content", tmp_path / ".portal"
    (content / "penalties").mkdir(parents=True)
    head = ("Title: 手工&amp;补录\nDate: 2026-11-01\nSlug: {slug}\nRecord-Type: penalties\nState: live\n"
            "Key-Hash: k{slug}\n")
    odd = '[["decision_no", "第1号"], ["fine", 1e400], ["count", 100000000000000000000000], ["laws", ["甲", "乙"]]]'
    (content / "penalties" / "odd.md").write_text(head.format(slug="odd") + f"Fields: {odd}\n\n", encoding="utf-8")
    (content / "penalties" / "bad-json.md").write_text(head.format(slug="bad-json") + "Fields: [[\n\n",
                                                        encoding="utf-8")
    (content / "penalties" / "not-utf8.md").write_bytes(head.format(slug="not-utf8").encode("gb18030")
                                                        + "Fields: []\n\n说明".encode("gb18030"))
    with open_catalog(content, state) as catalog:
        [odd_record] = catalog.published()["penalties"]  # the two broken files show nothing
        assert pickle.loads(pickle.dumps(odd_record)).fields == odd_record.fields  # fields still undecoded
        with_odd_only = tmp_path / "odd-only"
        (with_odd_only / "penalties").mkdir(parents=True)
        (with_odd_only / "penalties" / "odd.md").write_bytes((content / "penalties" / "odd.md").read_bytes())
        assert odd_record == load_published(with_odd_only)["penalties"][0]
        assert odd_record.title == "手工&补录" and odd_record.value("laws") == ("甲", "乙")
        assert odd_record.value("count") == 10**23
        assert catalog.pages() == scan_content(content)  # pull still sees all three as pages it wrote
    with open_catalog(content, state, refresh=False) as catalog:  # and reads them back alike
        assert catalog.rows() == rebuilt_rows(content, tmp_path / "again")


def count_scans(monkeypatch) -> list[int]:
    scans: list[int] = []
    real = catalog_module.Catalog._refresh

    def counted(self):
        scans.append(1)
        return real(self)

    monkeypatch.setattr(catalog_module.Catalog, "_refresh", counted)
    return scans


def test_a_run_scans_content_once_and_a_page_edited_by_hand_between_pull_and_build_is_built(portal, tmp_path,
                                                                                          monkeypatch):
    scans = count_scans(monkeypatch)
    publish(portal, SAMPLE_NOW)
    edit_penalties(portal)
    scans.clear()
    publish(portal, SAMPLE_NOW)  # pull, the ledger's changes and the build: one scan of content/
    assert len(scans) == 1
    assert_in_step(portal, tmp_path, "after a run")

    pull(portal)  # `portal pull`, then a clerk edits and adds pages by hand, then `portal build`
    edited = next(p for p in sorted((portal.paths.content / "penalties").glob("*.md")) if "State: live" in p.read_text(
        encoding="utf-8"))
    slug = edited.stem
    text = edited.read_text(encoding="utf-8")
    title = text.split("\n", 1)[0].removeprefix("Title: ")
    edited.write_text(text.replace(f"Title: {title}", "Title: 手工更正的标题", 1), encoding="utf-8")
    hand_written(portal)
    built = build_site(portal, SAMPLE_NOW, output=tmp_path / "built", ledger_info=LEDGER, pages=PageIndexes(None, None))
    assert "手工更正的标题" in (built.output / "penalties" / slug / "index.html").read_text(encoding="utf-8")
    assert (built.output / "penalties" / "hand-written" / "index.html").is_file()

    (portal.paths.content / "penalties" / "hand-written.md").unlink()  # and the next run sees it gone
    scans.clear()
    publish(portal, SAMPLE_NOW)
    assert len(scans) == 1
    release = portal.deploy.path / "current"
    assert not (release / "penalties" / "hand-written").exists()
    assert_in_step(portal, tmp_path, "after a hand edit")


def test_one_refresh_trusts_the_catalog_only_inside_its_run(portal, monkeypatch):
    pull(portal)
    scans = count_scans(monkeypatch)
    content, state = portal.paths.content, portal.paths.state
    with one_refresh(content, state):
        with open_catalog(content, state) as catalog:
            before = catalog.published()
        with open_catalog(content, state) as catalog:
            assert catalog.published() == before
        assert len(scans) == 1
        path = catalog_path(content, state)
        for stale in path.parent.glob(path.name + "*"):
            stale.unlink()  # a catalog gone within the run is made again from content/, not trusted empty
        with open_catalog(content, state) as catalog:
            assert catalog.published() == before
        assert len(scans) == 2
    hand_written(portal)
    with open_catalog(content, state) as catalog:  # outside a run every open looks at content/ again
        assert "hand-written" in {r.slug for r in catalog.published()["penalties"]}
    assert len(scans) == 3
