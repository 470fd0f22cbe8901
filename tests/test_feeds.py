"""Feeds (DESIGN §5) are built from content/ alone and never carry what the gate kept out (§6)."""

from __future__ import annotations

import html
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from pelican import signals
from pelican.settings import DEFAULT_CONFIG

from plugins.feeds import (
    FeedsGenerator,
    disable_pelican_feeds,
    feed_links,
    get_generators,
    register,
    write_feeds,
)
from plugins.pages.writer import PageWriter
from publisher.core.content import load_published
from publisher.core.schema import RECORD_TYPES
from publisher.site.context import BUILD_SETTING, BuildContext
from tests.conftest import SAMPLE_NOW
from tests.factories import ID_NUMBER, penalty, permit, person_penalty

SCRIPT_NAME = "<script>alert(1)</script>样板木业有限公司"
SCRIPT_NO = "示林罚决字〔2026〕第6号<script>x</script>&amp;"
REVOKED_NO = "示林罚决字〔2026〕第4号"
HELD_NO = "示林罚决字〔2026〕第5号"
PERSON = {"party_name": "张某甲", "id_number": ID_NUMBER, "phone": "13912345678"}
FEED_KEYS = [*RECORD_TYPES, "all"]


@pytest.fixture
def site(runner, tmp_path):
    runner.pull([
        penalty(row=2, decision_date="2026-11-12"),
        person_penalty(row=3, decision_date="2026-11-10"),
        permit(row=3),
        penalty(row=4, status="撤销", first_published="2026-11-12"),  # shown before, so its notice is due
        penalty(row=5, review_status="待审核"),
        penalty(row=6, party_name=SCRIPT_NAME, decision_no=SCRIPT_NO, decision_date="2026-11-11"),
    ])
    published = load_published(runner.config.paths.content)
    out = tmp_path / "output"
    written = write_feeds(published, runner.config, out)
    return runner.config, published, out, written


def feed_files(out: Path) -> list[Path]:
    """The feeds, not their gzip twins (publisher/site/precompress.py)."""
    return sorted(p for p in (out / "feeds").iterdir() if p.suffix == ".xml")


def parse(path: Path):
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, (path, parsed.get("bozo_exception"))
    return parsed


def test_one_rss_and_one_atom_feed_per_type_and_for_everything(site):
    config, published, out, written = site
    expected = sorted(out / "feeds" / f"{key}.{kind}.xml" for key in FEED_KEYS for kind in ("rss", "atom"))
    assert sorted(written) == expected == feed_files(out)
    assert all(not p.name.startswith(".") for p in feed_files(out))  # no temporary file left behind


@pytest.mark.parametrize("key", FEED_KEYS)
def test_feed_titles_are_chinese_and_links_absolute(site, key):
    config, published, out, _ = site
    zh = "全部公示信息" if key == "all" else RECORD_TYPES[key].zh
    for kind, mime in (("rss", "application/rss+xml"), ("atom", "application/atom+xml")):
        feed = parse(out / "feeds" / f"{key}.{kind}.xml").feed
        assert feed.title == f"{config.site.name} · {zh}"
        assert feed.language == "zh-CN"
        links = {link["rel"]: link for link in feed.links}
        assert links["self"]["href"] == f"{config.site.url}/feeds/{key}.{kind}.xml"
        assert links["self"]["type"] == mime
        assert links["alternate"]["href"] == config.site.url + ("/" if key == "all" else f"/{key}/")


def test_entries_are_the_live_records_with_absolute_stable_links(site):
    config, published, out, _ = site
    live = {f"{config.site.url}/{r.type}/{r.slug}/" for records in published.values() for r in records if r.live}
    assert len(live) == 4  # two penalties, a natural person's penalty and a permit
    for path in feed_files(out):
        key = path.name.split(".")[0]
        expected = live if key == "all" else {u for u in live if u.startswith(f"{config.site.url}/{key}/")}
        entries = parse(path).entries
        assert {e.link for e in entries} == expected, path.name
        for e in entries:
            assert e.id == e.link  # the absolute URL: stable across builds, and what readers dedupe on


