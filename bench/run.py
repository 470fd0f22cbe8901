"""`make bench`: time pull and build on synthetic records, next to plain Pelican and Hugo on the same records.

    python -m bench.run [--counts 1000,10000] [--repeat 3] [--budget 60] [--profile] [--keep]

For each count, in a fresh temporary portal: write synthetic records as CSV files, then time
pull (files -> content/), our build cold and warm, plain Pelican (default theme) on the same
content/, Hugo (Debian's package, a minimal site of the same records: bench/hugo.py), a one-record
change and addition, and `portal publish` after one change; then ours beside both, with ratios to Hugo.
Every measured step runs in its own subprocess, so its peak RSS is its own (os.wait4's rusage) and no
step warms another's caches in memory.
Figures are medians over repeats; a step stops repeating once its repeats would pass --budget.
See bench/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 11, 24, 10, 0)  # the tests' clock: the generated records are dated against it
RESULT_TAG = "BENCH-RESULT "
TYPES = ("subjects", "officers", "matters", "guides", "windows", "permits", "penalties", "inspections")

PORTAL_TOML_PATH_LINE = 'path = "data/sample"'
HUGO_STEP = "Hugo, full build"
PLAIN_STEP = "plain Pelican"


# ---- steps: each runs in a subprocess (`python -m bench.run _step NAME DIR`) ---------------------
def _step_pull(root: Path) -> dict[str, Any]:
    from publisher.core.config import load_config
    from publisher.pull.plan import make_plan, write_plan
    from publisher.pull.sources import read_sources

    config = load_config(root / "portal.toml")
    started = time.perf_counter()
    result = read_sources(config.sources)
    read = time.perf_counter()
    records = len(result.rows)  # make_plan uses the rows up
    plan = make_plan(config, NOW, source_result=result)
    planned = time.perf_counter()
    written = write_plan(plan)
    done = time.perf_counter()
    if result.failures:
        raise SystemExit(f"source failures: {result.failures}")
    return {"seconds": done - started, "read": read - started, "plan": planned - read, "write": done - planned,
            "records": records, "written": len(written), "actions": dict(plan.counts())}


def _step_build(root: Path) -> dict[str, Any]:
    from publisher.core.config import load_config
    from publisher.site.build import build_site

    config = load_config(root / "portal.toml")
    started = time.perf_counter()
    result = build_site(config, NOW)
    return {"seconds": time.perf_counter() - started, "written": result.files_written}


def _step_plain(root: Path) -> dict[str, Any]:
    from pelican import Pelican
    from pelican.settings import read_settings

    # Plain Pelican as a newcomer would run it: default theme, articles from the type folders.
    settings = read_settings(None, override={
        "PATH": str(root / "content"), "OUTPUT_PATH": str(root / "plain-output"),
        "ARTICLE_PATHS": list(TYPES), "PAGE_PATHS": [], "STATIC_PATHS": [], "PLUGINS": [],
        "SITEURL": "", "RELATIVE_URLS": True, "SITENAME": "示例县林业和草原局行政执法公示平台",
        "TIMEZONE": "Asia/Shanghai", "DEFAULT_LANG": "zh-CN",
        "CACHE_CONTENT": False, "LOAD_CONTENT_CACHE": False, "DELETE_OUTPUT_DIRECTORY": False,
    })
    started = time.perf_counter()
    Pelican(settings).run()
    return {"seconds": time.perf_counter() - started, "written": None}


def _step_hugo_site(root: Path) -> dict[str, Any]:
    from bench.hugo import write_site

    started = time.perf_counter()
    pages = write_site(root / "content", root / "hugo-site")
    return {"seconds": time.perf_counter() - started, "written": pages}


def _step_hugo(root: Path) -> dict[str, Any]:
    from bench.hugo import build

    return {"seconds": build(root / "hugo-site", root / "hugo-output"), "written": None}


def _step_publish(root: Path) -> dict[str, Any]:
    from publisher.core.config import load_config
    from publisher.runs.publication import publish

    result = publish(load_config(root / "portal.toml"), NOW)
    return {"seconds": result.seconds, "stages": result.stages, "written": result.pages_written,
            "kept": result.pages_kept, "changes": len(result.records)}


STEPS: dict[str, Callable[[Path], dict[str, Any]]] = {"pull": _step_pull, "build": _step_build,
                                                       "plain": _step_plain, "publish": _step_publish,
                                                       "hugo-site": _step_hugo_site, "hugo": _step_hugo}


def _run_step_here(name: str, root: Path, profile: Path | None) -> None:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    if profile is None:
        result = STEPS[name](root)
    else:
        import cProfile

        _one_process()
        profiler = cProfile.Profile()
        result = profiler.runcall(STEPS[name], root)
        profiler.dump_stats(profile)
    print(RESULT_TAG + json.dumps(result), flush=True)


def _one_process() -> None:
    """For a profile: render on one core and run background jobs inline, so cProfile sees all the work."""
    import publisher.site.background as background

    class Inline:
        def __init__(self, function: Callable[..., Any], *args: Any) -> None:
            self._value = function(*args)

        def result(self) -> Any:
            return self._value

    os.cpu_count = lambda: 1  # BuildContext.workers: pages rendered in this process
    background.Background = Inline  # type: ignore[misc, assignment]
    for module in list(sys.modules.values()):  # modules that imported the name before
        if getattr(module, "Background", None) is not None and module is not background:
            module.Background = Inline


# ---- the parent: runs steps, measures, prints -----------------------------------------------------
@dataclass
class Sample:
    seconds: float
    rss_mb: float
    data: dict[str, Any]
    cpu: float = 0.0  # user + system seconds of the step's process and the workers it waited for


@dataclass
class Measured:
    step: str
    count: int
    samples: list[Sample] = field(default_factory=list)
    html_pages: int = 0  # HTML files in the output after the step (build steps)
    changed_files: int | None = None  # output files whose mtime changed (build steps), median
    note: str = ""

    @property
    def seconds(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def cpu(self) -> float:
        return statistics.median(s.cpu for s in self.samples)

    @property
    def rss_mb(self) -> float:
        return max(s.rss_mb for s in self.samples)


def run_step(name: str, root: Path, profile: Path | None = None) -> Sample:
    """Run one step in a fresh interpreter; its peak RSS comes from wait4, so it is this step's alone."""
    cmd = [sys.executable, "-m", "bench.run", "_step", name, str(root)] + ([str(profile)] if profile else [])
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    # A deployed portal runs from compiled bytecode: with this set, every step compiled ~100 modules (0.7 CPU s).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        raise RuntimeError(f"step {name} failed ({proc.returncode}):\n{stdout[-3000:]}\n{stderr[-3000:]}")
    line = next(ln for ln in reversed(stdout.splitlines()) if ln.startswith(RESULT_TAG))
    data = json.loads(line[len(RESULT_TAG):])
    data["warnings"] = stderr.count("WARNING")
    # ru_maxrss is in KiB on Linux; CPU time (interpreter start included) moves less with the load than seconds.
    return Sample(data["seconds"], usage.ru_maxrss / 1024, data, usage.ru_utime + usage.ru_stime)


