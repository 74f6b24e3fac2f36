"""core/ is the floor: no module under it imports an app of the project or the configuration (veza)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core"
# Every top-level package of the checkout but core itself: the apps, veza, and tests/bench.
PROJECT = {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"core"}


def imported_modules(path: Path) -> set[str]:
    """Every module ``path`` imports, at the top or inside a function."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


def test_the_project_packages_are_found():
    assert {"veza", "accounts", "chat", "rooms", "media", "catalog", "marketplace", "search"} <= PROJECT


def test_core_imports_no_project_app_nor_veza():
    offenders = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in CORE.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in PROJECT
    )
    assert offenders == []