def test_withdrawn_held_and_unmasked_data_appear_in_no_feed(site):
    config, published, out, _ = site
    withdrawn = [r for r in published["penalties"] if not r.live]
    assert len(withdrawn) == 1  # the revoked row became a notice in content/ ...
    forbidden = [REVOKED_NO, HELD_NO, PERSON["party_name"], PERSON["id_number"], PERSON["id_number"][6:14],
                 PERSON["phone"], withdrawn[0].slug, "已撤回"]
    for path in feed_files(out):
        data = path.read_bytes()
        for text in forbidden:  # ... and reaches no feed
            assert text.encode("utf-8") not in data, (path.name, text)
        parsed = parse(path)
        shown = " ".join(f"{e.title} {e.summary} {e.link}" for e in parsed.entries)
        assert not any(text in shown for text in forbidden), path.name


def test_summary_is_a_few_labelled_shown_fields(site):
    config, published, out, _ = site
    entries = {e.title: e for e in parse(out / "feeds" / "penalties.atom.xml").entries}
    person = entries["【行政处罚】示林罚决字〔2026〕第3号"]
    assert person.summary_detail.type == "text/plain"
    parts = person.summary.split("；")
    assert len(parts) <= 5
    assert parts[0] == "行政相对人名称：张**"
    assert "处罚类别：罚款" in parts and "证件号码" not in person.summary


