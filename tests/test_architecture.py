"""The layers of the package: imports run only downward, and no module imports itself round a circle.

Read from the code with ``ast`` (every import, at the top of a module or inside a function),
so the rule in ``docs/architecture.md`` cannot drift from what the code does.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import REPO

PACKAGE = REPO / "model"

MAY_IMPORT: dict[str, set[str]] = {
    "declare": set(),
    "engine": {"declare"},
    "io": {"declare"},
    "sampling": {"declare", "engine", "io"},
    "run": {"declare", "engine", "io", "sampling"},
    "analysis": {"declare", "engine", "io", "sampling", "run"},
    "report": {"declare", "io", "sampling", "run", "analysis"},
    "pipeline": {"declare", "engine", "io", "sampling", "run", "analysis", "report"},
    "cli": {"declare", "engine", "io", "sampling", "run", "analysis", "report", "pipeline"},
}
"""What each layer may import besides itself and the package's face (``model``, for ``__version__``)."""


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "model"


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Every module of the package that ``path`` imports, with the line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path}:{node.lineno}: a relative import; the package imports absolutely"
            if node.module == "model":
                for alias in node.names:
                    target = f"model.{alias.name}"
                    found.append((target if (PACKAGE / alias.name).exists()
                                  or (PACKAGE / f"{alias.name}.py").exists() else "model", node.lineno))
            elif node.module and node.module.startswith("model."):
                found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names if alias.name.startswith("model.")]
    return found


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {module: imports_of(path) for module, path in MODULES.items()}


def test_every_module_is_in_a_declared_layer():
    unknown = sorted({layer(module) for module in MODULES} - set(MAY_IMPORT) - {"model"})
    assert not unknown, f"declare these layers in MAY_IMPORT and in docs/architecture.md: {unknown}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_run_only_downward(module):
    own = layer(module)
    for target, line in GRAPH[module]:
        other = layer(target)
        if other in (own, "model"):
            continue
        assert other in MAY_IMPORT.get(own, set()), (
            f"{MODULES[module].relative_to(REPO)}:{line} imports {target}: the {own} layer may import only "
            f"{', '.join(sorted(MAY_IMPORT[own])) or 'nothing else'} (docs/architecture.md)")


def test_the_engine_knows_nothing_of_files_reports_or_the_command_line():
    for module in MODULES:
        if layer(module) == "engine":
            assert {layer(t) for t, _ in GRAPH[module]} <= {"engine", "declare"}, module


def test_nothing_outside_the_command_line_imports_it():
    for module, targets in GRAPH.items():
        if layer(module) != "cli":
            assert not [t for t, _ in targets if layer(t) == "cli"], module


def test_no_module_imports_itself_round_a_circle():
    edges = {module: {t for t, _ in targets if t in MODULES} for module, targets in GRAPH.items()}
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> None:
        state[module] = "open"
        for target in sorted(edges[module]):
            if state.get(target) == "open":
                circle = trail[trail.index(target):] + [module, target] if target in trail else [module, target]
                pytest.fail("an import cycle: " + " -> ".join(circle))
            if target not in state:
                visit(target, trail + [module])
        state[module] = "done"

    for module in sorted(edges):
        if module not in state:
            visit(module, [])


def test_the_rule_catches_an_upward_import(tmp_path):
    """The check above can fail: an engine module importing the report layer is refused."""
    bad = tmp_path / "bad.py"
    bad.write_text("from model.report.pdf import build_report_pdf\n", encoding="utf-8")
    (target, _), = imports_of(bad)
    assert layer(target) == "report" and "report" not in MAY_IMPORT["engine"]
