"""Importing the settings starts nothing; the entry points start the embedded servers when no URL is set."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]


def without_servers(var_dir: Path) -> dict:
    """The environment of a child process with no DATABASE_URL / REDIS_URL and its own var folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")}
    env.update({"DEBUG": "true", "VEZA_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "veza.settings"})
    return env


def python(var_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603
        [sys.executable, *args], cwd=ROOT, env=without_servers(var_dir), capture_output=True, text=True, timeout=120
    )


def test_importing_settings_without_server_urls_starts_no_server(tmp_path):
    var_dir = tmp_path / "var"
    result = python(var_dir, "-c", "import veza.settings")
    assert "DATABASE_URL is not set" in result.stderr, result.stderr
    assert result.returncode != 0
    started = [name for name in ("postgres", "redis", ".postgres.lock", ".redis.lock") if (var_dir / name).exists()]
    assert started == []


@pytest.mark.slow
def test_manage_py_and_the_asgi_app_start_the_embedded_servers_when_no_url_is_set():
    # Not under pytest's temporary folder: the server's own system user must reach it (see test_embedded).
    base = Path(tempfile.mkdtemp(prefix="veza-bootstrap-"))
    base.chmod(0o755)
    var_dir = base / "var"
    show = "from django.conf import settings; print(settings.DATABASE_URL); print(settings.REDIS_URL)"
    try:
        managed = python(var_dir, "manage.py", "shell", "-c", show)
        assert managed.returncode == 0, managed.stderr
        database_url, redis_url = managed.stdout.split()[-2:]  # after the shell's own notice
        assert quote(str(var_dir / "postgres"), safe="") in database_url
        assert redis_url.startswith("unix://")
        served = python(var_dir, "-c", f"import veza.asgi; {show}")
        assert served.returncode == 0, served.stderr
        assert served.stdout.split()[-2:] == [database_url, redis_url]  # the same servers, reused
    finally:
        stopped = python(var_dir, "-m", "veza.embedded", "stop")
        assert stopped.returncode == 0, stopped.stderr
        shutil.rmtree(base, ignore_errors=True)
