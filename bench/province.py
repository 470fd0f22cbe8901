"""A simulated province for the unified platform (issue 19): many agencies' published folders, gathered.

    python -m bench.province [--agencies 300] [--records 3300] [--keep]

Each agency is a folder shaped like a published release as far as a `portal` source reads one: its
open data (/opendata/<type>.json, from bench.generate's synthetic records), its signed public ledger
(/ledger/heads.json with its own Ed25519 key, manifest.json, public-key.pem). No HTML: the platform
never reads an agency's pages. Then, timed, each in its own subprocess (peak RSS its own):
  federate  fetch and verify every agency in threads, pull into content/ (first import);
  build     the unified site from content/ (cold);
  search    200 queries drawn from a sample of the unified records (bench.search_bench.queries) against the
            unified service index (tantivy), once to warm the page cache, then timed: p50, p95, max;
  change    one agency republishes (a few records changed, one withdrawn, a new signed head), then
            federate + pull + build again (warm: only what changed is written).
Prints one JSON line per step (BENCH-RESULT) with seconds and peak RSS.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.generate import generate_rows
from publisher.core.schema import RECORD_TYPES
from publisher.pull.validation import normalise_key, slug_for
from publisher.runs.public_ledger import (
    HEADS,
    MANIFEST,
    Signer,
    events_root,
    manifest_root,
    new_head,
    write_public_files,
)

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 24, 10, 0)
LATER = datetime(2026, 11, 25, 10, 0)
RESULT_TAG = "BENCH-RESULT "
# Bytes a record needs, measured at 1M on 1 KB blocks when the disk filled: the site 51 KB and growing (pages, list
# pages and twins; part of the open data; no service index yet), the state 20 KB (open-data parts, QR codes,
# catalog), content/ 5 KB, the agencies' folders 2 KB. More on 4 KB blocks.
DISK_PER_RECORD = 110_000


def _records(rows: list, site: str) -> dict[str, list[dict[str, Any]]]:
    """The rows as open data: one record object per row, public fields only, as /opendata/<type>.json holds."""
    out: dict[str, list[dict[str, Any]]] = {t: [] for t in RECORD_TYPES}
    for row in rows:
        rtype = RECORD_TYPES[row.type]
        if row.values.get("review_status") != "已审核" or row.values.get("status") in ("撤销", "无效"):
            continue  # the agency's own gate kept it back
        key = normalise_key(row.values.get(rtype.natural_key, ""))
        slug = slug_for(row.type, key, row.values.get("id"))
        fields = {f.name: row.values[f.name] for f in rtype.public_fields if row.values.get(f.name)}
        out[row.type].append({"url": f"{site}/{row.type}/{slug}/", "title": key, "date": NOW.date().isoformat(),
                              "published": NOW.date().isoformat(), "fields": fields})
    return out


def publish_agency(folder: Path, n: int, records: dict[str, list[dict[str, Any]]], heads: list[dict]) -> list[dict]:
    """Write an agency's open data and sign a new head over its manifest; the heads after."""
    files = {}
    for type_key, items in records.items():
        data = json.dumps({"type": type_key, "count": len(items), "records": items}, ensure_ascii=False).encode()
        path = f"opendata/{type_key}.json"
        (folder / "opendata").mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)
        files[path] = hashlib.sha256(data).hexdigest()
    release = f"r{len(heads) + 1}"
    root = manifest_root(files)
    signer = Signer(folder.parent / f"keys-{n}")
    head = signer.sign(new_head(heads, "publication", NOW.isoformat(), release, root, events_root([])))
    heads = [*heads, head]
    write_public_files(folder, files, root, heads, signer.public_pem(), release)
    return heads


def make_province(root: Path, agencies: int, records: int) -> Path:
    """`agencies` published folders and the unified platform's portal.toml; the toml's path."""
    sources = []
    for n in range(agencies):
        folder = root / "agencies" / f"a{n}"
        rows = generate_rows(records, seed=n + 1)
        publish_agency(folder, n, _records(rows, f"https://a{n}.example.gov.cn"), [])
        sources.append(f'[[sources]]\nkind = "portal"\npath = "{folder}"\nagency = "示例省第{n}号执法机关"\n'
                       f'key = "a{n}"\n')
    policy = (ROOT / "portal.toml").read_text(encoding="utf-8").split("\n[policy]\n", 1)[1].split("\n[rights]\n")[0]
    toml = root / "unified" / "portal.toml"
    toml.parent.mkdir(parents=True)
    toml.write_text('[site]\nurl = "https://zf.example.gov.cn"\nname = "示例省行政执法信息公示平台"\n'
                    '[search]\nbackend = "tantivy"\nstatic_fallback = false\n\n' + "\n".join(sources)
                    + "\n[policy]\n" + policy, encoding="utf-8")
    return toml


