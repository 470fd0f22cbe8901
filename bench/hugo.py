"""Hugo beside ours in `make bench`: a minimal Hugo site of the same records, built by Debian's `hugo`.

    python -m bench.hugo CONTENT_DIR SITE_DIR        # write the Hugo site of a content/ folder, then build it

The site is generated here, nothing of it is committed: a config, three layouts and one content file
per shown record of `content/` (the records `bench/generate.py` made and our pull wrote, the same
files plain Pelican reads). Front matter in JSON carries the record's title, date, URL and its public
fields as (label, value) pairs; the layouts give what a minimal disclosure site needs:

- a page per record with its field table (the same Chinese labels and values as ours, escaped by Hugo);
- a section per record type, listed 20 per page (Hugo's paginator), newest first;
- an RSS feed per section and for the home page (Hugo's own RSS template, 50 entries like ours);
- Hugo's sitemap; no taxonomies (ours has none either).

What Hugo does not do that ours does (so the comparison flatters Hugo): masking and rules happen in
our pull, not here; no filters by year or department, no JSON twins, open data, search indexes,
QR codes, posters, party pages, statistics or gzip twins.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

from publisher.core.content import load_published
from publisher.core.schema import RECORD_TYPES

HUGO_PAGE_SIZE = 20  # as our lists (publisher/site/listing.py)
HUGO_FEED_LIMIT = 50  # as our feeds (BuildContext.feed_limit)

CONFIG = {
    "baseURL": "https://example.gov.cn/",
    "languageCode": "zh-CN",
    "title": "示例县林业和草原局行政执法公示平台",
    "disableKinds": ["taxonomy", "term"],
    "paginate": HUGO_PAGE_SIZE,
    "services": {"rss": {"limit": HUGO_FEED_LIMIT}},
    "outputs": {"home": ["HTML", "RSS"], "section": ["HTML", "RSS"], "page": ["HTML"]},
    "hasCJKLanguage": True,
    "enableRobotsTXT": False,
}

BASEOF = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ .Title }} - {{ .Site.Title }}{{ end }}</title>
{{ range .AlternativeOutputFormats -}}
<link rel="{{ .Rel }}" type="{{ .MediaType.Type }}" href="{{ .Permalink }}">
{{ end -}}
</head>
<body>
<header><a href="/">{{ .Site.Title }}</a>
<nav>{{ range .Site.Sections }}<a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ end }}</nav></header>
<main>{{ block "main" . }}{{ end }}</main>
<footer>{{ .Site.Title }}</footer>
</body>
</html>
"""

SINGLE = """{{ define "main" }}
<nav aria-label="位置"><a href="/">首页</a> › <a href="{{ .Parent.RelPermalink }}">{{ .Parent.Title }}</a></nav>
<h1>{{ .Title }}</h1>
<table>
<caption>{{ .Params.typename }}信息</caption>
<thead><tr><th scope="col">项目</th><th scope="col">内容</th></tr></thead>
<tbody>
{{ range .Params.fields }}<tr><th scope="row">{{ index . 0 }}</th><td>{{ index . 1 }}</td></tr>
{{ end }}</tbody>
</table>
<p>首次公开：{{ .Params.published }}</p>
{{ end }}
"""

LIST = """{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .Pages }}
<table>
<thead><tr><th scope="col">名称</th><th scope="col">日期</th></tr></thead>
<tbody>
{{ range $pager.Pages -}}
<tr><td><a href="{{ .RelPermalink }}">{{ .Title }}</a></td><td>{{ .Date.Format "2006-01-02" }}</td></tr>
{{ end }}</tbody>
</table>
{{ template "_internal/pagination.html" . }}
{{ end }}
"""

HOME = """{{ define "main" }}
<h1>{{ .Site.Title }}</h1>
<ul>{{ range .Site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>（{{ len .Pages }}）</li>{{ end }}</ul>
{{ end }}
"""


def ensure_hugo() -> str:
    """The `hugo` command; installed from Debian's package when missing (the bench runs as root)."""
    found = shutil.which("hugo")
    if found:
        return found
    print("hugo is missing: apt-get install -y hugo", flush=True)
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.STDOUT}
    if subprocess.run(["apt-get", "install", "-y", "hugo"], **quiet).returncode != 0:
        subprocess.run(["apt-get", "update"], check=True, **quiet)
        subprocess.run(["apt-get", "install", "-y", "hugo"], check=True, **quiet)
    found = shutil.which("hugo")
    if not found:
        raise SystemExit("hugo could not be installed (apt-get install -y hugo)")
    return found


def hugo_version() -> str:
    out = subprocess.run([ensure_hugo(), "version"], capture_output=True, text=True, check=True).stdout
    return out.split()[1] if out.split()[1:] else out.strip()


def _shown(value: str | tuple[str, ...]) -> str:
    return value if isinstance(value, str) else "；".join(value)


def write_site(content: Path, site: Path) -> int:
    """A Hugo site in `site` with one page per shown record of `content/`; returns the pages written."""
    shutil.rmtree(site, ignore_errors=True)
    layouts = site / "layouts" / "_default"
    layouts.mkdir(parents=True)
    (site / "config.json").write_text(json.dumps(CONFIG, ensure_ascii=False, indent=1), encoding="utf-8")
    for name, text in (("baseof.html", BASEOF), ("single.html", SINGLE), ("list.html", LIST)):
        (layouts / name).write_text(text, encoding="utf-8")
    (site / "layouts" / "index.html").write_text(HOME, encoding="utf-8")
    written = 0
    for type_key, records in load_published(content).items():
        live = [r for r in records if r.live]
        if not live:
            continue
        rtype = RECORD_TYPES[type_key]
        folder = site / "content" / type_key
        folder.mkdir(parents=True)
        (folder / "_index.md").write_text(json.dumps({"title": rtype.zh}, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
        for r in live:
            front = {"title": r.title, "date": r.date, "url": r.url, "published": r.published,
                     "typename": rtype.zh,
                     "fields": [[label, _shown(value)] for _, label, value in r.labelled_fields()]}
            (folder / f"{r.slug}.md").write_text(json.dumps(front, ensure_ascii=False) + "\n", encoding="utf-8")
            written += 1
    return written


def build(site: Path, destination: Path) -> float:
    """Hugo's full build of `site` into an empty `destination`; seconds, process start included."""
    hugo = ensure_hugo()
    shutil.rmtree(destination, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([hugo, "--quiet", "--source", str(site), "--destination", str(destination)], check=True)
    return time.perf_counter() - started


def main(argv: list[str]) -> int:
    content, site = Path(argv[0]), Path(argv[1])
    print(f"{write_site(content, site)} pages written; hugo {hugo_version()}")
    print(f"built in {build(site, site / 'public'):.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
