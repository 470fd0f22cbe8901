"""Search: index build time and size, query p50/p95 (service, each engine) and bytes per first query (static).

    .venv/bin/python -m bench.search_bench              # 1k and 20k generated records, whoosh and tantivy
    .venv/bin/python -m bench.search_bench --counts 1000
    .venv/bin/python -m bench.search_scale              # province scale: up to 1M records (bench/search_scale.py)

Records come from bench.generate through the real gate (make_plan → content/ → load_published), so the
index holds what a site of that size would show.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime
from pathlib import Path

from bench.generate import generate_rows
from publisher.core.config import load_config
from publisher.core.content import load_published
from publisher.pull.plan import make_plan, write_plan
from publisher.pull.rows import SourceResult
from publisher.site.search.analysis import parse_query
from publisher.site.search.backend import SearchIndex
from publisher.site.search.documents import SearchDoc, search_docs
from publisher.site.search.static import build_static_index
from publisher.site.search.static_reader import StaticReader
from publisher.site.search.store import BACKENDS, build_service_index, default_backend

NOW = datetime(2026, 11, 24, 10, 0)
ROOT = Path(__file__).resolve().parent.parent
TOML = '[site]\nurl = "https://lyj.example.gov.cn"\n[paths]\ncontent = "content"\noutput = "output"\n' \
       '[[sources]]\nkind = "files"\npath = "data"\n'


def make_docs(count: int, folder: Path) -> list[SearchDoc]:
    (folder / "data").mkdir(parents=True)
    policy = (ROOT / "portal.toml").read_text(encoding="utf-8").split("\n[policy]\n", 1)[1]
    (folder / "portal.toml").write_text(TOML + "\n[policy]\n" + policy, encoding="utf-8")
    config = load_config(folder / "portal.toml")
    write_plan(make_plan(config, NOW, source_result=SourceResult(rows=generate_rows(count), failures=[])))
    return search_docs(load_published(config.paths.content))


def queries(docs: list[SearchDoc], n: int = 200, seed: int = 7) -> list[str]:
    """Names, company fragments, decision numbers, credit codes, laws, two- and one-character words."""
    rnd = random.Random(seed)
    out = ["森林法第七十六条", "滥伐", "盗伐林木", "林", "杉木", "非法占用林地", "森林防火条例"]
    while len(out) < n:
        doc = rnd.choice(docs)
        lines = dict(line.split("：", 1) for line in doc.body.split("\n") if "：" in line)
        value = rnd.choice([v for v in lines.values() if 2 <= len(v) <= 40] or [doc.title])
        kind = rnd.random()
        if kind < 0.4 and doc.exact:
            out.append(rnd.choice(doc.exact))
        elif kind < 0.7:
            start = rnd.randrange(max(1, len(value) - 3))
            out.append(value[start:start + rnd.choice((2, 3, 4))])
        else:
            out.append(value)
    return out


def size_of(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return sum(p.stat().st_size for p in files), len(files)


def pct(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def latency(index: SearchIndex, qs: list[str]) -> list[float]:
    times = []
    for q in qs:
        query = parse_query(q)
        t0 = time.perf_counter()
        index.search(query)
        times.append((time.perf_counter() - t0) * 1000)
    return times


def bench(count: int) -> None:
    with tempfile.TemporaryDirectory(prefix="search-bench-") as tmp:
        folder = Path(tmp)
        started = time.perf_counter()
        docs = make_docs(count, folder)
        prep = time.perf_counter() - started
        qs = queries(docs)
        print(f"\n== {count} generated rows → {len(docs)} shown records (pull {prep:.1f} s)")
        for name in BACKENDS:
            output = folder / f"output-{name}"
            started = time.perf_counter()
            path = build_service_index(docs, output, default_backend(name))
            build = time.perf_counter() - started
            index = default_backend(name).open(path)
            times = latency(index, qs)
            index.close()
            print(f"service ({name}): build {build:.1f} s, index {size_of(path)[0] / 1e6:.1f} MB, "
                  f"query p50 {pct(times, 50):.1f} ms, p95 {pct(times, 95):.1f} ms, max {max(times):.1f} ms "
                  f"({len(qs)} queries)")
        output = folder / "output-whoosh"
        started = time.perf_counter()
        static_url = build_static_index(docs, output)
        static_build = time.perf_counter() - started
        static_dir = output / static_url.strip("/")
        static_bytes, static_files = size_of(static_dir.parent)  # search/index/: the meta and its folders
        fetched, fetched_gz = [], []
        for q in qs:
            reader = StaticReader(static_dir)
            reader.search(parse_query(q))
            fetched.append(reader.fetched)
            fetched_gz.append(reader.fetched_gzip)
        reader = StaticReader(static_dir)
        print(f"static fallback:   build {static_build:.1f} s, {static_bytes / 1e6:.1f} MB in {static_files} files "
              f"({reader.meta['shards']} shards, .json and .json.gz)")
        print(f"first query downloads: p50 {pct(fetched, 50) / 1e3:.0f} KB, p95 {pct(fetched, 95) / 1e3:.0f} KB, "
              f"max {max(fetched) / 1e3:.0f} KB; gzip twins p50 {pct(fetched_gz, 50) / 1e3:.0f} KB, "
              f"p95 {pct(fetched_gz, 95) / 1e3:.0f} KB, max {max(fetched_gz) / 1e3:.0f} KB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", type=int, nargs="+", default=[1000, 20000])
    for count in parser.parse_args().counts:
        bench(count)


if __name__ == "__main__":
    main()