def change_one_agency(root: Path) -> None:
    """Agency a0 republishes: three records' facts edited, one penalty gone, a new signed head."""
    folder = root / "agencies" / "a0"
    records = {t: json.loads((folder / "opendata" / f"{t}.json").read_bytes())["records"] for t in RECORD_TYPES}
    for record in records["penalties"][4:7]:
        record["fields"]["facts"] = record["fields"].get("facts", "") + "（更正）"
    records["penalties"] = records["penalties"][4:]
    heads = json.loads((folder / HEADS).read_bytes())["heads"]
    publish_agency(folder, 0, records, heads)
    assert (folder / MANIFEST).exists()


SEARCH_SAMPLE = 2000  # records the queries are drawn from


def search_latency(toml: Path) -> dict[str, Any]:
    """The unified service index's latency for queries drawn from its own records (ms)."""
    from bench.search_bench import pct, queries
    from publisher.core.config import load_config
    from publisher.core.content import content_files, load_record
    from publisher.site.search.analysis import parse_query
    from publisher.site.search.documents import search_doc
    from publisher.site.search.store import IndexHandle

    config = load_config(toml)
    entries = [(t, e.path) for t, e in content_files(config.paths.content)]
    step = max(1, len(entries) // SEARCH_SAMPLE)
    records = [r for t, path in entries[::step] if (r := load_record(path, t)) is not None and r.live]
    qs = queries([search_doc(r) for r in records])
    handle = IndexHandle(config.paths.output)
    index = handle.get()
    assert index is not None, "the unified site has no service index"
    try:
        for q in qs:  # the first pass reads the index into the page cache
            index.search(parse_query(q))
        times, found = [], 0
        for q in qs:
            started = time.perf_counter()
            found += index.search(parse_query(q)).total > 0
            times.append((time.perf_counter() - started) * 1000)
    finally:
        handle.close()
    return {"queries": len(qs), "answered": found, "p50_ms": round(pct(times, 50), 1),
            "p95_ms": round(pct(times, 95), 1), "max_ms": round(max(times), 1)}


def _step(name: str, toml: Path) -> dict[str, Any]:
    from publisher.core.config import load_config
    from publisher.runs.federation import federate, pull
    from publisher.site.build import build_site

    if name == "search":
        return {"step": name, **search_latency(toml)}
    config = load_config(toml)
    clock = LATER if name == "change" else NOW
    started = time.perf_counter()
    out: dict[str, Any] = {"step": name}
    if name in ("federate", "change"):
        federation = federate(config, clock)
        out["fetch_seconds"] = round(federation.seconds, 2)
        plan = pull(config, federation, clock)
        out["pull_seconds"] = round(time.perf_counter() - started - federation.seconds, 2)
        out["agencies_ok"] = sum(a.state == "ok" for a in plan.agencies)
        out["counts"] = dict(plan.counts())
    if name in ("build", "change"):
        built_at = time.perf_counter()
        result = build_site(config, clock)
        out["build_seconds"] = round(time.perf_counter() - built_at, 2)
        out["files_written"] = result.files_written
    out["seconds"] = round(time.perf_counter() - started, 2)
    return out


def _run(name: str, toml: Path) -> dict[str, Any]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "bench.province", "_step", name, str(toml)], env=env,
                            stdout=subprocess.PIPE, text=True)
    output, _ = proc.communicate()
    line = next(x for x in output.splitlines() if x.startswith(RESULT_TAG))
    return json.loads(line[len(RESULT_TAG):])  # peak RSS measured by the step itself


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_step":
        import resource

        result = _step(sys.argv[2], Path(sys.argv[3]))
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        result["peak_rss_mb"] = round(own.ru_maxrss / 1024)
        # CPU seconds move less with the machine's load than wall seconds; background processes included.
        result["cpu_seconds"] = round(own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime, 1)
        print(RESULT_TAG + json.dumps(result, ensure_ascii=False))
        return
    parser = argparse.ArgumentParser(description="统一平台基准：模拟全省各机关已发布的网站并汇集")
    parser.add_argument("--agencies", type=int, default=300)
    parser.add_argument("--records", type=int, default=3300, help="每个机关的记录数")
    parser.add_argument("--keep", action="store_true", help="保留临时文件夹")
    parser.add_argument("--steps", default="federate,build,search,change", help="要运行的步骤，逗号分隔")
    args = parser.parse_args()
    steps = args.steps.split(",")
    need = DISK_PER_RECORD * args.agencies * args.records
    free = shutil.disk_usage(tempfile.gettempdir()).free
    if free < need:  # a full disk mid-build loses the run (it happened at 1M): say so before starting
        raise SystemExit(f"临时目录 {tempfile.gettempdir()} 剩余 {free / 1e9:.0f} GB，"
                         f"约需 {need / 1e9:.0f} GB：请设置 TMPDIR 到更大的磁盘")
    root = Path(tempfile.mkdtemp(prefix="province-"))
    try:
        started = time.perf_counter()
        toml = make_province(root, args.agencies, args.records)
        print(f"generated {args.agencies} agencies x {args.records} records in "
              f"{time.perf_counter() - started:.1f} s ({root})", flush=True)
        for step in steps:
            if step == "change":
                change_one_agency(root)
            print(RESULT_TAG + json.dumps(_run(step, toml), ensure_ascii=False), flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
