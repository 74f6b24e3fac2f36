"""The console and the demo data sit above the domain apps: below them, nothing imports them nor veza."""

from tests.core.test_layers import PROJECT, ROOT, imported_modules

ABOVE = {"veza", "console", "demo"}
# Packages that are no layer of the application: its tests and its benchmarks.
OUTSIDE = {"tests", "bench"}


def test_console_and_demo_are_found():
    assert {"console", "demo"} <= PROJECT


def test_no_package_below_the_console_imports_it_nor_demo_nor_veza():
    offenders = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for package in PROJECT - ABOVE - OUTSIDE
        for path in (ROOT / package).rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in ABOVE
    )
    assert offenders == []


def test_the_console_and_demo_import_neither_the_configuration_nor_each_other():
    offenders = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for package, other in (("console", "demo"), ("demo", "console"))
        for path in (ROOT / package).rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in {"veza", other}
    )
    assert offenders == []
