"""How long a new user waits: `make run` on a fresh clone until its first page answers, then again.

Clones this checkout's HEAD (commit first: uncommitted changes are not in the clone) into a temporary
folder and times, from the moment `make run` starts until ``GET /`` answers 200:

1. the first run: installation (uv creates ``.venv`` and installs), the embedded PostgreSQL's ``initdb``,
   the migrations, the partitions, the demo data and the development server's start;
2. the next run, after `make stop`: everything installed, the embedded servers stopped.

By default the package caches start empty (``UV_CACHE_DIR`` in the temporary folder, pip's cache off), as
on a new machine; ``--warm-cache`` keeps the user's caches. ``--pip-baseline`` also times a first run
installing with pip alone (``USE_UV=0``) in a second clone, and prints the ratio. The goals (issue 16): the
first run within 90 s, the next within 10 s. Nothing needs installing: the script uses only the standard
library, git and make. Example::

    python bench/first_run.py --port 8765
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIRST_RUN_GOAL = 90.0
NEXT_RUN_GOAL = 10.0
# Variables of the calling shell that would make the clone use something else than its own set-up.
DROPPED = ("DATABASE_URL", "REDIS_URL", "VEZA_VAR_DIR", "VIRTUAL_ENV", "PYTHONPATH", "DEBUG", "SECRET_KEY")


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (a local URL)
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def timed_run(clone: Path, port: int, env: dict, log: Path, *, timeout: float) -> dict:
    """Start `make run` in ``clone``; the seconds until the installation was done and until ``/`` answered."""
    stamp = clone / ".venv" / ".installed-stamp"
    installed_before = stamp.exists()
    started = time.monotonic()
    with open(log, "ab") as out:
        process = subprocess.Popen(  # noqa: S603
            ["make", "--no-print-directory", "run", f"PORT={port}"],  # noqa: S607
            cwd=clone,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    installed = 0.0 if installed_before else None
    try:
        while True:
            elapsed = time.monotonic() - started
            if installed is None and stamp.exists():
                installed = elapsed
            if answers(f"http://127.0.0.1:{port}/"):
                return {"page": elapsed, "install": installed}
            if process.poll() is not None:
                raise RuntimeError(f"make run exited with {process.returncode}: see {log}")
            if elapsed > timeout:
                raise RuntimeError(f"no page after {timeout:.0f} s: see {log}")
            time.sleep(0.2)
    finally:
        stop(clone, env, log, process)


def stop(clone: Path, env: dict, log: Path, process: subprocess.Popen) -> None:
    """`make stop`, which must end `make run` too (the development server is its last command)."""
    with open(log, "ab") as out:
        subprocess.run(
            ["make", "--no-print-directory", "stop"],  # noqa: S607
            cwd=clone,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=False,
            timeout=60,
        )
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        print("make stop did not end make run: killing it", file=sys.stderr)
        os.killpg(process.pid, 9)
        process.wait(5)


def clone_checkout(folder: Path, name: str) -> Path:
    target = folder / name
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(target)], check=True)  # noqa: S603, S607
    target.chmod(0o755)  # the embedded PostgreSQL runs as its own user when started as root
    return target


def environment(folder: Path, *, warm_cache: bool, **extra: str) -> dict:
    env = {key: value for key, value in os.environ.items() if key not in DROPPED}
    if not warm_cache:
        env["UV_CACHE_DIR"] = str(folder / "uv-cache")
        env["PIP_NO_CACHE_DIR"] = "1"
    env.update(extra)
    return env


def seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=8765, help="port of the development server (default 8765)")
    parser.add_argument("--warm-cache", action="store_true", help="keep the user's uv and pip caches")
    parser.add_argument("--pip-baseline", action="store_true", help="also time a first run installing with pip")
    parser.add_argument("--timeout", type=float, default=900, help="give up on a run after this long (s)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (logs, clones)")
    args = parser.parse_args()
    if answers(f"http://127.0.0.1:{args.port}/"):
        parser.error(f"something already answers on port {args.port}")

    folder = Path(tempfile.mkdtemp(prefix="veza-first-run-"))
    folder.chmod(0o755)
    log = folder / "make.log"
    load_before = os.getloadavg()
    rows = []
    try:
        clone = clone_checkout(folder, "veza")
        env = environment(folder, warm_cache=args.warm_cache)
        first = timed_run(clone, args.port, env, log, timeout=args.timeout)
        rows.append(("first run (fresh clone)", first, FIRST_RUN_GOAL))
        again = timed_run(clone, args.port, env, log, timeout=args.timeout)
        rows.append(("next run (installed, after make stop)", again, NEXT_RUN_GOAL))
        if args.pip_baseline:
            pip_clone = clone_checkout(folder, "veza-pip")
            pip_env = environment(folder, warm_cache=args.warm_cache, USE_UV="0")
            rows.append(("first run with pip (USE_UV=0)", timed_run(pip_clone, args.port, pip_env, log,
                                                                   timeout=args.timeout), None))  # fmt: skip
    finally:
        if args.keep:
            print(f"kept {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)

    cache = "warm caches" if args.warm_cache else "empty caches"
    print(f"make run until GET / answers 200 ({cache}; load average {load_before[0]:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after)")  # fmt: skip
    print(f"{'':40} {'install':>10} {'first page':>11} {'goal':>8}")
    for name, figures, goal in rows:
        goal_text = f"{goal:.0f} s" if goal else ""
        print(f"{name:40} {seconds(figures['install']):>10} {seconds(figures['page']):>11} {goal_text:>8}")
    if args.pip_baseline:
        print(f"uv first run / pip first run: {rows[0][1]['page'] / rows[2][1]['page']:.2f}")
    met = all(figures["page"] <= goal for _, figures, goal in rows if goal)
    print("goals met" if met else "goals NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
