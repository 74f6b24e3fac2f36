"""Shared helpers of the benchmarks: free ports, a production-like Veza server, wrk runs."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


# The production server options of docs/operations.md: Veza's WebSocket protocol (prebuilt frames,
# realtime.server), no WebSocket compression.
SERVER_ARGS = ("--ws", "realtime.server:WebSocketProtocol", "--ws-per-message-deflate", "false")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)  # noqa: S310 (local URL)
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def production_env(**extra) -> dict:
    """Production settings (DEBUG off) on the same PostgreSQL and Redis as this process."""
    from django.conf import settings

    env = dict(os.environ)
    env.update(
        {
            "DEBUG": "false",
            "SECRET_KEY": settings.SECRET_KEY if len(settings.SECRET_KEY) >= 50 else secrets.token_urlsafe(64),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_SSL_REDIRECT": "false",
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "DATABASE_URL": settings.DATABASE_URL,
            "REDIS_URL": settings.REDIS_URL,
            "LOG_LEVEL": "WARNING",
        }
    )
    env.update(extra)
    return env


def start_veza(
    workers: int = 2,
    uvicorn_args: tuple[str, ...] = (),
    *,
    host: str = "127.0.0.1",
    prefix: tuple[str, ...] = (),
    **env,
) -> tuple[str, subprocess.Popen]:
    """Start Veza as in production (docs/operations.md); returns its URL and process once it answers.

    ``prefix`` goes before the command (``ip netns exec <name>``: the server in a network namespace).
    With one worker, the process is the server itself (uvicorn forks none).
    """
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [*prefix, sys.executable, "-m", "uvicorn", "veza.asgi:application", "--host", host, "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", "--no-access-log", *SERVER_ARGS, *uvicorn_args],
        cwd=ROOT,
        env=production_env(**env),
    )  # fmt: skip
    try:
        wait_for(f"http://{host}:{port}/healthz")
    except BaseException:
        stop(process)
        raise
    return f"http://{host}:{port}", process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


@contextmanager
def veza_server(workers: int = 2, uvicorn_args: tuple[str, ...] = (), **env):
    """Veza under uvicorn with several workers, as in production (docs/operations.md), compression off."""
    url, process = start_veza(workers, uvicorn_args, **env)
    try:
        yield url
    finally:
        stop(process)


def seed_tracks(user, count: int, *, prefix: str, words: tuple[str, ...] = ("Morceau",)) -> None:
    """``count`` public tracks of ``user`` with their ``files`` rows (no stored audio), one minute apart.

    Titles cycle through ``words``; the rows go in with two bulk inserts (the search index follows them
    through its triggers).
    """
    from datetime import timedelta

    from django.utils import timezone

    from catalog.models import Track
    from media.models import File

    now = timezone.now()
    files = File.objects.bulk_create(
        File(user=user, filename=f"{prefix}-{n:06d}.mp3", original_name=f"take {n}.mp3", mime_type="audio/mpeg",
             size=3_000_000 + n, path=f"audio/{prefix}-{n:06d}.mp3", url=f"/media/audio/{prefix}-{n:06d}.mp3",
             is_public=True)
        for n in range(count)
    )  # fmt: skip
    Track.objects.bulk_create(
        Track(title=f"{words[n % len(words)]} {n}", artist=f"Artiste {n % 40}", album=f"Album {n % 90}",
              duration=60 + n % 400, genre=("Jazz", "Rock", "Électro", "Folk")[n % 4], file=file, creator=user,
              created_at=now - timedelta(minutes=count - n))
        for n, file in enumerate(files)
    )  # fmt: skip


def wrk(url: str, *, seconds: int, connections: int, threads: int = 2, headers: dict | None = None) -> dict:
    """Run wrk; return requests/s, transfer MB/s, p50/p99 latency (ms) and error count."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is needed: apt-get install wrk")
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    for key, value in (headers or {}).items():
        command += ["-H", f"{key}: {value}"]
    command[0] = shutil.which("wrk")
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout  # noqa: S603

    def number(pattern: str, default: float = 0.0) -> float:
        match = re.search(pattern, out)
        return float(match.group(1)) if match else default

    def millis(label: str) -> float:
        match = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out)
        if not match:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    transfer = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out)
    scale = {"B": 1e-6, "KB": 1e-3, "MB": 1, "GB": 1e3}
    errors = sum(int(x) for x in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    errors += int(number(r"Non-2xx or 3xx responses: (\d+)"))
    return {
        "rps": number(r"Requests/sec:\s+([\d.]+)"),
        "mb_s": float(transfer.group(1)) * scale.get(transfer.group(2), 1) if transfer else 0.0,
        "p50_ms": millis("50%"),
        "p99_ms": millis("99%"),
        "errors": errors,
    }
