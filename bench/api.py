"""The tracks API against a bare Django view returning the same rows, on the same server, in the same run.

    .venv/bin/python bench/api.py [--tracks 1000] [--seconds 10] [--connections 16] [--rounds 3]

Seeds ``--tracks`` public tracks (with their ``files`` rows) for one user into the configured database,
starts Veza under uvicorn (``--workers``, production settings) with ``BENCH_BASELINE=true``, then measures
with wrk, in alternating order, round after round:
- ``GET /api/v1/tracks/?page_size=50`` (DRF: filters, pagination with its count, serializer, renderer),
- ``GET /bench/tracks-values?page_size=50`` (the baseline, ``console/benchmark.py``: ``.values()`` and
  ``JsonResponse``, nothing else).
Prints requests/s, p50/p99 latency and errors of each, and the ratio API/baseline (goal: >= 0.5).
The seeded rows are deleted at the end. Needs wrk.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
os.environ.setdefault("DEBUG", "true")

import django

PREFIX = "bench-api"
PAGE = "?page_size=50"
TARGETS = {"API /api/v1/tracks/": "/api/v1/tracks/", "baseline .values()": "/bench/tracks-values"}


def seed(count: int) -> None:
    """``count`` public tracks with their files, owned by one user."""
    from accounts.models import User
    from bench.common import seed_tracks

    cleanup()
    seed_tracks(User.objects.create_user(PREFIX, f"{PREFIX}@veza.test", None), count, prefix=PREFIX)


def cleanup() -> None:
    """Delete the benchmark's user; its files and tracks go with it."""
    from accounts.models import User

    User.objects.filter(username=PREFIX).delete()


def same_rows(server: str) -> bool:
    """Both URLs answer the same tracks in the same order (a sanity check of the comparison)."""

    def ids(path: str) -> list[int]:
        with urllib.request.urlopen(f"{server}{path}{PAGE}", timeout=10) as response:  # noqa: S310 (local URL)
            return [row["id"] for row in json.load(response)["results"]]

    api, baseline = (ids(path) for path in TARGETS.values())
    return len(api) == 50 and api == baseline


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tracks", type=int, default=1000)
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="wrk runs of each URL, in alternating order")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    from veza import bootstrap

    bootstrap.environment()  # the embedded servers, unless DATABASE_URL / REDIS_URL are set
    django.setup()
    from bench.common import veza_server, wrk

    print(f"seeding {args.tracks} public tracks…", flush=True)
    seed(args.tracks)
    runs: dict[str, list[dict]] = {name: [] for name in TARGETS}
    try:
        with veza_server(workers=args.workers, BENCH_BASELINE="true") as server:
            if not same_rows(server):
                raise SystemExit("the API and the baseline do not answer the same rows")
            for path in TARGETS.values():  # warm up: connection pools, imports, caches
                wrk(f"{server}{path}{PAGE}", seconds=2, connections=args.connections)
            for round_ in range(args.rounds):
                order = list(TARGETS.items()) if round_ % 2 == 0 else list(TARGETS.items())[::-1]
                for name, path in order:
                    result = wrk(f"{server}{path}{PAGE}", seconds=args.seconds, connections=args.connections)
                    runs[name].append(result)
                    print(f"  round {round_ + 1}: {name:22} {result['rps']:8.0f} req/s", flush=True)
    finally:
        cleanup()

    api, base = runs.values()
    print(
        f"\n{args.tracks} public tracks, 50 per page, {args.connections} connections, {args.workers} uvicorn workers, "
        f"{args.rounds} x {args.seconds} s per URL (alternating)"
    )
    print(f"{'endpoint':22} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'ratio':>6}")
    base_rps = statistics.fmean(r["rps"] for r in base) or 1
    for name, results in runs.items():
        rps = statistics.fmean(r["rps"] for r in results)
        print(
            f"{name:22} {rps:8.0f} {statistics.median(r['p50_ms'] for r in results):8.2f} "
            f"{statistics.median(r['p99_ms'] for r in results):8.2f} {sum(r['errors'] for r in results):7d} "
            f"{rps / base_rps:6.2f}"
        )
    per_round = [a["rps"] / b["rps"] for a, b in zip(api, base, strict=True) if b["rps"]]
    ratio = statistics.fmean(r["rps"] for r in api) / base_rps
    print(f"ratio per round: {', '.join(f'{r:.2f}' for r in per_round)}")
    print(f"goal: API >= 0.5 x baseline: {'met' if ratio >= 0.5 else 'NOT met'} ({ratio:.2f})")


if __name__ == "__main__":
    main()
