"""The layers of the application, as the import contract states them (``[tool.importlinter]`` in
pyproject.toml, also run by ``make check``): a package imports only those below it, and the packages of
one layer written ``a | b`` do not import each other. core is the floor, realtime knows no domain app,
console and demo sit above the domain apps, veza (the configuration) above everything."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYPROJECT = ROOT / "pyproject.toml"
CONTRACT = tomllib.loads(PYPROJECT.read_text())["tool"]["importlinter"]
# Packages that are no layer of the application: its tests and its benchmarks.
OUTSIDE = {"tests", "bench"}


def layers() -> list[set[str]]:
    (contract,) = CONTRACT["contracts"]
    return [{name.strip() for name in layer.replace(":", "|").split("|")} for layer in contract["layers"]]


def test_every_package_of_the_application_is_in_the_contract():
    packages = {path.parent.name for path in ROOT.glob("*/__init__.py")} - OUTSIDE
    assert {"core", "realtime", "veza", "console", "search"} <= packages
    assert set(CONTRACT["root_packages"]) == packages


def test_each_package_stands_in_one_layer_with_core_at_the_bottom_and_veza_at_the_top():
    stacked = layers()
    names = [name for layer in stacked for name in layer]
    assert sorted(names) == sorted(CONTRACT["root_packages"])
    assert stacked[0] == {"veza"}
    assert stacked[-2:] == [{"realtime"}, {"core"}]


def test_the_import_contract_holds():
    """Imports inside functions count too: import-linter reads every import statement of a module.

    In a process of its own, as ``make check`` runs it: it reads the code, it does not import it.
    """
    command = [str(Path(sys.executable).with_name("lint-imports")), "--config", str(PYPROJECT), "--no-cache"]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)  # noqa: S603
    assert result.returncode == 0, result.stdout + result.stderr
