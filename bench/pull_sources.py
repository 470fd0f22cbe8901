"""Time `portal pull` when little or nothing changed in the sources (issue 18: sources read only when they changed).

    python -m bench.pull_sources [--counts 20000,100000] [--repeat 3] [--sources files,sqlite,postgresql,mariadb]

For each count and source kind, in a fresh temporary portal: the bench's synthetic records (bench/generate.py)
as CSV files, or as one table per type in a database (SQLite file, PostgreSQL or MariaDB `test` on
127.0.0.1) with an `updated_at` column configured. Then, each in its own process (peak RSS its own):
the first pull, a pull with nothing changed, a pull after the files were touched (same bytes, new
mtime; databases: skipped), and a pull after one penalty was corrected. A pull is what `portal pull`
does: make_plan (read the sources, judge, compare with content/) and write_plan. Prints seconds and
peak RSS per step; nothing is asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from bench.run import NOW, RESULT_TAG, ROOT, change_one, machine, make_portal

SERVERS = {"postgresql": "postgresql+psycopg://postgres@127.0.0.1:5432/test",
           "mariadb": "mysql+pymysql://root@127.0.0.1:3306/test?charset=utf8mb4"}
PREFIX = "pullbench_"  # table names in the shared test databases


def _step_pull(root: Path, profile: str | None) -> dict[str, Any]:
    from publisher.core.config import load_config
    from publisher.pull.plan import make_plan, write_plan

    config = load_config(root / "portal.toml")
    started = time.perf_counter()
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        plan = profiler.runcall(make_plan, config, NOW)
        profiler.dump_stats(profile)
    else:
        plan = make_plan(config, NOW)
    written = write_plan(plan)
    return {"seconds": time.perf_counter() - started, "written": len(written), "actions": dict(plan.counts()),
            "failures": [f.message for f in plan.failures]}


def run_pull(root: Path, profile: Path | None = None) -> tuple[float, float, dict[str, Any]]:
    """Seconds (inside the process), peak RSS MB, and the step's data with its CPU seconds (imports included)."""
    cmd = [sys.executable, "-m", "bench.pull_sources", "_step", str(root)] + ([str(profile)] if profile else [])
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"pull failed:\n{stdout[-3000:]}\n{stderr[-3000:]}")
    data = json.loads(next(ln for ln in reversed(stdout.splitlines()) if ln.startswith(RESULT_TAG))[len(RESULT_TAG):])
    data["cpu"] = usage.ru_utime + usage.ru_stime  # robust when other jobs share the cores
    if data["failures"]:
        raise RuntimeError(f"source failures: {data['failures'][:3]}")
    return data["seconds"], usage.ru_maxrss / 1024, data


def to_database(rows: list[Any], root: Path, kind: str, changes: bool = True) -> Any:
    """Move the records from data/*.csv into one table per type with an `updated_at` column; use it as the source."""
    from sqlalchemy import Column, DateTime, MetaData, Table, Text, create_engine

    url = SERVERS.get(kind) or f"sqlite:///{root / 'records.sqlite'}"
    engine = create_engine(url)
    meta = MetaData()
    by_type: dict[str, list[Any]] = {}
    for row in rows:
        by_type.setdefault(row.type, []).append(row)
    tables = {}
    for type_key, items in by_type.items():
        names = list(dict.fromkeys(k for r in items for k in r.values))
        # Text columns (MariaDB: TEXT); an id for the row's place and the change stamp.
        tables[type_key] = Table(PREFIX + type_key, meta, Column("row_id", Text), *(Column(n, Text) for n in names),
                                 Column("updated_at", DateTime))
    meta.drop_all(engine)
    meta.create_all(engine)
    stamp = NOW.replace(hour=9)
    with engine.begin() as conn:
        for type_key, items in by_type.items():
            columns = [c.name for c in tables[type_key].columns if c.name not in ("row_id", "updated_at")]
            # Change times a minute apart going back from 09:00: as in use, few rows within the overlap.
            conn.execute(tables[type_key].insert(), [
                {"row_id": str(i), **{c: r.values.get(c, "") for c in columns},
                 "updated_at": stamp - timedelta(minutes=i)} for i, r in enumerate(items)])
    shutil.rmtree(root / "data")
    toml = (root / "portal.toml").read_text(encoding="utf-8")
    column = '\nupdated_at = "updated_at"' if changes else ""  # without: every run reads every table whole
    source = "\n".join([f'[[sources]]\nkind = "sql"\nurl = "{url}"{column}', "[sources.tables]",
                        *(f'{t} = "{PREFIX}{t}"' for t in by_type)])
    toml = toml.replace('[[sources]]\nkind = "files"                          # files | sql | http\npath = "data"',
                        source)
    assert 'kind = "sql"' in toml, "portal.toml's [[sources]] is not the one expected"
    (root / "portal.toml").write_text(toml, encoding="utf-8")
    return engine, tables


