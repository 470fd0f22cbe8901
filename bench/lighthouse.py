"""Lighthouse's four scores on home, a list, a decision and search of the sample site, served by `portal serve`.

`make bench` prints them: performance depends on the machine's load, so no test asserts it
(tests/test_lighthouse.py asserts the other three). Usage: python -m bench.lighthouse
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from publisher.pull.plan import make_plan, write_plan
from publisher.site.build import build_site
from publisher.site.serve import make_server
from tests.conftest import SAMPLE_NOW, make_sample_portal, serve_site
from tests.lighthouse_run import lighthouse, sample_paths

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        config = make_sample_portal(Path(tmp), planted=False)
        write_plan(make_plan(config, SAMPLE_NOW))
        build_site(config, SAMPLE_NOW)
        paths = sample_paths(config.paths.content)
        for base in serve_site(make_server(config.paths.output, port=0)):
            found = lighthouse(base, list(paths.values()))
    print("Lighthouse（示例网站，portal serve，Debian Chromium）")
    print(f"{'页面':<10}" + "".join(f"{c:>16}" for c in CATEGORIES))
    for name, path in paths.items():
        scores = found[path]["scores"]
        print(f"{name:<12}" + "".join(f"{scores.get(c, 0):>16}" for c in CATEGORIES))
        slow = found[path]["failed"].get("performance", [])
        if slow:
            print(f"{'':<12}性能扣分项：{'; '.join(slow)}")


if __name__ == "__main__":
    main()