def test_entries_are_newest_first_with_local_dates(site):
    config, published, out, _ = site
    atom = parse(out / "feeds" / "penalties.atom.xml")
    assert [e.link.rsplit("/", 2)[-2] for e in atom.entries] == [
        r.slug for r in sorted((r for r in published["penalties"] if r.live), key=lambda r: r.date, reverse=True)]
    root = ET.parse(out / "feeds" / "penalties.atom.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    newest = max(r.published for r in published["penalties"] if r.live)
    assert root.findtext("a:updated", namespaces=ns) == f"{newest}T00:00:00+08:00"
    for entry in root.findall("a:entry", ns):
        assert entry.findtext("a:published", namespaces=ns).endswith("T00:00:00+08:00")
    rss = parse(out / "feeds" / "penalties.rss.xml")
    assert all(e.published.endswith("00:00:00 +0800") for e in rss.entries)


def test_limit_caps_every_feed(site, tmp_path):
    config, published, out, _ = site
    write_feeds(published, config, tmp_path / "capped", limit=1)
    for path in feed_files(tmp_path / "capped"):
        assert len(parse(path).entries) <= 1
    newest = next(r for r in published["penalties"] if r.live)  # 2026-11-12, the newest decision of all types
    assert parse(tmp_path / "capped" / "feeds" / "all.atom.xml").entries[0].link.endswith(f"/penalties/{newest.slug}/")


def test_record_text_is_escaped_never_markup(site):
    config, published, out, _ = site
    title = f"【行政处罚】{SCRIPT_NO}"
    atom = {e.title: e for e in parse(out / "feeds" / "penalties.atom.xml").entries}
    assert SCRIPT_NAME in atom[title].summary and atom[title].summary_detail.type == "text/plain"
    rss = {e.title: e for e in parse(out / "feeds" / "penalties.rss.xml").entries}
    # RSS descriptions are read as HTML, so the text is escaped for HTML too: it shows as itself.
    assert rss[title].summary_detail.type == "text/html"
    assert SCRIPT_NAME in html.unescape(rss[title].summary)
    for path in feed_files(out):
        data = path.read_bytes()
        assert b"<script" not in data
        assert not [el for el in ET.fromstring(data).iter() if el.tag.rsplit("}", 1)[-1] == "script"]


def test_unchanged_feeds_are_not_rewritten(site):
    config, published, out, _ = site
    for path in feed_files(out):
        os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    before = {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in feed_files(out)}
    assert write_feeds(load_published(config.paths.content), config, out) == []
    assert {p: (p.stat().st_mtime_ns, p.read_bytes()) for p in feed_files(out)} == before


def test_output_is_byte_identical_across_builds(site, tmp_path):
    config, published, out, _ = site
    write_feeds(load_published(config.paths.content), config, tmp_path / "again")
    for path in feed_files(out):
        assert (tmp_path / "again" / "feeds" / path.name).read_bytes() == path.read_bytes()


def test_a_new_record_rewrites_only_its_feeds(site, runner):
    config, published, out, _ = site
    runner.pull([
        penalty(row=2, decision_date="2026-11-12"),
        person_penalty(row=3, decision_date="2026-11-10"),
        permit(row=3),
        permit(row=7),
        penalty(row=4, status="撤销", first_published="2026-11-12"),  # shown before, so its notice is due
        penalty(row=5, review_status="待审核"),
        penalty(row=6, party_name=SCRIPT_NAME, decision_no=SCRIPT_NO, decision_date="2026-11-11"),
    ])
    written = write_feeds(load_published(config.paths.content), config, out)
    assert sorted(p.name for p in written) == ["all.atom.xml", "all.rss.xml", "permits.atom.xml", "permits.rss.xml"]


def test_a_withdrawn_record_leaves_the_feeds(site, runner):
    config, published, out, _ = site
    runner.pull([
        penalty(row=2, decision_date="2026-11-12", status="撤销"),
        person_penalty(row=3, decision_date="2026-11-10"),
        permit(row=3),
        penalty(row=4, status="撤销", first_published="2026-11-12"),  # shown before, so its notice is due
        penalty(row=6, party_name=SCRIPT_NAME, decision_no=SCRIPT_NO, decision_date="2026-11-11"),
    ])
    write_feeds(load_published(config.paths.content), config, out)
    for path in feed_files(out):
        assert "示林罚决字〔2026〕第2号".encode() not in path.read_bytes()


def test_empty_feeds_are_valid_and_stable(config, tmp_path):
    published = load_published(config.paths.content)
    assert write_feeds(published, config, tmp_path / "a")
    write_feeds(published, config, tmp_path / "b")
    for path in feed_files(tmp_path / "a"):
        assert parse(path).entries == []
        assert (tmp_path / "b" / "feeds" / path.name).read_bytes() == path.read_bytes()


def test_feed_links_for_templates(config):
    links = feed_links("penalties", config)
    assert [link["type"] for link in links] == ["application/rss+xml", "application/atom+xml"]
    assert [link["href"] for link in links] == [f"{config.site.url}/feeds/penalties.rss.xml",
                                                f"{config.site.url}/feeds/penalties.atom.xml"]
    assert all(link["rel"] == "alternate" and "行政处罚" in link["title"] for link in links)
    assert [link["href"] for link in feed_links(None, config)] == [f"{config.site.url}/feeds/all.rss.xml",
                                                                   f"{config.site.url}/feeds/all.atom.xml"]


def test_pelican_generator_writes_feeds_from_the_context(site, tmp_path):
    config, published, out, _ = site
    build = BuildContext(config, SAMPLE_NOW.date(), published=published)
    build.pages = PageWriter(lambda name: None, tmp_path / "pelican", config, {})  # the pages plugin's writer
    settings = {**DEFAULT_CONFIG, BUILD_SETTING: build}
    generator = FeedsGenerator(context={}, settings=settings, path=str(config.paths.content),
                               theme=DEFAULT_CONFIG["THEME"], output_path=str(tmp_path / "pelican"))
    generator.generate_output(writer=None)
    assert [p.name for p in feed_files(tmp_path / "pelican")] == [p.name for p in feed_files(out)]
    for path in feed_files(out):
        assert (tmp_path / "pelican" / "feeds" / path.name).read_bytes() == path.read_bytes()


def test_plugin_registers_its_generator_and_turns_off_pelicans_feeds():
    register()
    try:
        assert get_generators in [r() for r in signals.get_generators.receivers.values()]
        assert disable_pelican_feeds in [r() for r in signals.initialized.receivers.values()]
    finally:  # signals are global: other tests' Pelican runs must not get this generator
        signals.get_generators.disconnect(get_generators)
        signals.initialized.disconnect(disable_pelican_feeds)
    assert get_generators(None) is FeedsGenerator

    class FakePelican:
        settings = dict(DEFAULT_CONFIG)

    disable_pelican_feeds(FakePelican)
    assert FakePelican.settings["FEED_ALL_ATOM"] is None and FakePelican.settings["CATEGORY_FEED_ATOM"] is None
