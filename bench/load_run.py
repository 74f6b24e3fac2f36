"""A mixed load on a production-like Veza: browsing, search, streaming and chat (``bench/load.py``).

    .venv/bin/python bench/load_run.py [--users 40] [--spawn-rate 10] [--seconds 60] [--workers 2]

Seeds, into the configured database, people (``bench-load-*``), public rooms with their members, a
catalogue of tracks and products, and a few tracks with real audio (in a temporary MEDIA_ROOT); starts
Veza under uvicorn with ``--workers`` and production settings (static files collected once under
``var/bench-static``); runs the locustfile headless for ``--seconds`` with ``--users`` simulated people;
prints requests/s, p50/p95 and errors per endpoint and per kind, then per group (pages, API, audio
ranges, sockets: :func:`group_of`) with whether the goal is met: p95 under ``--goal-p95`` ms (150) for
pages and for the API, and no error at all; deletes what it seeded. Exits non-zero when anything failed
or a kind of endpoint was not exercised. Needs the ``bench`` extra (locust).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
os.environ.setdefault("DEBUG", "true")

import django

PREFIX = "bench-load"
ROOT = Path(__file__).resolve().parent.parent
KINDS = ("browse", "search", "stream", "chat")
GROUPS = ("pages", "api", "audio", "socket")
GOAL_GROUPS = ("pages", "api")
SEARCH_WORDS = ("guitare", "concert", "jazz", "piano", "vinyle", "festival", "mélodie", "studio")


def seed(*, people: int, rooms: int, tracks: int, products: int, audio_tracks: int, audio_seconds: int) -> dict:
    """Seed the run's data (after removing a previous run's); return the locustfile's fixtures."""
    from django.contrib.auth.hashers import make_password
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from bench.common import seed_tracks
    from catalog import services
    from demo.data import tone_wav
    from marketplace.models import Product
    from rooms.models import MemberRole, Room, RoomMember

    cleanup()
    password = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"{PREFIX}-{n}", email=f"{PREFIX}-{n}@veza.test", password=password) for n in range(people)
    )
    artist = users[0]
    room_ids = [
        Room.objects.create(name=f"{PREFIX}-room-{n}", description=f"Salle {SEARCH_WORDS[n % 8]}", creator=artist).pk
        for n in range(rooms)
    ]
    RoomMember.objects.bulk_create(
        RoomMember(room_id=room_ids[n % rooms], user=user, role=MemberRole.MEMBER) for n, user in enumerate(users)
    )
    seed_tracks(artist, tracks, prefix=PREFIX, words=tuple(word.capitalize() for word in SEARCH_WORDS))
    Product.objects.bulk_create(
        Product(name=f"{SEARCH_WORDS[n % 8].capitalize()} {n}", description=f"Un {SEARCH_WORDS[(n + 3) % 8]} usé",
                price=Decimal(10 + n), category=("Instruments", "Vinyles", "Studio")[n % 3], creator=artist)
        for n in range(products)
    )  # fmt: skip
    audio = []
    for n in range(audio_tracks):
        wav = tone_wav([220.0 * (n + 1) + 20 * i for i in range(audio_seconds)], note_seconds=1.0)
        track = services.track_upload(
            creator=artist, upload=SimpleUploadedFile(f"{PREFIX}-{n}.wav", wav), is_public=True,
            title=f"Écoute {SEARCH_WORDS[n % 8]} {n}", artist="Bench", album="Charge", genre="Test",
        )  # fmt: skip
        audio.append({"id": track.pk, "size": len(wav)})
    tokens = [str(AccessToken.for_user(user)) for user in users]
    _public_changed()
    return {
        "tracks": audio,
        "search_words": list(SEARCH_WORDS),
        "listeners": tokens,
        "chatters": [{"token": token, "room": room_ids[n % rooms]} for n, token in enumerate(tokens)],
    }


def _public_changed() -> None:
    """Seeded and deleted with the ORM, not through the services: drop what visitors were served."""
    from core import pagecache

    pagecache.changed(*pagecache.TOPICS)


def cleanup() -> None:
    """Delete the seeded rooms (their members and messages) and people (their files, tracks, products)."""
    from accounts.models import User
    from rooms.models import Room

    Room.objects.filter(name__startswith=f"{PREFIX}-room-").delete()
    User.objects.filter(username__startswith=f"{PREFIX}-").delete()
    _public_changed()