def measure(step: str, name: str, root: Path, count: int, repeat: int, budget: float,
            prepare: Callable[[], None] | None = None, output: Path | None = None) -> Measured:
    """Run a step up to `repeat` times, stopping early when another repeat would pass `budget` seconds."""
    m = Measured(name, count)
    spent = 0.0
    changed = []
    for _ in range(repeat):
        if prepare:
            prepare()
        before = _mtimes(output) if output else {}
        sample = run_step(step, root)
        if output:
            after = _mtimes(output)
            changed.append(sum(1 for p, t in after.items() if before.get(p) != t))
        m.samples.append(sample)
        spent += sample.seconds
        print(f"  {name:<28} {count:>6}  {sample.seconds:8.2f} s  {sample.rss_mb:7.0f} MB  CPU {sample.cpu:.1f} s",
              flush=True)
        if spent + sample.seconds > budget:
            break
    if output:
        m.html_pages = sum(1 for p in output.rglob("*.html"))
        m.changed_files = int(statistics.median(changed))
    return m


def _mtimes(folder: Path) -> dict[str, int]:
    if not folder.exists():
        return {}
    return {str(p): p.stat().st_mtime_ns for p in folder.rglob("*") if p.is_file()}


def _rm(*paths: Path) -> Callable[[], None]:
    def clear() -> None:
        for p in paths:
            shutil.rmtree(p, ignore_errors=True)
    return clear


