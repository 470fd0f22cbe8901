"""Both search indexes follow a one-record republish in proportion to what changed (issue 18): the site's documents
are listed once (key, digest, URL) and compared with what each index holds, only the changed documents are made
and analysed, and every patched index is the one a full build of the same documents makes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from publisher.site.search import static
from publisher.site.search.analysis import parse_query
from publisher.site.search.documents import SearchDoc, SiteDocuments, docs_hash, profile_digest
from publisher.site.search.static import GROUP_BITS, Slot, assign_ids, build_static_index
from publisher.site.search.static_patch import update_static_index
from publisher.site.search.static_reader import StaticReader, logical_files
from tests.test_static_search import answers, doc, site


class Site:
    """One site's static index, published again and again from the documents given, counting what is made."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.output, self.cache = root, root / "site", root / "state" / "search-static-test.sqlite"
        self.made = self.full = 0
        write = static._write

        def counted(*args, **kwargs):
            self.full += 1
            return write(*args, **kwargs)

        monkeypatch.setattr(static, "_write", counted)

    def listing(self, docs: list[SearchDoc]) -> SiteDocuments:
        def make(i: int) -> SearchDoc:
            self.made += 1
            return docs[i]

        return SiteDocuments([d.key for d in docs], [profile_digest(d) for d in docs], [d.url for d in docs], make)

    def publish(self, docs: list[SearchDoc], slots: list[Slot] = ()) -> tuple[Path, int, int]:
        """The new meta, the documents made and whether it was built in full."""
        made, full = self.made, self.full
        name = docs_hash(docs, "static:" + ",".join(sorted(s.key for s in slots)))
        url = update_static_index(self.listing(docs), self.output, 2, name, list(slots), self.cache)
        return self.output / url.strip("/"), self.made - made, self.full - full

    def fresh(self, docs: list[SearchDoc], slots: list[Slot] = ()) -> Path:
        full = self.full
        folder = self.root / f"fresh-{full}"
        meta = folder / build_static_index(docs, folder, slots=list(slots)).strip("/")
        self.full = full
        return meta


def slot_of(d: SearchDoc) -> Slot:
    return Slot(d.key, d.type, d.url, d.date, d.year, d.published)


def assert_as_fresh(s: Site, meta: Path, docs: list[SearchDoc], slots: list[Slot] = ()) -> None:
    fresh = s.fresh(docs, slots)
    assert logical_files(meta) == logical_files(fresh)
    assert answers(meta) == answers(fresh)


def test_each_change_is_patched_making_only_its_documents_and_equals_a_full_build(tmp_path, monkeypatch):
    s = Site(tmp_path, monkeypatch)
    docs = site(3000)
    meta, made, full = s.publish(docs)
    assert (made, full) == (3000, 1)  # the first build analyses every document
    assert s.publish(docs)[1:] == (0, 0)  # the same documents: nothing made, nothing built

    steps = []
    docs = [*docs[:10], replace(docs[10], body=docs[10].body + "\n（经复核更正）"), *docs[11:]]
    steps.append(("a correction", docs, [], 1))
    docs = [*docs, doc(9901, "2026-11-20", published="2026-11-24")]
    steps.append(("an addition, numbered last in its group", docs, [], 1))
    middle = doc(9902, "2025-06-15")  # published with the others: numbered by rank, before half its group
    docs = [*docs, middle]
    steps.append(("an addition that moves others' ids", docs, [], 1))
    ids = assign_ids(docs)
    group = ids[20] >> GROUP_BITS
    last = max((i for i in range(len(docs)) if ids[i] >> GROUP_BITS == group), key=ids.__getitem__)
    gone, later = docs[20], docs[last]  # one from the middle of its group, one numbered last in it
    docs = [d for d in docs if d.key not in (gone.key, later.key)]
    slots = [slot_of(gone), slot_of(later)]
    steps.append(("two withdrawals, their ids kept as slots", docs, slots, 0))
    docs = [*docs[:30], replace(docs[30], date="2027-01-02", year="2027"), *docs[31:]]
    steps.append(("a record moved to a year no other has", docs, slots, 1))
    docs = [replace(d, body=d.body + "。") if d.key in (docs[40].key, docs[41].key) else d for d in docs]
    docs = [d for d in docs if d.key != docs[50].key]
    steps.append(("two corrections and a deletion at once", docs, slots, 2))
    steps.append(("the last slot gone (its notice removed)", docs, slots[:1], 0))
    after = replace(later, key="penalties/r09903", url="/penalties/r09903/", published="2026-11-25")
    docs = [*docs, after]
    steps.append(("an addition numbered where that slot was", docs, slots[:1], 1))
    docs = [replace(d, body=d.body + "更正") if d.key == docs[70].key else d for d in docs if d.key != after.key]
    steps.append(("a deletion and a correction", docs, slots[:1], 1))
    docs = [*docs[:60], replace(docs[60], body=docs[60].body + "更正"), *docs[61:], after]
    steps.append(("a correction, and a version back that the cache still holds: not made again", docs, slots[:1], 1))
    for what, now, slots_now, changed in steps:
        meta, made, full = s.publish(now, slots_now)
        assert (made, full) == (changed, 0), what
        assert_as_fresh(s, meta, now, slots_now)
    assert StaticReader(meta).search(parse_query("经复核更正")).total == 1


