"""Search at province scale (issue 7): tantivy beside whoosh at 1k-1M records, and the static fallback at 100k.

    .venv/bin/python -m bench.search_scale                          # 1k 20k 200k 1M; whoosh up to 20k
    .venv/bin/python -m bench.search_scale --counts 1000 20000 --whoosh-max 20000 --static 20000
    .venv/bin/python -m bench.search_scale --counts 100000 --no-tantivy --static 100000

Records are made from bench.generate's building blocks (one `_Maker`, so decision numbers and codes
stay unique) and pass the real gate row by row: parse_row → decide → redact → the fields a page
shows → search_doc. That is what `portal pull` + `load_published` give (a test checks it on a small
count) without writing a million Markdown files. They are written once to a JSONL cache
(--cache, default /tmp/search-scale-cache) and streamed from it, so a million never sit in memory.

Each count runs in its own interpreter: peak RSS is that count's (wait4). Latency: 200 queries
(names, fragments, decision numbers, codes, laws, one- and two-character words) run once to warm
the page cache, then timed; p50/p95 of the timed pass. Recall: every query drawn from a record must
find that record (known-item recall over all matches, no paging); where whoosh also runs, both
engines must report the same total for every query. Worst cases are timed on their own.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.generate import SOURCE, _Maker, type_counts
from bench.search_bench import pct, queries, size_of
from publisher.core.config import load_config
from publisher.core.content import PublishedRecord, public_value, title_of
from publisher.core.schema import RECORD_TYPES
from publisher.pull.redaction import redact
from publisher.pull.rows import Origin, RawRow, Record
from publisher.pull.rules import Outcome, RuleContext, decide
from publisher.pull.validation import parse_row
from publisher.site.search.analysis import analyze, compact, parse_query
from publisher.site.search.documents import SearchDoc, search_doc

NOW = datetime(2026, 11, 24, 10, 0)  # the tests' and bench.run's clock
ROOT = Path(__file__).resolve().parent.parent
SAMPLE = 2000  # records kept (evenly spread) to draw queries from
PAYMENT = ("当事人应当自收到本决定书之日起十五日内，持本决定书到示例县农村商业银行各营业网点缴纳罚款。"
           "当事人对本决定不服的，可以在收到本决定书之日起六十日内向示例县人民政府申请")  # in every penalty
WORST = {  # the slowest kinds of query a citizen can send within the service's limits
    "one character in every record (林)": ("林", 1),
    "every record (示例县)": ("示例县", 1),
    "100-character sentence in every penalty": (PAYMENT[:100], 1),
    "8 one-character terms": ("林 法 罚 款 县 局 示 例", 1),
    "page 100 of 林": ("林", 100),
}


# ---- records -----------------------------------------------------------------------------------

def _rows(count: int, seed: int) -> Iterator[tuple[str, dict[str, str], int]]:
    """bench.generate.generate_rows, one row at a time, in the same order with the same maker."""
    maker, n = _Maker(seed), type_counts(count)
    yield from (("penalties", maker.penalty(), i) for i in range(n["penalties"]))
    yield from (("permits", maker.permit(), i) for i in range(n["permits"]))
    yield from (("inspections", maker.inspection(i), i) for i in range(n["inspections"]))
    yield from (("officers", maker.officer(i), i) for i in range(n["officers"]))
    yield from (("matters", maker.matter(i), i) for i in range(n["matters"]))
    yield from (("subjects", maker.subject(i), i) for i in range(n["subjects"]))
    windows = max(n["windows"], 1) if n["guides"] else 0
    guides = [maker.guide(i, i % windows) for i in range(n["guides"])]
    yield from (("guides", g, i) for i, g in enumerate(guides))
    for i in range(n["windows"]):
        codes = [g["code"] for g in guides if g["window"] == f"CK-{i + 1:03d}"]
        yield "windows", maker.window(i, codes), i


def shown_doc(type_key: str, values: dict[str, str], row: int, ctx: RuleContext, mask: str) -> SearchDoc | None:
    """The search document of a row as content/ would hold it, or None when the gate does not show it."""
    record = parse_row(RawRow(type_key, values, Origin(SOURCE, f"{type_key}.csv", row + 2)), ctx.today)
    if not isinstance(record, Record) or decide(record, ctx).outcome is not Outcome.SHOW:
        return None
    rtype = RECORD_TYPES[type_key]
    public = redact(type_key, record.values, mask)
    fields = [(f.name, tuple(v) if isinstance(v, list) else v) for f in rtype.public_fields
              if (v := public_value(public.get(f.name))) is not None]
    first = record.get("first_published")
    published = first.isoformat() if first else NOW.date().isoformat()
    day = record.get(rtype.date_field) if rtype.date_field else None
    return search_doc(PublishedRecord(type=type_key, slug=record.slug, title=" ".join(title_of(rtype, dict(fields))
                                      .split()), date=day.isoformat() if day else published, published=published,
                                      state="live", fields=tuple(fields)))


def stream_docs(count: int, seed: int = 1) -> Iterator[SearchDoc]:
    ctx = RuleContext(now=NOW, policy=load_config(ROOT / "portal.toml").policy)
    for type_key, values, row in _rows(count, seed):
        if doc := shown_doc(type_key, values, row, ctx, ctx.policy.name_mask):
            yield doc


def cached_docs(count: int, seed: int, cache: Path) -> tuple[Path, float | None]:
    """The JSONL file of `count` records' documents, written on first use; (path, seconds to make it)."""
    path = cache / f"docs-{count}-{seed}.jsonl"
    if path.is_file():
        return path, None
    cache.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    tmp = path.with_suffix(".tmp")
    with tmp.open("w", encoding="utf-8") as f:
        for doc in stream_docs(count, seed):
            f.write(json.dumps(asdict(doc), ensure_ascii=False) + "\n")
    tmp.rename(path)
    return path, time.perf_counter() - started


