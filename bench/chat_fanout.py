"""Chat fan-out: N WebSocket clients in M rooms, R messages/s for T seconds, on a production-like server.

    .venv/bin/python bench/chat_fanout.py [--clients 500] [--rooms 10] [--rate 200] [--seconds 10]
    .venv/bin/python bench/chat_fanout.py --clients 2000 --rooms 40 --rate 200
    .venv/bin/python bench/chat_fanout.py --hosts 2          # two hosts, one network namespace each (root)
    .venv/bin/python bench/chat_fanout.py --idle 10000       # memory per idle socket of one server

Veza runs under uvicorn with 2 workers and the production options (docs/operations.md) on the same
PostgreSQL and Redis as this process (the embedded ones by default). The clients run in several
processes (bench/fanout_clients.py) so that they are not the bottleneck. Every message carries its
sequence number; each client records when it arrives. Prints delivered/expected, duplicates, errors,
the p50/p99 send-to-receive latency, and two baselines measured in the same run: the round trip of a
raw Redis PUBLISH to a subscriber, and the same client load against a bare WebSocket broadcast
server (bench/fanout_floor.py: one process, no database, no Redis), the floor of what this machine
allows; then Veza's p99 as a ratio of the floor's, against the goal (5x up to 500 clients, 10x above).

``--hosts 2``: two Veza servers (``--workers`` each, 1 by default), each in its own network namespace
joined by veth pairs, sharing PostgreSQL and Redis over TCP, the clients split between them
(bench/fanout_hosts.py; needs root, ``ip`` and ``socat``). The floor then runs in the first namespace.

``--idle N``: one server process (one worker) holds N authenticated sockets, each subscribed to one
of the rooms (``--rooms``, default N / 10), and doing nothing; prints the server's resident memory per
socket (goal: under 40 KiB). Its users (``bench-idle-*``) stay in the database for the next idle run.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
os.environ.setdefault("DEBUG", "true")

import django

PREFIX = "bench-chat"


def prepare(clients: int, rooms: int, prefix: str = PREFIX) -> tuple[list[str], list[int]]:
    """Users, rooms and memberships for the run (reused between runs); returns tokens and each client's room."""
    from django.contrib.auth.hashers import make_password
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from rooms.models import MemberRole, Room, RoomMember

    password = make_password(None)
    existing = set(User.objects.filter(username__startswith=prefix).values_list("username", flat=True))
    User.objects.bulk_create(
        (
            User(username=f"{prefix}-{i}", email=f"{prefix}-{i}@veza.test", password=password)
            for i in range(clients)
            if f"{prefix}-{i}" not in existing
        ),
        batch_size=1000,
    )
    users = {u.username: u for u in User.objects.filter(username__startswith=prefix)}
    names = [f"{prefix}-room-{r}" for r in range(rooms)]
    have_rooms = set(Room.objects.filter(name__in=names).values_list("name", flat=True))
    Room.objects.bulk_create(Room(name=name, is_private=False) for name in names if name not in have_rooms)
    by_name = dict(Room.objects.filter(name__in=names).values_list("name", "pk"))
    room_ids = [by_name[name] for name in names]
    wanted = {(room_ids[i % rooms], users[f"{prefix}-{i}"].pk) for i in range(clients)}
    have = set(RoomMember.objects.filter(room_id__in=room_ids).values_list("room_id", "user_id"))
    RoomMember.objects.bulk_create(
        (RoomMember(room_id=room, user_id=user, role=MemberRole.MEMBER) for room, user in wanted - have),
        batch_size=1000,
    )
    tokens = [str(AccessToken.for_user(users[f"{prefix}-{i}"])) for i in range(clients)]
    return tokens, [room_ids[i % rooms] for i in range(clients)]


def cleanup() -> None:
    """Remove the benchmark's rooms (and with them their messages and memberships); its users stay for
    the next run, which reuses them (deleting them, with their audit trail, took minutes on a database
    that many runs had filled)."""
    from rooms.models import Room

    Room.objects.filter(name__startswith=f"{PREFIX}-room-").delete()


