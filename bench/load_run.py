"""A mixed load on a production-like Veza: browsing, search, streaming and chat (``bench/load.py``).

    .venv/bin/python bench/load_run.py [--users 40] [--spawn-rate 10] [--seconds 60] [--workers 2]

Seeds, into the configured database, people (``bench-load-*``), public rooms with their members, a
catalogue of tracks and products, and a few tracks with real audio (in a temporary MEDIA_ROOT); starts
Veza under uvicorn with ``--workers`` and production settings (static files collected once under
``var/bench-static``); runs the locustfile headless for ``--seconds`` with ``--users`` simulated people;
prints requests/s, p50/p95 and errors per endpoint and per kind; deletes what it seeded. Exits non-zero
when anything failed or a kind of endpoint was not exercised. Needs the ``bench`` extra (locust).
"""

from __future__ import annotations

import argparse
import csv
import json
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
    return {
        "tracks": audio,
        "search_words": list(SEARCH_WORDS),
        "listeners": tokens,
        "chatters": [{"token": token, "room": room_ids[n % rooms]} for n, token in enumerate(tokens)],
    }


def cleanup() -> None:
    """Delete the seeded rooms (their members and messages) and people (their files, tracks, products)."""
    from accounts.models import User
    from rooms.models import Room

    Room.objects.filter(name__startswith=f"{PREFIX}-room-").delete()
    User.objects.filter(username__startswith=f"{PREFIX}-").delete()


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
    env = {**os.environ, "VEZA_LOAD_FIXTURES": str(workdir / "fixtures.json")}
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=seconds + 120)  # noqa: S603
    stats = read_stats(workdir / "load")
    stats["log"] = result.stdout[-4000:] + result.stderr[-4000:]
    return stats


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
        with veza_server(workers=args.workers, MEDIA_ROOT=str(media), STATIC_ROOT=str(static)) as host:
            print(f"{args.users} people for {args.seconds} s against {host} ({args.workers} workers)…", flush=True)
            stats = run_locust(
                host, fixtures, users=args.users, spawn_rate=args.spawn_rate, seconds=args.seconds, workdir=work
            )
    finally:
        cleanup()
        shutil.rmtree(media, ignore_errors=True)
    load_after = os.getloadavg()
    shutil.rmtree(work, ignore_errors=True)
    print(f"\n{args.users} people, {args.seconds} s, {args.workers} uvicorn workers, {os.cpu_count()} cores")
    print(f"load average (1, 5, 15 min) before {load_before[0]:.1f} {load_before[1]:.1f} {load_before[2]:.1f}, "
          f"after {load_after[0]:.1f} {load_after[1]:.1f} {load_after[2]:.1f}")  # fmt: skip
    print(table(stats))
    missing = [kind for kind, count in stats["kinds"].items() if not count]
    if stats["errors"] or missing:
        print(stats["log"])
        raise SystemExit(f"errors: {stats['errors']}; kinds not exercised: {', '.join(missing) or 'none'}")


if __name__ == "__main__":
    main()