def make_portal(root: Path, count: int, seed: int, static: bool = True) -> tuple[list[Any], float]:
    """A portal in `root`: the sample portal.toml reading `data/`, and `count` records as CSV files there."""
    from bench.generate import generate_rows, record_chars, write_csv_files

    toml = (ROOT / "portal.toml").read_text(encoding="utf-8")
    assert PORTAL_TOML_PATH_LINE in toml, "portal.toml no longer reads data/sample"
    toml = toml.replace(PORTAL_TOML_PATH_LINE, 'path = "data"')
    toml = toml.replace('# [search]\n# backend = "tantivy"', '[search]\nbackend = "tantivy"')  # the engine for scale
    assert 'backend = "tantivy"' in toml, "portal.toml no longer has the commented [search] section"
    if not static:
        toml = toml.replace("# static_fallback = false", "static_fallback = false")
    (root / "portal.toml").write_text(toml, encoding="utf-8")
    rows = generate_rows(count, seed)
    write_csv_files(rows, root / "data")
    long_rows = [record_chars(r) for r in rows if r.type in ("penalties", "permits")]
    return rows, statistics.mean(long_rows) if long_rows else 0.0


def change_one(rows: list[Any], root: Path, n: int) -> None:
    """Correct one penalty's text (a different one each time) and rewrite its CSV, as a clerk's re-export."""
    from bench.generate import write_csv_files

    penalties = [r for r in rows if r.type == "penalties" and r.values.get("review_status") == "已审核"
                 and not r.values.get("status") == "撤销"]
    target = penalties[(n * 7919) % len(penalties)]
    target.values["content"] += f"（第{n + 1}次更正）"
    write_csv_files([r for r in rows if r.type == "penalties"], root / "data")


def add_one(rows: list[Any], root: Path, n: int) -> None:
    """A new penalty decided on the newest day: it joins the front of the lists."""
    from bench.generate import write_csv_files
    from publisher.pull.rows import Origin, RawRow

    base = next(r for r in reversed(rows) if r.type == "penalties" and r.values.get("review_status") == "已审核"
                and r.values.get("status") == "正常")
    values = dict(base.values, decision_no=f"示林罚决字〔2026〕第{90000 + n}号", decision_date="2026-11-20")
    last_row = max(r.origin.row for r in rows if r.type == "penalties")
    rows.append(RawRow("penalties", values, Origin(base.origin.source, base.origin.file, last_row + 1)))
    write_csv_files([r for r in rows if r.type == "penalties"], root / "data")


def withdraw_one(rows: list[Any], root: Path, n: int) -> None:
    """A decision revoked on review: its page becomes a withdrawal notice."""
    from bench.generate import write_csv_files

    shown = [r for r in rows if r.type == "penalties" and r.values.get("review_status") == "已审核"
             and r.values.get("status") == "正常"]
    shown[(n * 104729) % len(shown)].values["status"] = "撤销"
    write_csv_files([r for r in rows if r.type == "penalties"], root / "data")


EDITS = {"change": change_one, "add": add_one, "withdraw": withdraw_one}


REPUBLISH_EDITS = (("change", "one record changed"), ("add", "one record added"), ("withdraw", "one record withdrawn"))


