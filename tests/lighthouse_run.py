"""Lighthouse (npm registry, tests/browser) on pages of a served site, driving Debian's Chromium."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from publisher.core.content import load_published

BROWSER_TESTS = Path(__file__).resolve().parent / "browser"
CHROMIUM = "/usr/bin/chromium"


def lighthouse(base_url: str, paths: list[str], timeout: int = 900) -> dict[str, dict]:
    """{path: {"scores": {category: 0..100}, "failed": {category: [audit]}, "runtimeError": …}}."""
    node = shutil.which("node")
    assert node, "没有 node：scripts/install-system-packages.sh 安装 npm（含 nodejs）"
    assert (BROWSER_TESTS / "node_modules" / "lighthouse").is_dir(), "没有 Lighthouse：在 tests/browser 运行 npm ci"
    run = subprocess.run([node, "lighthouse.mjs", base_url, *paths], cwd=BROWSER_TESTS, capture_output=True,
                         text=True, timeout=timeout, env={**os.environ, "CHROME_PATH": CHROMIUM})
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(run.stdout.strip().splitlines()[-1])


def sample_paths(content: Path) -> dict[str, str]:
    """Home, a list, a decision and a search with results: the pages issue 17 names."""
    decision = next(r for r in load_published(content)["penalties"] if r.live)
    return {"home": "/", "list": "/penalties/", "decision": decision.url, "search": "/search/?q=%E6%9E%97"}
