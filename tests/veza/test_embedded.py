"""The embedded default starts PostgreSQL and Redis under a var folder and reuses them."""

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(var_dir, *args):
    env = {**os.environ, "VEZA_VAR_DIR": str(var_dir)}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-m", "veza.embedded", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_embedded_services_start_are_reused_and_stop():
    # Not under pytest's temporary folder: pytest resets that folder to mode 0700 whenever a session
    # starts, which would lock out the server's own system user.
    base = Path(tempfile.mkdtemp(prefix="veza-embedded-"))
    base.chmod(0o755)
    var_dir = base / "var"
    first = run(var_dir, "start")
    assert first.returncode == 0, first.stderr
    urls = dict(line.split("=", 1) for line in first.stdout.split())
    assert urls["DATABASE_URL"].startswith("postgres://postgres@")
    assert urls["REDIS_URL"].startswith("unix://")
    try:
        pid_before = (var_dir / "postgres" / "postmaster.pid").read_text().split()[0]
        again = run(var_dir, "start")
        assert again.returncode == 0, again.stderr
        assert again.stdout == first.stdout
        assert (var_dir / "postgres" / "postmaster.pid").read_text().split()[0] == pid_before

        import psycopg
        import redis

        from veza.settings import _database_config

        config = _database_config(urls["DATABASE_URL"])
        with psycopg.connect(host=config["HOST"], port=config["PORT"], user="postgres", dbname="veza") as conn:
            extensions = {row[0] for row in conn.execute("SELECT name FROM pg_available_extensions")}
        assert {"unaccent", "pg_trgm"} <= extensions
        client = redis.Redis.from_url(urls["REDIS_URL"])
        assert client.ping()
        client.close()
    finally:
        stopped = run(var_dir, "stop")
    assert stopped.returncode == 0, stopped.stderr
    assert not (var_dir / "postgres" / "postmaster.pid").exists()
    shutil.rmtree(base, ignore_errors=True)
