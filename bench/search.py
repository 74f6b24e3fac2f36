"""Unified search at scale: full-text search against an ILIKE scan of the same rows, in the same run.

    .venv/bin/python bench/search.py [--messages 1000000] [--entities 100000] [--runs 40] [--reload]

Loads (once, with COPY, into its own database ``<name>_bench_search`` on the configured PostgreSQL):
``--messages`` room messages in 1,000 rooms, ``--entities`` tracks (with their files) and as many
products, 100,000 direct messages and 2,000 users; then fills ``search_index`` through the same SQL
function the triggers use. Later runs reuse the data unless ``--reload``.

Then measures p50/p95 of typical searches through ``search.selectors`` (what the API runs, every query
included), and of the same searches written as ``ILIKE '%word%'`` scans over the same rows (the
baseline). Prints both and the ratio; the goal is p95 <= 30 ms and >= 100x faster than the scan.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
os.environ.setdefault("DEBUG", "true")
os.environ["DATABASE_POOL"] = "false"

ROOMS = 1_000
USERS = 2_000
DIRECT_MESSAGES = 100_000
VIEWER_ROOMS = 50  # the searching user belongs to 5% of the rooms
SEED = 20261126

# Words people search for, with accents and plurals; the rest of the text is drawn from a large
# vocabulary of made-up words, with a long tail as in real chat.
MUSIC = (  # noqa: SIM905
    "musique chanson chansons concert concerts guitare guitares basse batterie répétition répétitions "
    "studio mixage mastering album albums été hiver soirée festival scène vinyle synthé piano violon "
    "chorale rythme mélodie accord accords tempo boucle sample samples groove jazz rock électro folk "
    "blues song songs live session sessions beat beats drums vocals remix release tour"
).split()
SYLLABLES = (  # noqa: SIM905
    "ba be bi bo bu da de di do du fa fe fi fo ka ke ki ko la le li lo ma me "
    "mi mo na ne ni no ra re ri ro sa se si so ta te ti to va ve vi vo za zo"
).split()
MUSIC_SHARE = 0.04  # of all words: each of these words is then in 0.5-2% of messages and descriptions
VIEWER_DM_SHARE = 0.02  # of all direct messages involve the searching user
GENRES = ["Jazz", "Rock", "Électro", "Folk", "Blues", "Hip-hop", "Classique", "Ambient", "Pop", "Chanson"]
CATEGORIES = ["Instruments", "Effets", "Samples", "Cours", "Vinyles", "Accessoires", "Studio", "Merch"]

# (label, kind, text): kind None = every entity type; "message" = the viewer's room messages.
QUERIES = [
    ("one word", None, ["guitare", "concert", "vinyle", "mélodie", "festival", "piano"]),
    ("two words", None, ["guitare basse", "concert été", "album jazz", "studio mixage"]),
    ("no accents", None, ["ete", "melodie", "repetition", "electro"]),
    ("phrase", None, ['"album jazz"', '"guitare folk"']),
    ("near spelling", None, ["guitarre", "festivl", "violn"]),
    ("room messages", "message", ["concert", "répétition", "guitare", "mastering"]),
    ("direct messages", "direct_message", ["concert", "studio", "vinyle"]),
]


def _words(rng: random.Random, vocabulary: list[str], count: int) -> str:
    chosen = []
    for _ in range(count):
        if rng.random() < MUSIC_SHARE:
            chosen.append(rng.choice(MUSIC))
        else:  # Zipf-like: the first made-up words are far more frequent
            chosen.append(vocabulary[min(int(rng.paretovariate(1.1)) - 1, len(vocabulary) - 1)])
    return " ".join(chosen)


def _vocabulary(rng: random.Random) -> list[str]:
    words = {"".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(20_000)}
    words = sorted(words)
    rng.shuffle(words)
    return words


def bench_database() -> str:
    """Create (if needed) the benchmark's own database on the configured server; point Django at it."""
    import psycopg

    from veza import settings as veza_settings

    config = veza_settings.DATABASES["default"]
    name = f"{config['NAME']}_bench_search"
    params = {"dbname": config["NAME"], "user": config.get("USER") or None, "host": config.get("HOST") or None}
    if config.get("PORT"):
        params["port"] = config["PORT"]
    if config.get("PASSWORD"):
        params["password"] = config["PASSWORD"]
    with psycopg.connect(**{k: v for k, v in params.items() if v is not None}, autocommit=True) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')
    config["NAME"] = name
    return name


