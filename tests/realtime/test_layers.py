"""realtime/ sits under the domain apps: none of its modules imports one of them, nor the configuration."""

from pathlib import Path

from tests.core.test_layers import imported_modules

ROOT = Path(__file__).resolve().parents[2]
REALTIME = ROOT / "realtime"
ABOVE = {"accounts", "chat", "rooms", "media", "catalog", "marketplace", "search", "console", "subsonic", "veza"}


def test_realtime_imports_no_domain_app_nor_the_configuration():
    offenders = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in REALTIME.rglob("*.py")
        for name in imported_modules(path)
        if name.split(".")[0] in ABOVE
    )
    assert offenders == []


def test_the_check_sees_imports_inside_functions(tmp_path):
    module = tmp_path / "module.py"
    module.write_text("def f():\n    from rooms import services\n    import chat.models\n")
    assert imported_modules(module) == {"rooms", "chat.models"}
