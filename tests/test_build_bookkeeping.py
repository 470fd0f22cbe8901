"""A republish does the build's bookkeeping for what changed (issue 18): a type whose records are the same as
last build's is not paginated again, and what is kept equals what a full build makes."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from publisher.core.config import Config
from publisher.runs.annual import annual_reports
from publisher.runs.ledger import ledger_of
from publisher.runs.publication import publish
from publisher.site.build import PageIndexes, build_site
from tests.conftest import SAMPLE_NOW, make_sample_portal
from tests.test_incremental import assert_same_site, edit_penalties


def _counting_pagination(monkeypatch) -> Counter[str]:
    paginated: Counter[str] = Counter()
    pages_plugin = sys.modules["pages"]  # Pelican loads the plugin as `pages` (PLUGIN_PATHS), after a first build
    real = pages_plugin.list_pages

    def counting(type_key, records):
        paginated[type_key] += 1
        return real(type_key, records)

    monkeypatch.setattr(pages_plugin, "list_pages", counting)
    return paginated


def _full_build(config: Config, output: Path) -> None:
    build_site(config, SAMPLE_NOW, output=output, pages=PageIndexes(None, None, keep_search_indexes=1),
               annual=annual_reports(config, SAMPLE_NOW))


def test_a_republish_paginates_only_the_changed_types_lists_and_equals_a_full_build(tmp_path, monkeypatch):
    config = make_sample_portal(tmp_path, planted=False)
    publish(config, SAMPLE_NOW)
    edit_penalties(config)
    paginated = _counting_pagination(monkeypatch)
    second = publish(config, SAMPLE_NOW)
    assert paginated == Counter({"penalties": 1})  # one correction, one withdrawal, one new decision
    run = next(e for e in ledger_of(config).entries() if e.kind == "run" and e.body["run_id"] == second.run_id)
    full = tmp_path / "full"
    build_site(config, SAMPLE_NOW, output=full, pages=PageIndexes(None, None, keep_search_indexes=1),
               ledger_info={"run": second.run_id, "hash": second.entry_hash, "time": run.body["started"]},
               annual=annual_reports(config, SAMPLE_NOW))
    assert_same_site(config.deploy.path / "releases" / second.release, full)


def test_kept_list_pages_equal_a_full_build_without_the_cache(tmp_path):
    config = make_sample_portal(tmp_path, planted=False)
    kept, afresh = tmp_path / "kept", tmp_path / "afresh"
    _full_build(config, kept)
    _full_build(config, kept)  # the second build reads every type's pagination back
    for path in (config.paths.state / "cache" / "lists").iterdir():
        path.write_bytes(b"torn")  # a damaged cache is paginated again, never trusted
    _full_build(config, afresh)
    assert_same_site(kept, afresh)


def test_a_run_pauses_automatic_garbage_collection_and_gives_it_back_even_when_it_fails(tmp_path, monkeypatch):
    import gc

    import publisher.runs.publication as publication

    config = make_sample_portal(tmp_path, planted=False)
    seen: list[bool] = []
    build = publication.build_site

    def watching(*args, **kwargs):
        seen.append(gc.isenabled())
        return build(*args, **kwargs)

    monkeypatch.setattr(publication, "build_site", watching)
    assert gc.isenabled()
    publish(config, SAMPLE_NOW)
    assert seen == [False] and gc.isenabled()  # paused for the run (the stages collect), then given back

    def failing(*args, **kwargs):
        raise RuntimeError("构建失败")

    monkeypatch.setattr(publication, "build_site", failing)
    try:
        publish(config, SAMPLE_NOW)
    except RuntimeError:
        pass
    assert gc.isenabled()


def test_the_page_index_reads_back_what_was_written_and_a_torn_or_old_one_safely(tmp_path):
    from plugins.pages.writer import read_page_index, write_page_index

    path = tmp_path / "index"
    produced = {"/penalties/a/": "f" * 32, "/a\tb/\n": "", "/页面/": "0" * 32}
    write_page_index(path, produced)
    assert read_page_index(path) == produced
    path.write_bytes(path.read_bytes()[:-9])  # torn: nothing is trusted, every page is rendered again
    assert read_page_index(path) == {}
    path.write_text("f1\t/penalties/a/\n\t/about/\n", encoding="utf-8")  # the index a release made before
    assert read_page_index(path) == {"/penalties/a/": "f1", "/about/": ""}
    assert read_page_index(tmp_path / "none") == {} and read_page_index(None) == {}