def load(*, messages: int, entities: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from search.models import EntityType

    rng = random.Random(SEED)  # noqa: S311 - reproducible test data
    vocabulary = _vocabulary(rng)
    now = datetime.now(UTC)
    started = time.perf_counter()
    call_command("create_message_partitions", months=0, stdout=io.StringIO())
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE search_index, room_messages, room_members, rooms, tracks, files, products, listings, "
            "messages, refresh_tokens, audit_logs, users RESTART IDENTITY CASCADE"
        )
        # Loading skips the triggers (search index, audit); the index is filled afterwards in one pass.
        cursor.execute("SET session_replication_role = replica")
        raw = cursor.cursor

        def copy(sql: str, rows) -> None:
            with raw.copy(sql) as stream:
                for row in rows:
                    stream.write_row(row)

        copy(
            "COPY users (username, email, password_hash, first_name, bio, role, is_active, is_verified) FROM STDIN",
            (
                (f"user{n}", f"user{n}@example.org", "!", rng.choice(["Alice", "Bruno", "Chloé", "Dan"]),
                 _words(rng, vocabulary, 8), "user", True, True)
                for n in range(1, USERS + 1)
            ),
        )  # fmt: skip
        copy(
            "COPY rooms (name, description, is_private, creator_id) FROM STDIN",
            (
                (f"salle-{n}", _words(rng, vocabulary, 10), n % 10 == 0, rng.randint(1, USERS))
                for n in range(1, ROOMS + 1)
            ),
        )
        copy(
            "COPY room_members (room_id, user_id, role) FROM STDIN",
            ((room, 1, "member") for room in range(1, ROOMS + 1, ROOMS // VIEWER_ROOMS)),
        )
        copy(
            "COPY room_messages (room_id, user_id, content, message_type, created_at) FROM STDIN",
            (
                (rng.randint(1, ROOMS), rng.randint(1, USERS), _words(rng, vocabulary, rng.randint(4, 16)), "message",
                 now - timedelta(seconds=messages - n))
                for n in range(messages)
            ),
        )  # fmt: skip
        copy(
            "COPY messages (from_user, to_user, content, timestamp) FROM STDIN",
            (
                (*rng.sample([1, rng.randint(2, USERS)], 2), _words(rng, vocabulary, rng.randint(4, 16)),
                 now - timedelta(seconds=n))
                if rng.random() < VIEWER_DM_SHARE
                else (rng.randint(2, USERS // 2), rng.randint(USERS // 2 + 1, USERS),
                      _words(rng, vocabulary, rng.randint(4, 16)), now - timedelta(seconds=n))
                for n in range(DIRECT_MESSAGES)
            ),
        )  # fmt: skip
        copy(
            "COPY files (user_id, filename, original_name, mime_type, size, path, url, is_public) FROM STDIN",
            (
                (rng.randint(1, USERS), f"{n:032x}.mp3", "track.mp3", "audio/mpeg", 1000, f"audio/{n:032x}.mp3",
                 f"/media/audio/{n:032x}.mp3", n % 10 != 0)
                for n in range(1, entities + 1)
            ),
        )  # fmt: skip
        copy(
            "COPY tracks (title, artist, album, duration, genre, file_id, creator_id) FROM STDIN",
            (
                (_words(rng, vocabulary, rng.randint(1, 4)).capitalize(), _words(rng, vocabulary, 2).title(),
                 _words(rng, vocabulary, 3).capitalize(), rng.randint(30, 600), rng.choice(GENRES), n,
                 rng.randint(1, USERS))
                for n in range(1, entities + 1)
            ),
        )  # fmt: skip
        copy(
            "COPY products (name, description, price, category, is_active, creator_id) FROM STDIN",
            (
                (_words(rng, vocabulary, rng.randint(1, 4)).capitalize(), _words(rng, vocabulary, rng.randint(10, 40)),
                 rng.randint(1, 50000) / 100, rng.choice(CATEGORIES), n % 20 != 0, rng.randint(1, USERS))
                for n in range(1, entities + 1)
            ),
        )  # fmt: skip
        cursor.execute("SET session_replication_role = origin")
    loaded = time.perf_counter()
    print(f"loaded in {loaded - started:.0f} s; filling search_index…", flush=True)
    for kind in EntityType.values:
        with connection.cursor() as cursor:
            cursor.execute("SELECT search_index_sync(%s, 0, 9223372036854775807)", [kind])
    print(f"search_index filled in {time.perf_counter() - loaded:.0f} s; VACUUM ANALYZE…", flush=True)
    with connection.cursor() as cursor:
        for table in ("search_index", "room_messages", "room_members", "messages", "tracks", "products", "users"):
            cursor.execute(f"VACUUM ANALYZE {table}")


# The baseline: the same searches as ILIKE scans over the source rows, answering the same question as
# the search: the number of matches of every type (entities, the viewer's room messages and direct
# messages), counted up to COUNT_LIMIT + 1 like the search's, then the first page of the requested type.
ILIKE_KINDS = {
    "user": "SELECT 'user' AS kind, id, username AS title FROM users"
    " WHERE is_active AND (username ILIKE %(p)s OR bio ILIKE %(p)s)",
    "room": "SELECT 'room' AS kind, id, name AS title FROM rooms"
    " WHERE NOT is_private AND (name ILIKE %(p)s OR description ILIKE %(p)s)",
    "track": "SELECT 'track' AS kind, t.id, t.title FROM tracks t JOIN files f ON f.id = t.file_id"
    " WHERE f.is_public"
    " AND (t.title ILIKE %(p)s OR t.artist ILIKE %(p)s OR t.album ILIKE %(p)s OR t.genre ILIKE %(p)s)",
    "product": "SELECT 'product' AS kind, id, name AS title FROM products"
    " WHERE is_active AND (name ILIKE %(p)s OR description ILIKE %(p)s)",
}
ILIKE_ENTITIES = " UNION ALL ".join(ILIKE_KINDS.values())
ILIKE_ROOM_MESSAGES = """
    SELECT 'message' AS kind, id, content AS title FROM room_messages WHERE content ILIKE %(p)s
      AND room_id IN (SELECT room_id FROM room_members WHERE user_id = %(viewer)s)
"""
ILIKE_DIRECT_MESSAGES = """
    SELECT 'direct_message' AS kind, id, content AS title FROM messages WHERE content ILIKE %(p)s
      AND (from_user = %(viewer)s OR to_user = %(viewer)s)
"""


def timed(function, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--entities", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=40, help="Timed searches per kind of query (default 40).")
    parser.add_argument("--baseline-runs", type=int, default=4, help="Timed ILIKE scans per kind (default 4).")
    parser.add_argument("--reload", action="store_true", help="Load the data again.")
    args = parser.parse_args()

    from veza import bootstrap

    bootstrap.environment()  # the embedded servers, unless DATABASE_URL / REDIS_URL are set
    name = bench_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from accounts.models import User
    from rooms.models import RoomMessage
    from search import selectors as search

    call_command("migrate", verbosity=0)
    if args.reload or RoomMessage.objects.count() != args.messages:
        print(f"loading {args.messages:,} room messages, {args.entities:,} tracks and products into {name}…")
        load(messages=args.messages, entities=args.entities)
    viewer = User.objects.get(pk=1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT entity_type, count(*) FROM search_index GROUP BY 1 ORDER BY 1")
        print("search_index:", ", ".join(f"{kind} {count:,}" for kind, count in cursor.fetchall()))

    def run_search(kind, text):
        return lambda: search.search(viewer=viewer, text=text, type=kind)

    def run_ilike(kind, text):
        sql = {None: ILIKE_ENTITIES, "message": ILIKE_ROOM_MESSAGES, "direct_message": ILIKE_DIRECT_MESSAGES}[kind]
        word = text.strip('"').split()[0]

        def scan():
            # Like the search: the number of matches of every type (the tabs), then the page.
            params = {"p": f"%{word}%", "viewer": viewer.pk}
            every = {**ILIKE_KINDS, "message": ILIKE_ROOM_MESSAGES, "direct_message": ILIKE_DIRECT_MESSAGES}
            limit = search.COUNT_LIMIT + 1
            counts = " UNION ALL ".join(
                f"SELECT '{name}', count(*) FROM (SELECT 1 FROM ({source}) matches LIMIT {limit}) found"  # noqa: S608
                for name, source in every.items()
            )
            with connection.cursor() as cursor:
                cursor.execute(counts, params)
                cursor.fetchall()
                cursor.execute(f"SELECT * FROM ({sql}) matches ORDER BY id DESC LIMIT 20", params)  # noqa: S608
                cursor.fetchall()

        return scan

    print(
        f"\n{'query':<16} {'search p50':>10} {'p95':>8} {'ILIKE p50':>10} {'p95':>8} "
        f"{'ratio p50':>10} {'ratio p95':>10}"
    )
    everything, baseline_all = [], []
    for label, kind, texts in QUERIES:
        # Warm up as on a live server: caches, and the connection's prepared statements, which
        # PostgreSQL plans on their first five runs before it keeps a generic plan.
        for i in range(6):
            run_search(kind, texts[i % len(texts)])()
        fast = [t for i in range(args.runs) for t in timed(run_search(kind, texts[i % len(texts)]), 1)]
        slow = [t for i in range(args.baseline_runs) for t in timed(run_ilike(kind, texts[i % len(texts)]), 1)]
        everything += fast
        baseline_all += slow
        p50, p95, b50, b95 = (
            percentile(fast, 0.5),
            percentile(fast, 0.95),
            percentile(slow, 0.5),
            percentile(slow, 0.95),
        )
        print(
            f"{label:<16} {p50:>8.1f}ms {p95:>6.1f}ms {b50:>8.0f}ms {b95:>6.0f}ms {b50 / p50:>9.0f}x {b95 / p95:>9.0f}x"
        )
    p50, p95 = percentile(everything, 0.5), percentile(everything, 0.95)
    b50, b95 = percentile(baseline_all, 0.5), percentile(baseline_all, 0.95)
    print(f"{'all':<16} {p50:>8.1f}ms {p95:>6.1f}ms {b50:>8.0f}ms {b95:>6.0f}ms {b50 / p50:>9.0f}x {b95 / p95:>9.0f}x")
    print(f"\ngoal: p95 <= 30 ms: {'met' if p95 <= 30 else 'NOT met'}; >= 100x faster than the scan: "
          f"{'met' if min(b50 / p50, b95 / p95) >= 100 else 'NOT met'}")  # fmt: skip


if __name__ == "__main__":
    main()