def test_what_a_patch_cannot_match_is_built_in_full_and_still_equals_a_full_build(tmp_path, monkeypatch):
    s = Site(tmp_path, monkeypatch)
    docs = site(600)
    s.publish(docs)
    docs = [*docs[:5], replace(docs[5], shown=(("违法事实", "杉木"), ("处罚依据", "森林法"))), *docs[6:]]
    meta, made, full = s.publish(docs)  # a label no document had: meta's labels change, so every row does
    assert (made, full) == (1, 1)
    assert_as_fresh(s, meta, docs)
    # No year, or not four digits: one group (0) holds both, and meta names the year of the first one listed.
    docs = [*docs[:7], replace(docs[7], type="penalties", date="", year=""),
            replace(docs[8], type="penalties", date="x", year="x"), *docs[9:]]
    meta, made, full = s.publish(docs)
    assert (made, full) == (2, 1)
    assert_as_fresh(s, meta, docs)
    docs = [*docs[:7], *docs[8:]]  # the first one gone: the group's year text is the other's now
    meta, made, full = s.publish(docs)
    assert (made, full) == (0, 1)
    assert_as_fresh(s, meta, docs)
    docs = [replace(d, body=d.body + "；") for d in docs[:100]] + docs[100:]  # past PATCH_SHARE
    meta, made, full = s.publish(docs)
    assert (made, full) == (100, 1)
    assert_as_fresh(s, meta, docs)


def test_a_lost_or_corrupt_cache_falls_back_to_a_full_build_with_the_same_files(tmp_path, monkeypatch):
    s = Site(tmp_path, monkeypatch)
    docs = site(400)
    s.publish(docs)
    docs = [*docs[:3], replace(docs[3], body=docs[3].body + "更正"), *docs[4:]]
    for path in s.cache.parent.glob(s.cache.name + "*"):  # the cache deleted, with its journal
        path.unlink()
    meta, made, full = s.publish(docs)
    assert (made, full) == (400, 1)
    assert_as_fresh(s, meta, docs)

    import sqlite3

    with sqlite3.connect(s.cache) as db:
        db.execute("UPDATE states SET state = ?", (b'{"shards": 1}',))  # a state this code did not write whole
    docs = [*docs[:4], replace(docs[4], body=docs[4].body + "更正"), *docs[5:]]
    meta, made, full = s.publish(docs)
    assert (made, full) == (1, 1)
    assert_as_fresh(s, meta, docs)

    with sqlite3.connect(s.cache) as db:  # a document version the state names, gone from the cache
        db.execute("DELETE FROM docs WHERE key = ?", (docs[4].key,))
    docs = [*docs[:4], replace(docs[4], body=docs[4].body + "再更正"), *docs[5:]]
    meta, made, full = s.publish(docs)
    assert full == 1
    assert_as_fresh(s, meta, docs)


def test_a_key_listed_twice_is_never_patched(tmp_path, monkeypatch):
    s = Site(tmp_path, monkeypatch)
    docs = site(200)
    s.publish(docs)
    twice = [*docs, replace(docs[3], url="/penalties/other/")]
    assert s.publish(twice)[2] == 1


def service_answers(path: Path, engine) -> list:
    index = engine.open(path)
    try:
        return [(r.total, r.facets, [h.url for h in r.hits])
                for q in ("林", "滥伐", "马尾松 林班", "经复核更正", "示林罚决字〔2025〕第7号")
                for r in [index.search(parse_query(q), page_size=500)]]
    finally:
        index.close()


