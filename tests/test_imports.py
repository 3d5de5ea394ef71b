"""No module under app/ imports in a circle, and no package imports another in a loop.

Read with the standard library's `ast`, without importing anything: every `import` counts,
including those inside functions (a local import is still a dependency, only hidden).
"""

import ast
from collections import defaultdict
from pathlib import Path

from app.config import ROOT

APP = ROOT / "app"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def app_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(APP.rglob("*.py"))}


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """The app modules `path` imports (`from app.x import y` is app.x.y when y is a module)."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return {imported for imported in found if imported in modules and imported != name}


def package_of(module: str) -> str:
    """app.reports.service → app.reports; a module of app itself (app.main) is its own node."""
    return ".".join(module.split(".")[:2])


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def module_graph() -> dict[str, set[str]]:
    modules = app_modules()
    return {name: imports_of(path, modules) for name, path in modules.items()}


def package_graph(modules: dict[str, set[str]]) -> dict[str, set[str]]:
    packages: dict[str, set[str]] = defaultdict(set)
    for module, imported in modules.items():
        packages[package_of(module)]  # every package is a node, with edges or not
        for target in imported:
            if package_of(target) != package_of(module):
                packages[package_of(module)].add(package_of(target))
    return dict(packages)


def test_the_cycle_finder_finds_loops_and_only_loops():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a", "e"}, "e": set(), "f": {"g"},
             "g": {"f"}}
    assert cycles(graph) == [["a", "b", "c"], ["f", "g"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_import_reader_sees_local_and_relative_imports(tmp_path, monkeypatch):
    package = tmp_path / "app" / "things"
    package.mkdir(parents=True)
    (tmp_path / "app" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "one.py").write_text("def f():\n    from app.things import two\n")
    (package / "two.py").write_text("from .one import f\nimport app.other\n")
    (tmp_path / "app" / "other.py").write_text("")
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    monkeypatch.setattr(f"{__name__}.APP", tmp_path / "app")

    graph = module_graph()

    assert graph["app.things.one"] == {"app.things", "app.things.two"}
    assert graph["app.things.two"] == {"app.things.one", "app.other"}
    assert cycles(graph) == [["app.things.one", "app.things.two"]]
    assert package_graph(graph)["app.things"] == {"app.other"}


def test_no_module_under_app_imports_in_a_circle():
    assert cycles(module_graph()) == []


def test_no_package_under_app_imports_another_in_a_loop():
    packages = package_graph(module_graph())

    assert {"app.rounds", "app.survey", "app.reports", "app.lifecycle"} <= set(packages)
    assert cycles(packages) == []


# The order of README's layout: each imports only those before it.
LAYERS = (
    "app", "app.vocabulary", "app.errors", "app.config", "app.db", "app.dbloop", "app.security",
    "app.ratelimit", "app.email", "app.partnerships", "app.statements", "app.core", "app.audit",
    "app.accounts",
    "app.lifecycle", "app.survey", "app.results", "app.benchmarks", "app.plans", "app.reports",
    "app.national",
    "app.rounds", "app.evidence", "app.timed", "app.models", "app.demo", "app.cli", "app.main",
)


def test_each_package_imports_only_those_before_it_in_the_readme_layout():
    packages = package_graph(module_graph())

    assert set(packages) == set(LAYERS), "add a new package to LAYERS (and README's layout)"
    upward = {(package, imported) for package, targets in packages.items()
              for imported in targets if LAYERS.index(imported) > LAYERS.index(package)}
    assert upward == set()