def collect_static(target: Path, env: dict) -> None:
    """``collectstatic`` into ``target`` unless its manifest is newer than every file in static/."""
    manifest = target / "staticfiles.json"
    newest = max(path.stat().st_mtime for path in (ROOT / "static").rglob("*") if path.is_file())
    if manifest.exists() and manifest.stat().st_mtime > newest:
        return
    print(f"collecting static files into {target} (once; about a minute)…", flush=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
        cwd=ROOT, env={**env, "STATIC_ROOT": str(target)}, check=True,
    )  # fmt: skip


def run_locust(host: str, fixtures: dict, *, users: int, spawn_rate: int, seconds: int, workdir: Path) -> dict:
    """Run bench/load.py headless against ``host``; return its statistics (see :func:`read_stats`)."""
    (workdir / "fixtures.json").write_text(json.dumps(fixtures))
    command = [
        sys.executable, "-m", "locust", "-f", str(ROOT / "bench" / "load.py"), "--headless", "--only-summary",
        "-u", str(users), "-r", str(spawn_rate), "-t", f"{seconds}s", "--stop-timeout", "15",
        "--host", host, "--csv", str(workdir / "load"), "--loglevel", "WARNING",
    ]  # fmt: skip
    times = workdir / "times.json"
    env = {**os.environ, "VEZA_LOAD_FIXTURES": str(workdir / "fixtures.json"), "VEZA_LOAD_TIMES": str(times)}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds + 120)  # noqa: S603
    stats = read_stats(workdir / "load")
    stats["groups"] = groups(json.loads(times.read_text())) if times.exists() else {}
    stats["log"] = result.stdout[-4000:] + result.stderr[-4000:]
    return stats


