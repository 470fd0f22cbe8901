"""Lighthouse's accessibility, best-practices and SEO categories at 100 on the pages issue 17 names.

Performance depends on the machine's load, so `make bench` reports it (bench/lighthouse.py) instead.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from publisher.site.serve import make_server
from tests.conftest import serve_site
from tests.lighthouse_run import lighthouse, sample_paths

ASSERTED = ("accessibility", "best-practices", "seo")


@pytest.fixture(scope="module")
def reports(sample_site) -> Iterator[dict[str, dict]]:
    paths = sample_paths(sample_site.config.paths.content)
    for base in serve_site(make_server(sample_site.output, port=0)):
        found = lighthouse(base, list(paths.values()))
        yield {name: found[path] for name, path in paths.items()}


@pytest.mark.parametrize("page", ["home", "list", "decision", "search"])
def test_lighthouse_scores_100_for_accessibility_best_practices_and_seo(reports, page):
    report = reports[page]
    assert report["runtimeError"] is None
    below = {c: (report["scores"][c], report["failed"][c]) for c in ASSERTED if report["scores"][c] < 100}
    assert below == {}, f"{page}: {below}"