def measure_republish(rows: list[Any], root: Path, count: int, repeat: int, budget: float,
                      edits: tuple[tuple[str, str], ...] = REPUBLISH_EDITS) -> list[Measured]:
    """`portal publish` end to end (pull, build, index, verify, seal, switch): first run, then one edit per run."""
    first = Measured("publish, first run", count)
    first.samples.append(run_step("publish", root))
    results = [first]
    _print_publish(first)
    for kind, label in edits:
        m = Measured(f"publish, {label}", count)
        for n in range(repeat):
            EDITS[kind](rows, root, 100 + n)
            m.samples.append(run_step("publish", root))
            _print_publish(m)
            if sum(s.seconds for s in m.samples) * (n + 2) / (n + 1) > budget:
                break
        results.append(m)
    for m in results:
        stages = {k: statistics.median(s.data["stages"].get(k, 0.0) for s in m.samples)
                  for k in m.samples[0].data["stages"]}
        m.note = "  ".join(f"{k} {v:.2f}" for k, v in stages.items()) + " s"
    return results


def measure_hugo(root: Path, count: int, repeat: int, budget: float) -> Measured:
    """Hugo's full build of the same shown records (bench/hugo.py), into an empty output each time."""
    site = run_step("hugo-site", root)
    print(f"  {'Hugo site written':<28} {count:>6}  {site.seconds:8.2f} s  {site.data['written']} pages "
          "(not timed below)", flush=True)
    output = root / "hugo-output"
    return measure("hugo", HUGO_STEP, root, count, repeat, budget, _rm(output), output)


def _print_publish(m: Measured) -> None:
    s = m.samples[-1]
    stages = " ".join(f"{k} {v:.2f}" for k, v in s.data["stages"].items())
    print(f"  {m.step:<28} {m.count:>6}  {s.seconds:8.2f} s  {s.rss_mb:7.0f} MB  "
          f"{s.data['written']} written, {s.data['kept']} kept  [{stages}]", flush=True)


def measure_edit(kind: str, label: str, rows: list[Any], root: Path, count: int, repeat: int,
                 budget: float) -> list[Measured]:
    """Edit one record in the CSV files, then pull and build: the daily case. A new edit each repeat."""
    pull, build = Measured(f"pull, {label}", count), Measured(f"build, {label}", count)
    output = root / "output"
    changed = []
    run_step("pull", root)  # as in use: the pull before this one left its memory in .portal (the cold build wiped it)
    for n in range(repeat):
        EDITS[kind](rows, root, n)
        pull.samples.append(run_step("pull", root))
        before = _mtimes(output)
        build.samples.append(run_step("build", root))
        changed.append(sum(1 for k, t in _mtimes(output).items() if before.get(k) != t))
        for m in (pull, build):
            s = m.samples[-1]
            print(f"  {m.step:<28} {count:>6}  {s.seconds:8.2f} s  {s.rss_mb:7.0f} MB  "
                  f"{s.data['written']} files written", flush=True)
        if sum(s.seconds for s in pull.samples + build.samples) * (n + 2) / (n + 1) > budget:
            break
    build.changed_files = int(statistics.median(changed))
    build.html_pages = sum(1 for _ in output.rglob("*.html"))
    return [pull, build]


