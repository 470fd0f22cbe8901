"""The static search index updated in place (issue 18): ids survive insertions and withdrawals, a change
rewrites only the files it touches, and the result is the bytes of a fresh build; the binary lists round-trip."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from publisher.site.search.analysis import parse_query
from publisher.site.search.documents import SearchDoc
from publisher.site.search.matching import doc_terms
from publisher.site.search.postings import (
    decode_ids,
    decode_order,
    decode_shard,
    encode_ids,
    encode_order,
    encode_shard,
)
from publisher.site.search.static import (
    CHUNK,
    GROUP_BITS,
    Slot,
    assign_ids,
    build_static_index,
    fnv1a,
)
from publisher.site.search.static_reader import StaticReader, logical_files

WORDS = ("滥伐林木", "非法占用林地", "擅自改变林地用途", "未按规定使用", "许可", "检查", "杉木", "马尾松")


def doc(n: int, day: str = "2026-03-01", published: str = "2026-03-05", type_: str = "penalties") -> SearchDoc:
    word = WORDS[n % len(WORDS)]
    body = f"违法事实：{word}{n}号林班\n文号：示林罚决字〔{day[:4]}〕第{n}号"
    return SearchDoc(key=f"{type_}/r{n:05d}", type=type_, url=f"/{type_}/r{n:05d}/", title=f"决定{n}", date=day,
                     year=day[:4], department="", body=body,
                     exact=(f"示林罚决字{day[:4]}{n}",), heading=f"当事人{n} · 行政处罚", shown=(("违法事实", word),),
                     published=published)


def site(count: int) -> list[SearchDoc]:
    rng = random.Random(7)
    return [doc(n, f"{rng.choice((2024, 2025, 2026))}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                type_=rng.choice(("penalties", "permits", "checks"))) for n in range(count)]


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def build(docs: list[SearchDoc], output: Path, slots: list[Slot] = ()) -> Path:
    return output / build_static_index(docs, output, slots=list(slots)).strip("/")


def answers(folder: Path) -> list:
    out = []
    for q in ("林", "滥伐", "示林罚决字〔2026〕第7号", "马尾松 林班"):
        for page in (1, 2):
            r = StaticReader(folder).search(parse_query(q), page=page, page_size=7)
            out.append((r.total, r.facets, [h.url for h in r.hits]))
    return out


def test_the_lists_round_trip_in_every_container_form():
    rng = random.Random(1)
    for ids in ([0], [5, 6, 7, 8], list(range(70_000, 140_000)), sorted(rng.sample(range(200_000), 60_000)),
                sorted(rng.sample(range(2 ** 40), 500)), [2 ** 36 + 3, 2 ** 36 + 65_540]):
        assert decode_ids(encode_ids(ids)) == ids
    assert len(encode_ids(list(range(100_000)))) < 20  # a term in every record: a run per container
    assert len(encode_ids(sorted(rng.sample(range(100_000), 50_000)))) < 13_000  # half of them: a bit each
    for order in ([3, 2, 1, 0], [0, 1, 2], [9, 8, 2, 1, 7, 6, 5], rng.sample(range(1000), 1000)):
        assert decode_order(encode_order(order)) == order
    shard = decode_shard(encode_shard([("a_林", [1, 2]), ("=示林罚决字2026", [2 ** 30])]))
    assert list(shard) == ["a_林", "=示林罚决字2026"] and decode_ids(shard["=示林罚决字2026"]) == [2 ** 30]


def test_ids_survive_an_insertion_and_a_withdrawal(tmp_path):
    docs = site(200)
    before = dict(zip((d.key for d in docs), assign_ids(docs), strict=True))
    gone = docs[50]
    later = [*docs[:50], *docs[51:], doc(9900, "2026-11-20", published="2026-11-24")]  # withdrawn, and one new
    slot = Slot(gone.key, gone.type, gone.url, gone.date, gone.year, gone.published)
    after = dict(zip((d.key for d in later), assign_ids(later, [slot]), strict=True))
    assert all(after[k] == before[k] for k in after if k in before)
    assert after["penalties/r09900"] not in before.values()


def test_a_change_rewrites_only_its_files_and_equals_a_fresh_build(tmp_path):
    docs = site(3000)
    first = build(docs, tmp_path / "site")
    changed = [*docs[:10], replace(docs[10], body=docs[10].body + "\n（经复核更正）"), *docs[11:]]
    changed.append(doc(9901, "2026-11-20", published="2026-11-24"))
    gone = changed.pop(20)
    slots = [Slot(gone.key, gone.type, gone.url, gone.date, gone.year, gone.published)]
    second = build(changed, tmp_path / "site", slots)
    assert second != first and first.is_file()  # the meta before stays for a page that still names it
    old, new = StaticReader(first).table, StaticReader(second).table
    folder = second.parent / new.builds[-1]
    written = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    # Only the files of the three records' terms, rows and groups are new; every other keeps its URL.
    touched = [docs[10], changed[10], gone, changed[-1]]
    ids = dict(zip((d.key for d in docs), assign_ids(docs), strict=True))
    ids |= dict(zip((d.key for d in changed), assign_ids(changed, slots), strict=True))
    shards = StaticReader(second).meta["shards"]
    may = {f"t/{fnv1a(t) % shards}.bin" for d in touched for t in doc_terms(d)}
    may |= {f"d/{ids[d.key] // CHUNK}.json" for d in touched} | {f"o/{ids[d.key] >> GROUP_BITS}.bin" for d in touched}
    plain = {name for name in written if not name.endswith(".gz")}
    assert plain and plain <= may and plain | {name + ".gz" for name in plain} == written
    logical = logical_files(second)
    assert len(plain) < 0.3 * len(logical)
    kept = [name for name in logical if name != "meta" and name not in plain and logical[name]]
    assert kept and all(new.where(name) == old.where(name) for name in kept)
    assert logical_files(build(changed, tmp_path / "fresh", slots)) == logical
    assert answers(second) == answers(build(changed, tmp_path / "fresh2", slots))
    found = StaticReader(second).search(parse_query("经复核更正"))
    assert [h.url for h in found.hits] == [docs[10].url]
    number = f"示林罚决字〔{gone.year}〕第{int(gone.key[-5:])}号"
    assert StaticReader(second).search(parse_query(number)).total == 0


def test_results_come_in_rank_order_across_groups_and_pages(tmp_path):
    docs = site(300)
    folder = build(docs, tmp_path)
    shown = []
    for page in range(1, 20):
        r = StaticReader(folder).search(parse_query("林"), page=page, page_size=25)
        shown += [h.url for h in r.hits]
    from publisher.site.search.matching import doc_rank
    assert shown == [d.url for d in sorted(docs, key=doc_rank, reverse=True)]


def test_a_large_sites_lists_are_made_in_a_process_of_their_own_into_the_same_files(tmp_path, monkeypatch):
    """Issue 18 (peak memory): past `APART` documents a full build's lists are made in a fresh interpreter that
    holds only them, not in the process forked from the build; the files are the ones made in place."""
    from publisher.pull.plan import make_plan, write_plan
    from publisher.site.build import build_site
    from publisher.site.search import static
    from tests.conftest import SAMPLE_NOW, make_sample_portal

    config = make_sample_portal(tmp_path, planted=False)
    write_plan(make_plan(config, SAMPLE_NOW))
    here = build_site(config, SAMPLE_NOW, output=tmp_path / "here").output

    def not_here(*args, **kwargs):
        raise AssertionError("the lists were made in the build's own process")

    monkeypatch.setattr(static, "APART", 1)
    monkeypatch.setattr(static, "_write", not_here)  # the fresh interpreter imports its own, untouched
    apart = build_site(config, SAMPLE_NOW, output=tmp_path / "apart").output
    made_here, made_apart = files(here / "search" / "index"), files(apart / "search" / "index")
    assert len(made_here) > 20 and made_here == made_apart


def test_a_job_apart_runs_once_in_a_fresh_interpreter_even_from_a_script_without_a_main_guard(tmp_path):
    """`apart` does not import the caller's main script again (multiprocessing's spawn would: a script that
    publishes without `if __name__ == "__main__"` would publish twice); a failed job raises in the caller."""
    import subprocess
    import sys

    script = tmp_path / "unguarded.py"
    script.write_text("import os\nfrom publisher.site.background import apart\n"
                      "print('ran', os.getpid(), apart(os.getpid), flush=True)\n"
                      "try:\n    apart(int, 'not a number')\nexcept RuntimeError as exc:\n    print('raised', exc)\n",
                      encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).parent.parent).stdout.splitlines()
    assert len(out) == 2 and out[0].startswith("ran ")
    _, mine, theirs = out[0].split()
    assert mine != theirs
    assert out[1].startswith("raised ") and "ValueError" in out[1]


def test_the_cache_sorts_out_old_versions_only_when_there_are_many_and_keeps_what_kept_indexes_need(tmp_path):
    """Issue 18: finding the old versions no kept index needs decodes every kept state (1.7 s of a 100k republish),
    so the cache lets a few pile up; past stale_allowed() it drops exactly those no kept state or this build needs."""
    import sqlite3

    from publisher.site.search.documents import SiteDocuments
    from publisher.site.search.static_docs import STATES_KEPT, CachedDocs, IndexState, stale_allowed

    docs, path = site(80), tmp_path / "search-static-test.sqlite"

    def version(n: int, run: int) -> str:
        return f"v{n + 1}" if n < run else "v0"  # run r corrects document r-1, and keeps the corrections before

    def run(r: int) -> int:
        listing = SiteDocuments([d.key for d in docs], [version(n, r) for n in range(len(docs))],
                                [d.url for d in docs], docs.__getitem__)
        cache = CachedDocs(path, listing)
        assert len(cache.entries) == len(docs)  # every version this run lists is analysed into the cache
        cache.save_state(f"s{r}", IndexState(1, 0, 0, [], {d.key: version(n, r) for n, d in enumerate(docs)}))
        cache.close()
        with sqlite3.connect(path) as db:
            return db.execute("SELECT count(*) FROM docs").fetchone()[0]

    allowed = stale_allowed(len(docs))
    counts = [run(r) for r in range(allowed + 2)]
    assert counts[: allowed + 1] == [len(docs) + r for r in range(allowed + 1)]  # one old version a run, kept
    last = allowed + 1
    oldest_kept = last - STATES_KEPT + 1  # the runs whose states are kept: their documents' versions stay
    assert counts[-1] == len(docs) + last - oldest_kept
    with sqlite3.connect(path) as db:
        left = set(db.execute("SELECT key, digest FROM docs"))
    assert left == {(d.key, version(n, r)) for r in range(oldest_kept, last + 1) for n, d in enumerate(docs)}
