"""The house: the one gate of DESIGN §6 and no import circles, checked on the code's own imports.

Every import counts, at the top of a module or inside a function (a lazy import is still a
dependency). The site stage (publisher/site), the plugins and the templates build only from
content/ and may never reach the pull stage (sources, validation, rules, redaction, plan, memo),
directly or through another module.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from pathlib import Path

import pytest

from tests.conftest import ROOT

PULL = "publisher.pull"
GATED = ("publisher.site", "plugins")  # what the public sees is built by these alone


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path) -> dict[str, Path]:
    """Every module of the project: publisher/, plugins/ and pelicanconf.py."""
    files = [*(root / "publisher").rglob("*.py"), *(root / "plugins").rglob("*.py"), root / "pelicanconf.py"]
    return {module_name(p, root): p for p in files if p.exists()}


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The project modules `name` imports anywhere in its file (lazy imports included)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
        else:
            continue
        for target in targets:
            if target.split(".")[0] not in ("publisher", "plugins") and target in _plugin_names(modules):
                target = f"plugins.{target}"  # Pelican imports a plugin by its bare name
            resolved = _nearest_module(target, modules)
            if resolved and resolved != name:
                found.add(resolved)
    return found


def _plugin_names(modules: dict[str, Path]) -> set[str]:
    return {m.removeprefix("plugins.") for m in modules if m.startswith("plugins.")}


def _nearest_module(target: str, modules: dict[str, Path]) -> str | None:
    """`a.b.c` → the module a.b.c, or a.b when c is a name defined in a.b."""
    parts = target.split(".")
    for n in range(len(parts), 0, -1):
        candidate = ".".join(parts[:n])
        if candidate in modules:
            return candidate
    return None


def import_graph(root: Path) -> dict[str, set[str]]:
    modules = project_modules(root)
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def reachable(graph: dict[str, set[str]], start: str) -> dict[str, str]:
    """Every module `start` reaches, with the module that first led there (to explain a breach)."""
    via: dict[str, str] = {}
    todo = [start]
    while todo:
        node = todo.pop()
        for nxt in sorted(graph.get(node, ())):
            if nxt not in via and nxt != start:
                via[nxt] = node
                todo.append(nxt)
    return via


def gate_breaches(graph: dict[str, set[str]]) -> list[str]:
    """'a -> … -> publisher.pull.x' for each gated module that reaches the pull stage."""
    breaches = []
    for name in sorted(graph):
        if not name.startswith(GATED) and name != "pelicanconf":
            continue
        via = reachable(graph, name)
        for target in sorted(via):
            if target == PULL or target.startswith(PULL + "."):
                path = [target]
                while path[-1] in via:
                    path.append(via[path[-1]])
                breaches.append(" -> ".join(reversed(path)))
                break
    return breaches


def test_the_folders_show_the_stages():
    packages = sorted(p.name for p in (ROOT / "publisher").iterdir() if (p / "__init__.py").exists())
    assert packages == ["core", "pull", "runs", "site"]
    assert not [p.name for p in (ROOT / "publisher").glob("*.py") if p.name not in ("__init__.py", "__main__.py",
                                                                                      "cli.py")]


def test_core_depends_on_no_stage():
    graph = import_graph(ROOT)
    core = {m: deps for m, deps in graph.items() if m.startswith("publisher.core")}
    assert core
    outside = {m: sorted(d for d in deps if not d.startswith("publisher.core")) for m, deps in core.items()}
    assert {m: d for m, d in outside.items() if d} == {}


def test_the_site_plugins_and_templates_never_reach_the_pull_stage():
    graph = import_graph(ROOT)
    assert any(m.startswith("plugins.") for m in graph) and any(m.startswith("publisher.site.") for m in graph)
    assert gate_breaches(graph) == []
    # Templates reach Python only through what the build hands them; none may name a module.
    named = [p.name for p in (ROOT / "theme").rglob("*.html") if re.search(r"publisher\.|\bimport\s+publisher",
                                                                          p.read_text(encoding="utf-8"))]
    assert named == []


def test_each_plugin_is_an_independent_package():
    """Pelican loads a plugin by its bare name: `plugins.x` resolves only when the command runs in the
    repository, so a plugin importing another plugin loses it (and its pages) anywhere else."""
    graph = import_graph(ROOT)
    crossing = {m: sorted(d for d in deps if d.startswith("plugins.") and d.split(".")[1] != m.split(".")[1])
                for m, deps in graph.items() if m.startswith("plugins.")}
    assert {m: d for m, d in crossing.items() if d} == {}
    # The installed `portal` command has no `plugins` package either: the publisher never imports one.
    assert {m: sorted(deps) for m, deps in graph.items()
            if m.startswith("publisher.") and any(d.startswith("plugins.") for d in deps)} == {}


def test_no_module_imports_itself_back_through_others():
    assert cycles(import_graph(ROOT)) == []


# ---------------------------------------------------------------- the checks can fail


def _house(tmp_path: Path, files: dict[str, str]) -> dict[str, set[str]]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for folder in _folders(tmp_path, files):
        (folder / "__init__.py").touch()
    return import_graph(tmp_path)


def _folders(root: Path, files: Iterable[str]) -> set[Path]:
    return {root / Path(name).parent for name in files if Path(name).parent != Path(".")}


@pytest.mark.parametrize("files,expected", [
    ({"publisher/pull/plan.py": "from publisher.pull.memo import x\n",
      "publisher/pull/memo.py": "def f():\n    from publisher.pull.plan import y\n"},
     [["publisher.pull.memo", "publisher.pull.plan"]]),
    ({"publisher/runs/a.py": "from . import b\n", "publisher/runs/b.py": "import publisher.runs.a\n"},
     [["publisher.runs.a", "publisher.runs.b"]]),
    ({"publisher/pull/plan.py": "from publisher.pull.memo import x\n", "publisher/pull/memo.py": "x = 1\n"}, []),
])
def test_a_circle_is_found_even_through_a_lazy_or_relative_import(tmp_path, files, expected):
    assert cycles(_house(tmp_path, files)) == expected


def test_a_plugin_reaching_the_pull_stage_through_the_core_is_a_breach(tmp_path):
    graph = _house(tmp_path, {
        "plugins/feeds/__init__.py": "from publisher.core.helper import f\n",
        "publisher/core/helper.py": "def f():\n    from publisher.pull.redaction import redact\n",
        "publisher/pull/redaction.py": "def redact(): ...\n",
        "publisher/site/build.py": "from publisher.core.helper import f\n",
    })
    assert gate_breaches(graph) == [
        "plugins.feeds -> publisher.core.helper -> publisher.pull.redaction",
        "publisher.site.build -> publisher.core.helper -> publisher.pull.redaction",
    ]
