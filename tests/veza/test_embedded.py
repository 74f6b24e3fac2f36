"""The embedded default starts PostgreSQL and Redis under a var folder and reuses them."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from tests.ports import free_port

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


def wait_until_serving(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (a local URL)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            assert process.poll() is None, "the development server exited"
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


@pytest.mark.slow
@pytest.mark.django_db
def test_stop_ends_the_development_server_make_run_started_and_its_reloader_child(tmp_path):
    from tests.veza.test_settings import manage_env

    port = free_port()
    env = manage_env(DEBUG="true", VEZA_VAR_DIR=str(tmp_path))
    # As `make run` does: the server's process id goes to var/runserver.pid.
    server = subprocess.Popen(  # noqa: S603
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        (tmp_path / "runserver.pid").write_text(f"{server.pid}\n")
        wait_until_serving(f"http://127.0.0.1:{port}/healthz", server)
        children = psutil.Process(server.pid).children(recursive=True)
        assert children, "runserver's autoreloader serves from a child process"

        stopped = subprocess.run(
            [sys.executable, "-m", "veza.embedded", "stop"], cwd=ROOT, env=env, capture_output=True, text=True,
            timeout=60,
        )  # fmt: skip
        assert stopped.returncode == 0, stopped.stderr
        assert f"stopped the development server (process {server.pid})" in stopped.stdout
        assert server.wait(10) is not None
        psutil.wait_procs(children, timeout=10)
        assert not any(child.is_running() for child in children)
        assert not (tmp_path / "runserver.pid").exists()
    finally:
        if server.poll() is None:
            server.kill()


def test_stop_leaves_alone_a_process_that_is_not_the_development_server(tmp_path):
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / "runserver.pid").write_text(f"{other.pid}\n")  # a stale file: the id now names another process
        stopped = run(tmp_path, "stop")
        assert stopped.returncode == 0, stopped.stderr
        assert "development server" not in stopped.stdout
        assert other.poll() is None
        assert not (tmp_path / "runserver.pid").exists()
    finally:
        other.kill()
        other.wait(5)