def group_of(name: str) -> str:
    """``pages`` (HTML), ``api`` (JSON under /api/v1/), ``audio`` (256 KiB ranges of a track) or ``socket``."""
    if name.startswith("chat: WS"):
        return "socket"
    if "/stream (JWT)" in name or "/media/" in name:
        return "audio"
    return "api" if "/api/" in name else "pages"


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile (as locust's tables, without their rounding)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(share * len(ordered)) - 1))]


def groups(times: list) -> dict:
    """Per group: requests, p50/p95/p99 and maximum (ms) over every request of its endpoints, and errors."""
    found: dict[str, dict] = {}
    for group in GROUPS:
        rows = [(ms, ok) for name, ms, ok in times if group_of(name) == group]
        values = [ms for ms, _ in rows]
        found[group] = {
            "requests": len(rows),
            "p50": percentile(values, 0.50),
            "p95": percentile(values, 0.95),
            "p99": percentile(values, 0.99),
            "max": max(values, default=float("nan")),
            "errors": sum(1 for _, ok in rows if not ok),
        }
    return found


def goal_report(stats: dict, goal_ms: float) -> tuple[bool, str]:
    """Whether pages and API keep p95 under ``goal_ms`` with no error anywhere, and the lines that say so."""
    lines = [f"{'group':7} {'requests':>8} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} {'max ms':>7} {'errors':>6}"]
    for group, g in stats["groups"].items():
        times = " ".join(f"{g[key]:7.0f}" for key in ("p50", "p95", "p99", "max"))
        lines.append(f"{group:7} {g['requests']:8d} {times} {g['errors']:6d}")
    met = bool(stats["groups"]) and stats["errors"] == 0
    for group in GOAL_GROUPS:
        g = stats["groups"].get(group)
        met = met and g is not None and g["requests"] > 0 and g["p95"] < goal_ms
    verdict = "met" if met else "NOT met"
    lines.append(f"goal (p95 under {goal_ms:.0f} ms for pages and for the API, 0 errors): {verdict}")
    return met, "\n".join(lines)


def read_stats(prefix: Path) -> dict:
    """Per endpoint: requests, requests/s, p50/p95 (ms) and failures; plus exceptions raised by tasks."""
    with open(f"{prefix}_stats.csv", newline="") as stream:
        rows = list(csv.DictReader(stream))
    with open(f"{prefix}_exceptions.csv", newline="") as stream:
        exceptions = [(int(row["Count"]), row["Message"]) for row in csv.DictReader(stream)]
    with open(f"{prefix}_failures.csv", newline="") as stream:
        failures = [(int(row["Occurrences"]), row["Name"], row["Error"]) for row in csv.DictReader(stream)]

    def number(value: str) -> float:
        return float(value) if value not in ("", "N/A") else float("nan")

    endpoints = [
        {
            "kind": row["Name"].split(":", 1)[0],
            "name": row["Name"].split(":", 1)[-1].strip(),
            "requests": int(row["Request Count"]),
            "rps": number(row["Requests/s"]),
            "p50": number(row["50%"]),
            "p95": number(row["95%"]),
            "errors": int(row["Failure Count"]),
        }
        for row in rows
        if row["Name"] != "Aggregated"
    ]
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return {
        "endpoints": endpoints,
        "total": {"requests": int(total["Request Count"]), "rps": number(total["Requests/s"]),
                  "p50": number(total["50%"]), "p95": number(total["95%"]), "errors": int(total["Failure Count"])},
        "exceptions": exceptions,
        "failures": failures,
        "errors": int(total["Failure Count"]) + sum(count for count, _ in exceptions),
        "kinds": {kind: sum(e["requests"] for e in endpoints if e["kind"] == kind) for kind in KINDS},
    }  # fmt: skip


def table(stats: dict) -> str:
    lines = [f"{'kind':7} {'endpoint':52} {'requests':>8} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'errors':>6}"]
    for kind in KINDS:
        for e in sorted((e for e in stats["endpoints"] if e["kind"] == kind), key=lambda e: e["name"]):
            lines.append(
                f"{kind:7} {e['name']:52} {e['requests']:8d} {e['rps']:7.1f} {e['p50']:7.0f} {e['p95']:7.0f} "
                f"{e['errors']:6d}"
            )
    t = stats["total"]
    lines.append(
        f"{'all':7} {'':52} {t['requests']:8d} {t['rps']:7.1f} {t['p50']:7.0f} {t['p95']:7.0f} {stats['errors']:6d}"
    )
    for count, name, error in stats["failures"]:
        lines.append(f"failure x{count}: {name}: {error}")
    for count, message in stats["exceptions"]:
        lines.append(f"exception x{count}: {message}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--users", type=int, default=40, help="simulated people (browsers, searchers, ...)")
    parser.add_argument("--spawn-rate", type=int, default=10, help="people started per second")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--goal-p95", type=float, default=150, help="the p95 (ms) pages and the API must stay under")
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", help="a setting for the server (repeatable)"
    )
    args = parser.parse_args()

    media = Path(tempfile.mkdtemp(prefix="veza-load-media-"))
    media.chmod(0o755)
    os.environ["MEDIA_ROOT"] = str(media)
    from veza import bootstrap

    bootstrap.environment()  # the embedded servers, unless DATABASE_URL / REDIS_URL are set
    django.setup()
    from bench.common import production_env, veza_server
    from veza.embedded import var_dir

    static = var_dir() / "bench-static"
    collect_static(static, production_env())
    print("seeding…", flush=True)
    fixtures = seed(people=max(20, args.users), rooms=10, tracks=500, products=200, audio_tracks=3, audio_seconds=30)
    work = Path(tempfile.mkdtemp(prefix="veza-load-"))
    load_before = os.getloadavg()
    try:
        server_env = dict(item.split("=", 1) for item in args.env)
        with veza_server(workers=args.workers, MEDIA_ROOT=str(media), STATIC_ROOT=str(static), **server_env) as host:
            print(f"{args.users} people for {args.seconds} s against {host} ({args.workers} workers)…", flush=True)
            stats = run_locust(
                host, fixtures, users=args.users, spawn_rate=args.spawn_rate, seconds=args.seconds, workdir=work
            )
    finally:
        cleanup()
        shutil.rmtree(media, ignore_errors=True)
    load_after = os.getloadavg()
    shutil.rmtree(work, ignore_errors=True)
    given = "".join(f", {item}" for item in args.env)
    print(f"\n{args.users} people, {args.seconds} s, {args.workers} uvicorn workers{given}, {os.cpu_count()} cores")
    print(f"load average (1, 5, 15 min) before {load_before[0]:.1f} {load_before[1]:.1f} {load_before[2]:.1f}, "
          f"after {load_after[0]:.1f} {load_after[1]:.1f} {load_after[2]:.1f}")  # fmt: skip
    print(table(stats))
    print()
    print(goal_report(stats, args.goal_p95)[1])
    missing = [kind for kind, count in stats["kinds"].items() if not count]
    if stats["errors"] or missing:
        print(stats["log"])
        raise SystemExit(f"errors: {stats['errors']}; kinds not exercised: {', '.join(missing) or 'none'}")


if __name__ == "__main__":
    main()