async def redis_baseline(url: str, count: int = 2000) -> list[float]:
    """Round trips (ms) of PUBLISH -> subscriber, on the same Redis, one at a time."""
    import redis.asyncio as aioredis

    publisher, subscriber = aioredis.from_url(url), aioredis.from_url(url)
    pubsub = subscriber.pubsub()
    await pubsub.subscribe("bench-baseline")
    await pubsub.get_message(timeout=1)  # the subscription confirmation
    times = []
    for i in range(count):
        start = time.perf_counter()
        await publisher.publish("bench-baseline", str(i))
        while True:
            message = await pubsub.get_message(timeout=1)
            if message and message["type"] == "message":
                break
        times.append((time.perf_counter() - start) * 1000)
    await pubsub.aclose()
    await publisher.aclose()
    await subscriber.aclose()
    return times


def measure(urls: list[str], tokens: list[str], assignment: list[int], args) -> dict:
    """The load of the run against the servers ``urls`` (clients split between them), summarised."""
    from bench.fanout_clients import ClientPool, Socket, summary

    pairs = enumerate(zip(tokens, assignment, strict=True))
    sockets = [Socket(i, token, room, urls[i % len(urls)]) for i, (token, room) in pairs]
    pool = ClientPool(sockets, args.processes, deflate=args.deflate)
    try:
        pool.wait_ready()
        outcome = pool.run(rate=args.rate, warmup=args.warmup, seconds=args.seconds, clients=len(sockets))
    finally:
        pool.close()
    return summary(outcome, assignment, args.rate, args.seconds)