def bench_count(count: int, args: argparse.Namespace) -> list[Measured]:
    results: list[Measured] = []
    base = Path(tempfile.mkdtemp(prefix=f"portal-bench-{count}-"))
    try:
        started = time.perf_counter()
        rows, chars = make_portal(base, count, args.seed, static=not args.no_static)
        size = sum(p.stat().st_size for p in (base / "data").iterdir())
        print(f"\n== {count} records: generated in {time.perf_counter() - started:.1f} s, "
              f"penalties/permits average {chars:.0f} characters, CSV {size / 1e6:.1f} MB, in {base}", flush=True)
        content, output, state = base / "content", base / "output", base / ".portal"
        plain_output = base / "plain-output"
        r, b = args.repeat, args.budget

        if args.only_publish:
            results.extend(measure_republish(rows, base, count, r, b))
            if not args.no_hugo:  # the first publish left content/: Hugo builds the same records
                results.append(measure_hugo(base, count, r, b))
            return results
        pull = measure("pull", "pull (files→content)", base, count, 1 if args.compare else r, b, _rm(content))
        results.append(pull)
        pull.note = "read {read:.2f} + plan {plan:.2f} + write {write:.2f} s".format(
            **_median_parts(pull, ("read", "plan", "write")))
        if args.compare:  # what the issue compares: cold builds side by side, and a one-record republish
            results.append(measure("build", "build cold", base, count, r, b, _rm(output, state), output))
            results.append(measure("plain", PLAIN_STEP, base, count, r, b, _rm(plain_output), plain_output))
            results.append(measure_hugo(base, count, r, b))
            _rm(output, state)()
            results.extend(measure_republish(rows, base, count, r, b, REPUBLISH_EDITS[:1]))
            return results
        results.append(measure("pull", "pull again, no change", base, count, r, b))
        results.append(measure("build", "build cold", base, count, r, b, _rm(output, state), output))
        results.append(measure("build", "build warm, no change", base, count, r, b, None, output))
        results.append(measure("build", "build, QR cache kept", base, count, r, b, _rm(output), output))
        if count <= args.plain_max:  # plain Pelican is O(N²) (DESIGN §7): ~10 minutes at 50k
            results.append(measure("plain", PLAIN_STEP, base, count, r, b, _rm(plain_output), plain_output))
        if not args.no_hugo:
            results.append(measure_hugo(base, count, r, b))

        for kind, label in (("change", "one record changed"), ("add", "one record added")):
            results.extend(measure_edit(kind, label, rows, base, count, r, b))
        if not args.no_publish:
            results.extend(measure_republish(rows, base, count, r, b))

        if args.profile:
            prof = base / "build.prof"
            _rm(output, state)()
            run_step("build", base, prof)
            import pstats

            print(f"\n-- cProfile of our cold build at {count}, on one core with background jobs inline "
                  "(top 25 by cumulative time, then by own time)")
            pstats.Stats(str(prof)).sort_stats("cumulative").print_stats(25)
            pstats.Stats(str(prof)).sort_stats("tottime").print_stats(25)
    finally:
        if args.keep:
            print(f"kept {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)
    return results


def _median_parts(m: Measured, keys: tuple[str, ...]) -> dict[str, float]:
    return {k: statistics.median(s.data[k] for s in m.samples) for k in keys}


def print_table(results: list[Measured]) -> None:
    plain = {m.count: m.seconds for m in results if m.step == PLAIN_STEP}
    hugo = {m.count: m.seconds for m in results if m.step == HUGO_STEP}
    header = (f"{'step':<32} {'count':>6} {'s (median)':>10} {'n':>2} {'records/s':>10} {'pages':>6} "
              f"{'pages/s':>8} {'written':>7} {'changed':>7} {'peak RSS MB':>11} {'ours/plain':>10} {'/Hugo':>6}")
    print("\n" + header)
    print("-" * len(header))
    for m in results:
        written = [s.data.get("written") for s in m.samples]
        written_text = "" if written[-1] is None else str(int(statistics.median(written)))
        per_s = m.count / m.seconds if m.seconds else 0
        pages = f"{m.html_pages}" if m.html_pages else ""
        pages_s = f"{m.html_pages / m.seconds:8.0f}" if m.html_pages else ""
        ratio = ""
        if m.step.startswith("build") and m.count in plain:
            ratio = f"{m.seconds / plain[m.count]:10.2f}"
        to_hugo = f"{m.seconds / hugo[m.count]:6.2f}" if m.count in hugo and _compared_with_hugo(m.step) else ""
        changed = "" if m.changed_files is None else str(m.changed_files)
        print(f"{m.step:<32} {m.count:>6} {m.seconds:10.2f} {len(m.samples):>2} {per_s:10.0f} {pages:>6} "
              f"{pages_s:>8} {written_text:>7} {changed:>7} {m.rss_mb:11.0f} {ratio:>10} {to_hugo:>6}")
    for m in results:
        if m.note:
            print(f"  {m.step} at {m.count}: {m.note}")
    print_side_by_side(results)


def _compared_with_hugo(step: str) -> bool:
    return step.startswith(("build", "publish")) or step in (PLAIN_STEP, HUGO_STEP)


def print_side_by_side(results: list[Measured]) -> None:
    """Ours, plain Pelican and Hugo on the same records in this run: seconds and ratios to Hugo's full build."""
    by = {(m.step, m.count): m for m in results}
    for count in sorted({m.count for m in results}):
        hugo = by.get((HUGO_STEP, count))
        if hugo is None:
            continue
        print(f"\n== {count} records, side by side (medians; ratio = seconds / Hugo's full build; CPU: user + "
              "system seconds of the step and its workers, steadier than seconds on a loaded machine)")
        rows = [("cold build: ours", by.get(("build cold", count))),
                ("cold build: plain Pelican", by.get((PLAIN_STEP, count))),
                (f"cold build: {HUGO_STEP}", hugo),
                ("ours, QR codes cached", by.get(("build, QR cache kept", count))),
                ("ours, one record changed: build", by.get(("build, one record changed", count))),
                ("ours, one record changed: portal publish", by.get(("publish, one record changed", count))),
                ("ours, one record added: portal publish", by.get(("publish, one record added", count))),
                ("ours, one record withdrawn: portal publish", by.get(("publish, one record withdrawn", count)))]
        for label, m in rows:
            if m is not None:
                print(f"  {label:<44} {m.seconds:8.2f} s  {m.seconds / hugo.seconds:6.2f}× Hugo"
                      f"   CPU {m.cpu:7.1f} s  {m.cpu / hugo.cpu:6.2f}× Hugo's CPU")


def machine(hugo: bool = True) -> str:
    mem = {}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            key, value = line.split(":", 1)
            mem[key] = int(value.split()[0]) // 1024
    except OSError:
        pass
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip() or str(os.cpu_count())
    import pelican

    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    from bench.hugo import hugo_version

    version = f"; Hugo {hugo_version()}" if hugo else ""  # installs Hugo when missing
    return (f"nproc {nproc}; memory {mem.get('MemTotal', 0)} MB total, {mem.get('MemAvailable', 0)} MB available; "
            f"load {load}; Python {platform.python_version()}; Pelican {pelican.__version__}{version}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_step"]:
        _run_step_here(argv[1], Path(argv[2]), Path(argv[3]) if len(argv) > 3 else None)
        return 0
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--counts", default="1000,10000", help="record counts, comma-separated")
    parser.add_argument("--repeat", type=int, default=3, help="runs per step; the median is reported")
    parser.add_argument("--budget", type=float, default=60.0,
                        help="seconds per step and count: no further repeat once this would be passed")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", action="store_true", help="also print cProfile's top lines of a cold build")
    parser.add_argument("--keep", action="store_true", help="keep the temporary portals")
    parser.add_argument("--no-publish", action="store_true", help="skip the end-to-end `portal publish` runs")
    parser.add_argument("--no-static", action="store_true",
                        help="build without the static search fallback ([search] static_fallback = false)")
    parser.add_argument("--only-publish", action="store_true", help="only the end-to-end `portal publish` runs")
    parser.add_argument("--compare", action="store_true",
                        help="only the side-by-side figures: cold builds (ours, plain Pelican, Hugo) and "
                             "`portal publish` first and after one record changed")
    parser.add_argument("--no-hugo", action="store_true", help="skip Hugo's build of the same records")
    parser.add_argument("--plain-max", type=int, default=20000, help="run plain Pelican only up to this count")
    args = parser.parse_args(argv)
    print(machine(hugo=not args.no_hugo), flush=True)
    results: list[Measured] = []
    started = time.perf_counter()
    for count in (int(c) for c in args.counts.split(",") if c.strip()):
        done = bench_count(count, args)
        print_table(done)  # each count's table as soon as it is done, in case a long run is cut short
        results.extend(done)
    print_table(results)
    print(f"\ntotal {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