def change_in_database(engine: Any, tables: dict[str, Any], n: int) -> None:
    from sqlalchemy import select, update

    table = tables["penalties"]
    with engine.begin() as conn:
        ids = [r[0] for r in conn.execute(select(table.c.row_id).where(table.c.review_status == "已审核")
                                          .where(table.c.status != "撤销").order_by(table.c.row_id))]
        target = ids[(n * 7919) % len(ids)]
        content = conn.execute(select(table.c.content).where(table.c.row_id == target)).scalar_one()
        conn.execute(update(table).where(table.c.row_id == target)
                     .values(content=f"{content}（第{n + 1}次更正）", updated_at=NOW.replace(hour=9, minute=30 + n)))


Line = tuple[str, int, str, list[float], list[float], float, str]


def bench(count: int, kind: str, args: argparse.Namespace) -> list[Line]:
    base = Path(tempfile.mkdtemp(prefix=f"portal-pullbench-{count}-"))
    lines: list[Line] = []
    engine = None
    try:
        rows, _ = make_portal(base, count, args.seed)
        tables = None
        if kind != "files":
            engine, tables = to_database(rows, base, kind, not args.whole)

        def record(step: str, runs: int, edit: Any = None) -> None:
            seconds: list[float] = []
            cpu: list[float] = []
            rss, extra = 0.0, ""
            for n in range(runs):
                if edit:
                    edit(n)
                s, r, data = run_pull(base)
                seconds.append(s)
                cpu.append(data["cpu"])
                rss = max(rss, r)
                actions = ", ".join(f"{k} {v}" for k, v in sorted(data["actions"].items()))
                extra = f"{data['written']} written, {actions}"
                print(f"  {kind:<10} {count:>6}  {step:<24} {s:7.2f} s  cpu {data['cpu']:6.2f} s  {r:6.0f} MB  {extra}",
                      flush=True)
            lines.append((kind, count, step, seconds, cpu, rss, extra))

        record("first pull", 1)
        record("nothing changed", args.repeat)
        if kind == "files":
            def touch(n: int) -> None:
                for p in (base / "data").iterdir():
                    os.utime(p, ns=(time.time_ns(), time.time_ns()))
            record("touched, same bytes", args.repeat, touch)
            record("one row changed", args.repeat, lambda n: change_one(rows, base, n))
        else:
            record("one row changed", args.repeat, lambda n: change_in_database(engine, tables, n))
        if args.profile:
            prof = base / "pull.prof"
            run_pull(base, prof)
            import pstats

            print(f"\n-- cProfile of a pull with nothing changed, {kind} {count} (top 25 by cumulative time)")
            pstats.Stats(str(prof)).sort_stats("cumulative").print_stats(25)
    finally:
        if engine is not None and tables is not None and kind in SERVERS:
            next(iter(tables.values())).metadata.drop_all(engine)
        if args.keep:
            print(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_step"]:
        result = _step_pull(Path(argv[1]), argv[2] if len(argv) > 2 else None)
        print(RESULT_TAG + json.dumps(result, ensure_ascii=False), flush=True)
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.pull_sources", description=__doc__.split("\n")[0])
    parser.add_argument("--counts", default="20000", help="record counts, comma-separated")
    parser.add_argument("--sources", default="files", help="files, sqlite, postgresql, mariadb (comma-separated)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the median is reported")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="also print cProfile's top lines of a no-change pull")
    parser.add_argument("--keep", action="store_true", help="keep the temporary portals")
    parser.add_argument("--whole", action="store_true", help="databases without `updated_at`: read whole each run")
    args = parser.parse_args(argv)
    print(machine(), flush=True)
    results = []
    for count in (int(c) for c in args.counts.split(",") if c.strip()):
        for kind in (k.strip() for k in args.sources.split(",") if k.strip()):
            results.extend(bench(count, kind, args))
    print(f"\n{'source':<10} {'count':>6}  {'step':<24} {'s (median)':>10} {'cpu s':>6} {'n':>2} {'RSS MB':>6}  result")
    for kind, count, step, seconds, cpu, rss, extra in results:
        print(f"{kind:<10} {count:>6}  {step:<24} {statistics.median(seconds):10.2f} {statistics.median(cpu):6.2f} "
              f"{len(seconds):>2} {rss:6.0f}  {extra}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
