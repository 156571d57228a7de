"""The packages import one way, along the data flow: ontology <- loaders <- graph <- queries <- api."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["ontology", "loaders", "graph", "queries", "api"]


def imported_packages(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & set(ORDER)


def test_every_package_imports_only_packages_to_its_left() -> None:
    violations = []
    checked = 0
    for position, package in enumerate(ORDER):
        allowed = set(ORDER[: position + 1])
        for path in sorted((ROOT / package).rglob("*.py")):
            checked += 1
            for imported in imported_packages(path) - allowed:
                violations.append(f"{path.relative_to(ROOT)} imports {imported}")
    assert checked > 10
    assert violations == []


def test_the_rule_catches_a_violation(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from api.cli import main\nimport graph.store\n")
    assert imported_packages(bad) == {"api", "graph"}


def test_ci_runs_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    command = next(line for line in ci.splitlines() if line.startswith("bash .ci/setup"))
    assert command in readme