def floor_run(tokens: list[str], assignment: list[int], args, *, host: str, prefix: tuple[str, ...]) -> dict:
    """The same load against bench/fanout_floor.py, started here as a separate process."""
    from bench.common import ROOT, free_port, stop

    port = free_port()
    command = [*prefix, sys.executable, "-m", "bench.fanout_floor", "--host", host, "--port", str(port)]
    process = subprocess.Popen([*command, *(() if args.deflate else ("--no-deflate",))], cwd=ROOT)  # noqa: S603
    try:
        for _ in range(100):
            try:
                socket.create_connection((host, port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        return measure([f"http://{host}:{port}"], tokens, assignment, args)
    finally:
        stop(process)


def rss_kib(pid: int) -> int:
    """The process's resident memory (KiB)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def idle(args) -> None:
    """Hold ``--idle`` sockets on one server process and print its memory per socket."""
    from bench.common import start_veza, stop
    from bench.fanout_clients import ClientPool, Socket

    rooms = args.rooms if args.rooms_given else max(1, args.idle // 10)
    warm = 100
    # Users of their own, kept for the next idle run: deleting ten thousand users takes minutes.
    tokens, assignment = prepare(args.idle + warm, rooms, prefix="bench-idle")
    url, process = start_veza(1, args.uvicorn, **args.server_env)
    sockets = [Socket(i, token, room, url) for i, (token, room) in enumerate(zip(tokens, assignment, strict=True))]
    pools = []
    try:
        pools.append(ClientPool(sockets[:warm], 1))  # the server's first sockets fill its pools and caches
        pools[0].wait_ready()
        time.sleep(3)
        before = rss_kib(process.pid)
        started = time.monotonic()
        pools.append(ClientPool(sockets[warm:], args.processes))
        held = pools[1].wait_ready(timeout=1800)
        connect_seconds = time.monotonic() - started
        time.sleep(10)  # idle: credential checks and presence keep running
        after = rss_kib(process.pid)
    finally:
        for pool in pools:
            pool.close()
        stop(process)
    per_socket = (after - before) / held
    print(f"{held} idle sockets (authenticated, one room each, {rooms} rooms) on one server process, "
          f"connected in {connect_seconds:.0f} s")  # fmt: skip
    print(f"server resident memory: {before / 1024:.0f} MiB with {warm} sockets, {after / 1024:.0f} MiB with "
          f"{held + warm}: {per_socket:.1f} KiB per idle socket (goal < 40 KiB: "
          f"{'met' if per_socket < 40 else 'NOT met'})")  # fmt: skip


def load(args) -> None:
    from django.conf import settings

    from bench.common import veza_server
    from bench.fanout_clients import percentile
    from bench.fanout_hosts import address, namespace, veza_hosts

    tokens, assignment = prepare(args.clients, args.rooms)
    # Each client sends a handful of messages; the per-user rate limit must not be what is measured.
    per_user = args.rate * (args.seconds + args.warmup) // args.clients + 5
    env = {"CHAT_MESSAGES_PER_WINDOW": str(max(20, per_user)), **args.server_env}
    if args.hosts > 1:
        workers = args.workers or 1
        with veza_hosts(args.hosts, workers, args.uvicorn, **env) as urls:
            baseline = asyncio.run(redis_baseline(settings.REDIS_URL))
            result = measure(urls, tokens, assignment, args)
            floor = None if args.no_floor else floor_run(tokens, assignment, args, host=address(0),
                                                         prefix=("ip", "netns", "exec", namespace(0)))  # fmt: skip
        layout = f"{args.hosts} hosts (network namespaces) with {workers} uvicorn workers each"
    else:
        workers = args.workers or 2
        with veza_server(workers=workers, uvicorn_args=args.uvicorn, **env) as server:
            baseline = asyncio.run(redis_baseline(settings.REDIS_URL))
            result = measure([server], tokens, assignment, args)
        floor = None if args.no_floor else floor_run(tokens, assignment, args, host="127.0.0.1", prefix=())
        layout = f"uvicorn with {workers} workers"
    base_p50, base_p99 = percentile(baseline, 0.5), percentile(baseline, 0.99)
    print(f"{args.clients} clients in {args.rooms} rooms ({args.processes} client processes), "
          f"{result['messages']} messages at {args.rate}/s for {args.seconds} s, {layout}")  # fmt: skip
    print(f"Veza: delivered/expected {result['delivered']}/{result['expected']}, duplicates {result['duplicates']}, "
          f"strays {result['strays']}, errors {result['errors'] or 0}; "
          f"p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, mean {result['mean']:.1f} ms")  # fmt: skip
    print(f"baseline, raw Redis PUBLISH round trip: p50 {base_p50:.3f} ms, p99 {base_p99:.3f} ms")
    if floor:
        goal = 5 if args.clients <= 500 else 10
        ratio = result["p99"] / floor["p99"]
        complete = result["delivered"] == result["expected"] and not result["duplicates"] and not result["strays"]
        print(f"floor, bare broadcast server, same load: delivered {floor['delivered']}/{floor['expected']}, "
              f"duplicates {floor['duplicates']}, p50 {floor['p50']:.1f} ms, p99 {floor['p99']:.1f} ms")  # fmt: skip
        print(f"Veza/floor: p50 {result['p50'] / floor['p50']:.1f}x, p99 {ratio:.1f}x "
              f"(goal p99 <= {goal}x and nothing lost or duplicated: "
              f"{'met' if ratio <= goal and complete else 'NOT met'})")  # fmt: skip
    cleanup()  # after the figures are out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rooms", type=int, default=None, help="default 10 (idle mode: one room per 10 sockets)")
    parser.add_argument("--rate", type=int, default=200, help="messages per second, all rooms together")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=0, help="uvicorn workers per host (default 2, or 1 per host)")
    parser.add_argument("--hosts", type=int, default=1, choices=(1, 2), help="2: two hosts in network namespaces")
    parser.add_argument("--idle", type=int, default=0, help="hold this many idle sockets on one server process")
    parser.add_argument("--processes", type=int, default=4, help="client processes (default 4)")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured messages first (default 3)")
    parser.add_argument(
        "--deflate", action="store_true", help="per-message deflate on, server and clients (production has it off)"
    )
    parser.add_argument("--no-floor", action="store_true", help="skip the bare broadcast server baseline")
    parser.add_argument("--ws", default=None, help="another uvicorn WebSocket implementation (auto, websockets, ...)")
    parser.add_argument("--server-env", action="append", default=[], help="KEY=VALUE for the server processes")
    args = parser.parse_args()
    args.rooms_given = args.rooms is not None
    args.rooms = args.rooms or 10
    args.uvicorn = (
        *(("--ws", args.ws) if args.ws else ()),
        *(("--ws-per-message-deflate", "true") if args.deflate else ()),
    )
    args.server_env = dict(item.split("=", 1) for item in args.server_env)
    from bench.fanout_clients import raise_open_files

    raise_open_files()  # the server and the client processes inherit it
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # run the clean-ups (servers, namespaces)
    from veza import bootstrap

    bootstrap.environment()  # the embedded servers, unless DATABASE_URL / REDIS_URL are set
    django.setup()
    if args.idle:
        idle(args)
    else:
        load(args)


if __name__ == "__main__":
    main()
