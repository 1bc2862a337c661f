"""Data flows one way (DESIGN.md): sources -> store -> catalogue -> engine -> judge -> pipeline (and the monthly
board built on it) -> publish -> web.
These tests read every module's imports (module level and inside functions) and fail on an import cycle or on
a stage reaching past the one before it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "src" / "csc_scorecard"
# What each stage may import from the package (besides itself and the shared modules below).
SHARED = {
    "periods",
    "working_days",
    "refdata",
    "output",
    "config",
    "workers",
    "private_files",
    "disk_cache",
    "lazy",
}
MAY_IMPORT = {
    "sources": set(),
    "store": {"sources"},
    "ingest": {"sources", "store"},
    "catalogue": {"sources"},
    "engine": {"catalogue", "store", "sources"},  # the table specs: which return fills each table
    "judge": {"store"},
    "pipeline": {"catalogue", "engine", "judge", "store"},
    "board": {
        "catalogue",
        "engine",
        "judge",
        "pipeline",
        "store",
        "sources",
    },  # the monthly board: a pipeline
    "reconcile": {"catalogue", "engine", "ingest", "store", "sources"},
    "publish": {"judge", "pipeline", "board"},
    "web": {"catalogue", "engine", "judge", "pipeline", "board", "publish", "store", "sources", "ingest"},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> tuple[set[str], set[str]]:
    """(imports at module level, imports anywhere) of one module, as absolute module names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = _module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    top, anywhere = set(), set()
    type_checking = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    for node in ast.walk(tree):
        if id(node) in type_checking:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            # `from . import x` imports the module x when there is one, else a name from the package itself
            names = [f"{module}.{a.name}" if _exists(f"{module}.{a.name}") else module for a in node.names]
        found = {n for n in names if n.startswith("csc_scorecard") and _exists(n)}
        anywhere |= found
        if node in tree.body:
            top |= found
    return top, anywhere


def _exists(name: str) -> bool:
    path = PACKAGE.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py") if "node_modules" not in p.parts}
IMPORTS = {name: _imports(path) for name, path in MODULES.items()}


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def test_no_import_cycles_between_modules():
    graph = {m: {i for i in top if i != m and i in MODULES} for m, (top, _) in IMPORTS.items()}
    cycles = []
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = [*trail[trail.index(nxt) :], nxt] if nxt in trail else [node, nxt]
                # a package importing its own submodules (its __init__ re-exporting) is not a cycle
                if not all(c == cycle[0] or c.startswith(cycle[0] + ".") for c in cycle):
                    cycles.append(" -> ".join(cycle))
            elif state.get(nxt) is None:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles, "import cycles: " + "; ".join(cycles)


@pytest.mark.parametrize("stage", sorted(MAY_IMPORT))
def test_each_stage_reads_only_the_stages_before_it(stage):
    allowed = MAY_IMPORT[stage] | SHARED | {stage}
    wrong = sorted(
        f"{module} imports {target}"
        for module, (_, anywhere) in IMPORTS.items()
        if _stage(module) == stage
        for target in anywhere
        if _stage(target) not in allowed
    )
    assert not wrong, "\n".join(wrong)


def test_the_checks_see_imports():
    assert "csc_scorecard.judge.judgement" in IMPORTS["csc_scorecard.judge.narrative"][0]
    assert "csc_scorecard.web.routes.pages" in IMPORTS["csc_scorecard.web.app"][0]