def test_the_service_index_makes_only_the_changed_documents_and_answers_as_a_full_build(tmp_path):
    from publisher.site.search import store
    from publisher.site.search.tantivy_backend import TantivyBackend

    engine, made = TantivyBackend(), []

    def listing(docs: list[SearchDoc]) -> SiteDocuments:
        def make(i: int) -> SearchDoc:
            made.append(docs[i].key)
            return docs[i]

        return SiteDocuments([d.key for d in docs], [profile_digest(d) for d in docs], [d.url for d in docs], make)

    docs = site(300)
    store.index_documents(listing(docs), tmp_path / "site", engine)
    assert len(made) == 300
    made.clear()
    docs = [*docs[:10], replace(docs[10], body=docs[10].body + "\n（经复核更正）"), *docs[11:]]
    docs.pop(30)
    docs.append(doc(9901, "2026-11-20", published="2026-11-24"))
    updated = store.index_documents(listing(docs), tmp_path / "site", engine)
    assert made == [docs[10].key, "penalties/r09901"]  # the correction and the addition, in the listing's order
    made.clear()
    fresh = store.index_documents(listing(docs), tmp_path / "fresh", engine)
    assert service_answers(updated, engine) == service_answers(fresh, engine)
    assert (updated / store.RECORDS).read_bytes() == (fresh / store.RECORDS).read_bytes()

    (updated / store.RECORDS).write_text("a line without its tab\n", encoding="utf-8")  # not a file this code wrote
    made.clear()
    docs = [*docs[:3], replace(docs[3], body=docs[3].body + "更正"), *docs[4:]]
    rebuilt = store.index_documents(listing(docs), tmp_path / "site", engine)
    assert len(made) == len(docs)  # indexed afresh
    fresh = store.index_documents(listing(docs), tmp_path / "fresh2", engine)
    assert service_answers(rebuilt, engine) == service_answers(fresh, engine)


def test_a_one_record_republish_makes_that_records_document_once_per_index(tmp_path, monkeypatch):
    """In a site build: the corrected record's document is made once for the static index (in its own process) and
    once for the service; no other record's is, and the site is the one a full build makes."""
    import csv

    from publisher.core.config import load_config
    from publisher.pull.plan import make_plan, write_plan
    from publisher.site.build import PageIndexes, build_site
    from publisher.site.search import documents
    from tests.conftest import SAMPLE_NOW, make_sample_portal
    from tests.test_incremental import assert_same_site

    config = make_sample_portal(tmp_path, planted=False)
    text = config.path.read_text(encoding="utf-8")
    config.path.write_text(text.replace('# [search]\n# backend = "tantivy"', '[search]\nbackend = "tantivy"'),
                           encoding="utf-8")
    config = load_config(config.path)
    ledger = {"run": "r1", "hash": "ab" * 32, "time": "2026-11-24T10:00:00"}
    in_place = PageIndexes.beside(config, config.paths.output)
    write_plan(make_plan(config, SAMPLE_NOW))
    build_site(config, SAMPLE_NOW, ledger_info=ledger, pages=in_place)

    path = config.path.parent / "data" / "penalties.csv"
    with path.open(encoding="gb18030", newline="") as fh:
        header, *rows = list(csv.reader(fh))
    col = {name: i for i, name in enumerate(header)}
    shown = [r for r in rows if r[col["审核状态"]] == "已审核" and r[col["当前状态"]] == "正常"]
    shown[3][col["违法事实"]] += "（经复核更正）"
    with path.open("w", encoding="gb18030", newline="") as fh:
        csv.writer(fh).writerows([header, *rows])
    write_plan(make_plan(config, SAMPLE_NOW))

    log, search_doc = tmp_path / "made.txt", documents.search_doc

    def logged(record):  # a file, not a list: the static index is made in a forked process
        with log.open("a", encoding="utf-8") as fh:
            fh.write(f"{record.type}/{record.slug}\n")
        return search_doc(record)

    def no_full_build(*args, **kwargs):
        raise AssertionError("the static index was built afresh, not patched")

    monkeypatch.setattr(documents, "search_doc", logged)
    monkeypatch.setattr(static, "_write", no_full_build)
    build_site(config, SAMPLE_NOW, ledger_info=ledger, pages=in_place)
    monkeypatch.undo()
    made = log.read_text(encoding="utf-8").split()
    assert len(made) == 2 and len(set(made)) == 1 and made[0].startswith("penalties/")
    full = build_site(config, SAMPLE_NOW, output=tmp_path / "full", ledger_info=ledger, pages=PageIndexes(None, None))
    assert_same_site(config.paths.output, full.output)


def test_the_listing_gives_each_record_its_key_digest_and_url(sample_site):
    from publisher.core.content import load_published
    from publisher.site.parties import collect_parties
    from publisher.site.search.documents import profile_docs, search_docs, search_records, site_documents

    published = load_published(sample_site.config.paths.content)
    listing = site_documents(published, profile_docs(collect_parties(published)))
    docs = search_docs(published)
    records = search_records(published)
    assert listing.keys == [d.key for d in docs] and listing.urls == [d.url for d in docs]
    assert listing.digests[listing.records_from:] == [r.digest for r in records]
    assert [listing.make(i) for i in range(len(listing))] == docs
    assert listing.records_lines == "".join(f"{r.url}\t{r.digest}\n" for r in records).encode()