def read_docs(path: Path) -> Iterator[SearchDoc]:
    with path.open(encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            yield SearchDoc(**{**d, "exact": tuple(d["exact"]), "codes": tuple(d["codes"]),
                               "shown": tuple(map(tuple, d["shown"]))})


def newest_first(docs: list[SearchDoc]) -> list[SearchDoc]:
    """search_docs' order: by type in schema order, newest first within a type."""
    by_type: dict[str, list[SearchDoc]] = {}
    for d in docs:
        by_type.setdefault(d.type, []).append(d)
    return [d for t in RECORD_TYPES for d in sorted(by_type.get(t, []), key=lambda d: (d.date, d.url), reverse=True)]


# ---- measuring one count (in its own interpreter) ---------------------------------------------

def _timed(index: Any, qs: list[str]) -> list[float]:
    out = []
    for q in qs:
        started = time.perf_counter()
        index.search(parse_query(q))
        out.append((time.perf_counter() - started) * 1000)
    return out


def _latency(index: Any, qs: list[str]) -> dict[str, float]:
    cold = _timed(index, qs)  # the first pass reads the index from disk into the page cache
    warm = _timed(index, qs)
    return {"p50": pct(warm, 50), "p95": pct(warm, 95), "max": max(warm), "cold_p95": pct(cold, 95)}


def _engine(name: str, docs: Any, work: Path) -> tuple[Any, dict[str, Any]]:
    from publisher.site.search.store import default_backend

    backend = default_backend(name)
    path = work / name
    path.mkdir()
    started = time.perf_counter()
    backend.build(docs, path)
    built = time.perf_counter() - started
    return backend.open(path), {"build_s": built, "size_mb": size_of(path)[0] / 1e6}


def measure(count: int, args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"count": count, "load_before": os.getloadavg()[0]}
    path, made = cached_docs(count, args.seed, args.cache)
    out["generate_s"] = made
    started = time.perf_counter()
    sample, shown = [], 0
    step = max(1, sum(1 for _ in path.open(encoding="utf-8")) // SAMPLE)
    for i, doc in enumerate(read_docs(path)):
        shown += 1
        if i % step == 0:
            sample.append(doc)
    out["read_s"], out["shown"] = time.perf_counter() - started, shown
    qs = queries(sample)
    sources = _query_sources(sample, qs)
    with tempfile.TemporaryDirectory(prefix="search-scale-", dir=args.work) as tmp:
        if args.tantivy:
            index, out["tantivy"] = _engine("tantivy", read_docs(path), Path(tmp))
            out["tantivy"] |= _latency(index, qs)
            out["tantivy"]["segments"] = index.segments
            found = [index.contains(parse_query(q), url) for q, url in sources]
            out["tantivy"]["known_item_recall"], out["tantivy"]["known_items"] = sum(found) / len(found), len(found)
            out["tantivy"]["worst_ms"] = {k: _worst(index, q, page) for k, (q, page) in WORST.items()}
            totals = [index.search(parse_query(q)).total for q in qs]
            if count <= args.truth_max:  # every record checked against every query: recall and precision
                contracts = [Contract(d) for d in read_docs(path)]
                expected = [sum(c.matches(q) for c in contracts) for q in qs]
                out["tantivy"]["exact_totals"] = f"{sum(map(int.__eq__, totals, expected))}/{len(qs)}"
        if count <= args.whoosh_max:
            docs = list(read_docs(path))
            whoosh, out["whoosh"] = _engine("whoosh", docs, Path(tmp))
            out["whoosh"] |= _latency(whoosh, qs)
            if args.tantivy:
                differ = [(q, w, t) for q, t in zip(qs, totals, strict=True)
                          if (w := whoosh.search(parse_query(q)).total) != t]
                out["whoosh"]["same_totals_as_tantivy"] = f"{len(qs) - len(differ)}/{len(qs)}"
                out["whoosh"]["differ"] = differ[:10]
            whoosh.close()
        if count == args.static:
            out["static"] = _static(newest_first(list(read_docs(path))), Path(tmp), qs)
    out["load_after"] = os.getloadavg()[0]
    return out


def _query_sources(sample: list[SearchDoc], qs: list[str]) -> list[tuple[str, str]]:
    """(query, URL of a sample record that must be found) for every query some sample record contains."""
    pairs = []
    for q in qs:
        doc = next((d for d in sample if (q in d.text or compact(q) in d.exact) and findable(d, q)), None)
        if doc and not parse_query(q).empty:
            pairs.append((q, doc.url))
    return pairs


class Contract:
    """The search contract in plain Python, for checking an engine: a record matches when it carries the
    query's exact value, or each part's tokens in a row and its lone characters (`LY2022-000123`[:8] cuts a
    number and finds nothing, by design)."""

    def __init__(self, doc: SearchDoc) -> None:
        toks, self.chars = analyze(doc.text)
        self.joined, self.exact = f" {' '.join(toks)} ", doc.exact

    def matches(self, q: str) -> bool:
        query = parse_query(q)
        if query.empty or query.exact in self.exact:
            return not query.empty
        return all((not t.phrase or f" {' '.join(t.phrase)} " in self.joined) and set(t.chars) <= self.chars
                   for t in query.terms)


def findable(doc: SearchDoc, q: str) -> bool:
    return Contract(doc).matches(q)


def _worst(index: Any, q: str, page: int) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        index.search(parse_query(q), page=page)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def _static(docs: list[SearchDoc], work: Path, qs: list[str]) -> dict[str, Any]:
    from publisher.site.search.static import build_static_index
    from publisher.site.search.static_reader import StaticReader

    started = time.perf_counter()
    url = build_static_index(docs, work)
    built = time.perf_counter() - started
    folder = work / url.strip("/")
    plain, gz, fly = [], [], []
    for q in qs:
        reader = StaticReader(folder)
        reader.search(parse_query(q))
        plain.append(reader.fetched)
        gz.append(reader.fetched_gzip)
        # nginx `gzip on;` compresses per request at its default level 1
        fly.append(sum(len(gzip.compress((reader.root / f).read_bytes(), compresslevel=1)) for f in reader.files))
    total, files = size_of(folder.parent)  # search/index/: the meta and its folders
    out = {"build_s": built, "size_mb": total / 1e6, "files": files, "shards": StaticReader(folder).meta["shards"]}
    # One record corrected: the index is built again, but only the files whose bytes changed are written.
    middle = len(docs) // 2
    docs[middle] = replace(docs[middle], body=docs[middle].body + "\n（经复核更正）")
    started = time.perf_counter()
    again = work / build_static_index(docs, work, keep=2).strip("/")
    out["update_s"] = time.perf_counter() - started
    written = again.parent / StaticReader(again).meta["build"]  # the files whose bytes changed, in their own folder
    out["update_written"] = sum(1 for p in written.rglob("*") if p.is_file()) if written.is_dir() else 0
    for name, sizes in (("plain", plain), ("gzip", gz), ("gzip1", fly)):
        out |= {f"{name}_p50_kb": pct(sizes, 50) / 1e3, f"{name}_p95_kb": pct(sizes, 95) / 1e3,
                f"{name}_max_kb": max(sizes) / 1e3}
    return out


# ---- the run --------------------------------------------------------------------------------------

def run_count(count: int, argv: list[str]) -> dict[str, Any]:
    """One count in a fresh interpreter; its peak RSS from wait4."""
    proc = subprocess.Popen([sys.executable, "-m", "bench.search_scale", *argv, "--one", str(count)],
                            stdout=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout is not None
    output = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit(f"count {count} failed (status {status})")
    return json.loads(output.decode().strip().splitlines()[-1]) | {"rss_mb": usage.ru_maxrss / 1024}


def print_table(results: list[dict[str, Any]]) -> None:
    print("\n| records | engine | build s | index MB | p50 ms | p95 ms | max ms | first-pass p95 | recall "
          "| peak RSS MB |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|---|---:|")
    for r in results:
        for name in ("tantivy", "whoosh"):
            if e := r.get(name):
                recall = (f"known-item {e['known_item_recall']:.2f} ({e['known_items']} queries)"
                          + (f"; totals exact {e['exact_totals']}" if "exact_totals" in e else "")
                          if "known_item_recall" in e else f"totals = tantivy {e.get('same_totals_as_tantivy', '-')}")
                print(f"| {r['shown']:,} | {name} | {e['build_s']:.1f} | {e['size_mb']:.0f} | {e['p50']:.1f} | "
                      f"{e['p95']:.1f} | {e['max']:.1f} | {e['cold_p95']:.1f} | {recall} | {r['rss_mb']:.0f} |")
    for r in results:
        gen = f"{r['generate_s']:.0f} s" if r["generate_s"] else "cached"
        print(f"\n{r['count']:,} rows → {r['shown']:,} shown records (generated: {gen}; reading the JSONL "
              f"{r['read_s']:.1f} s, included in build s); load average {r['load_before']:.2f} → "
              f"{r['load_after']:.2f}; peak RSS {r['rss_mb']:.0f} MB")
        t, w = r.get("tantivy"), r.get("whoosh")
        if t and w:
            print(f"  whoosh/tantivy in this run: build {w['build_s'] / t['build_s']:.1f}x, index "
                  f"{w['size_mb'] / t['size_mb']:.1f}x, p50 {w['p50'] / t['p50']:.1f}x, p95 {w['p95'] / t['p95']:.1f}x")
        if w and w.get("differ"):
            print("  whoosh ≠ tantivy (query, whoosh, tantivy; whoosh stops a query at 2 s): "
                  + "; ".join(f"{q[:20]} {a} {b}" for q, a, b in w["differ"]))
        if t:
            print(f"  tantivy: {t['segments']} segments; worst cases (median of 3, ms): "
                  + "; ".join(f"{k} {v:.0f}" for k, v in t["worst_ms"].items()))
        if s := r.get("static"):
            print(f"  static fallback: build {s['build_s']:.1f} s, {s['size_mb']:.0f} MB in {s['files']:,} files "
                  f"({s['shards']} shards, each with its .gz twin); bytes a first query downloads:")
            for key, label in (("plain", "plain"), ("gzip", "gzip twins (level 9, precompressed)"),
                               ("gzip1", "gzip on the fly (nginx default level 1)")):
                print(f"    {label}: p50 {s[key + '_p50_kb']:.0f} KB, p95 {s[key + '_p95_kb']:.0f} KB, "
                      f"max {s[key + '_max_kb']:.0f} KB")
            print(f"  one record corrected: index again in {s['update_s']:.1f} s, {s['update_written']:,} files "
                  "written (the rest hard links to the first index)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 20000, 200000, 1000000])
    parser.add_argument("--whoosh-max", type=int, default=20000, help="whoosh above this is too slow to build")
    parser.add_argument("--static", type=int, default=100000, help="measure the static fallback at this count")
    parser.add_argument("--truth-max", type=int, default=20000, help="check every record for every query up to here")
    parser.add_argument("--no-tantivy", dest="tantivy", action="store_false")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "search-scale-cache")
    parser.add_argument("--work", type=Path, default=None, help="where indexes are built (default: the temp dir)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one, args)))
        return
    results = []
    for count in sorted(set(args.counts) | ({args.static} if args.static else set())):
        print(f"measuring {count:,} records …", file=sys.stderr, flush=True)
        child = ["--whoosh-max", str(args.whoosh_max), "--static", str(args.static), "--seed", str(args.seed),
                 "--truth-max", str(args.truth_max),
                 "--cache", str(args.cache), *(["--work", str(args.work)] if args.work else [])]
        if not args.tantivy or count not in args.counts:  # a count run only for the static fallback
            child.append("--no-tantivy")
        results.append(run_count(count, child))
    print(f"\nmachine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"load average at start {results[0]['load_before']:.2f}")
    print_table(results)


if __name__ == "__main__":
    main()
