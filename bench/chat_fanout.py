"""Chat fan-out: N WebSocket clients in M rooms, R messages/s for T seconds, on a production-like server.

    .venv/bin/python bench/chat_fanout.py [--clients 500] [--rooms 10] [--rate 200] [--seconds 10]

Veza runs under uvicorn with 2 workers (production settings) on the same PostgreSQL and Redis as this
process (the embedded ones by default). Every message carries its sequence number; each client records
when it arrives. Prints delivered/expected, duplicates, errors and the p50/p99 send-to-receive latency,
and two baselines measured in the same run: the round trip of a raw Redis PUBLISH to a subscriber, and
the same client load against a bare WebSocket broadcast server (bench/fanout_floor.py: one process,
no database, no Redis), the floor of what this machine and the client process allow.
Goal on a 2-core machine: 500 clients, 200 messages/s, nothing lost, p99 <= 150 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
os.environ.setdefault("DEBUG", "true")

import django

PREFIX = "bench-chat"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def prepare(clients: int, rooms: int) -> tuple[list[str], list[int], list[int]]:
    """Users, rooms and memberships for the run (reused between runs); returns tokens and room ids."""
    from django.contrib.auth.hashers import make_password
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import User
    from rooms.models import MemberRole, Room, RoomMember

    password = make_password(None)
    existing = set(User.objects.filter(username__startswith=PREFIX).values_list("username", flat=True))
    User.objects.bulk_create(
        User(username=f"{PREFIX}-{i}", email=f"{PREFIX}-{i}@veza.test", password=password)
        for i in range(clients)
        if f"{PREFIX}-{i}" not in existing
    )
    users = {u.username: u for u in User.objects.filter(username__startswith=PREFIX)}
    room_ids = []
    for r in range(rooms):
        room, _ = Room.objects.get_or_create(name=f"{PREFIX}-room-{r}", defaults={"is_private": False})
        room_ids.append(room.pk)
    wanted = {(room_ids[i % rooms], users[f"{PREFIX}-{i}"].pk) for i in range(clients)}
    have = set(RoomMember.objects.filter(room_id__in=room_ids).values_list("room_id", "user_id"))
    RoomMember.objects.bulk_create(
        RoomMember(room_id=room, user_id=user, role=MemberRole.MEMBER) for room, user in wanted - have
    )
    tokens = [str(AccessToken.for_user(users[f"{PREFIX}-{i}"])) for i in range(clients)]
    assignment = [room_ids[i % rooms] for i in range(clients)]
    return tokens, room_ids, assignment


def cleanup() -> None:
    """Remove the benchmark's users and rooms (and with them their messages)."""
    from accounts.models import User
    from rooms.models import Room

    Room.objects.filter(name__startswith=f"{PREFIX}-room-").delete()
    User.objects.filter(username__startswith=f"{PREFIX}-").delete()


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


async def run(
    server: str,
    tokens: list[str],
    assignment: list[int],
    rate: int,
    seconds: int,
    deflate: bool = False,
    warmup: int = 0,
) -> dict:
    from websockets.asyncio.client import connect

    ws_url = server.replace("http://", "ws://") + "/ws/?token="
    sockets = []
    for start in range(0, len(tokens), 50):  # connect in waves
        batch = await asyncio.gather(
            *(
                connect(ws_url + token, origin=server, max_queue=None, compression="deflate" if deflate else None)
                for token in tokens[start : start + 50]
            )
        )
        sockets.extend(batch)
    for socket, room in zip(sockets, assignment, strict=True):
        await socket.send(json.dumps({"type": "subscribe", "room": room}))

    run_id = f"r{int(time.time())}-"  # client_ids are remembered 10 minutes: each run uses new ones
    sent_at: dict[int, float] = {}
    room_of: dict[int, int] = {}
    received: dict[int, Counter] = defaultdict(Counter)  # seq -> per-client count
    latencies: list[float] = []
    errors: Counter = Counter()
    subscribed = asyncio.Event()
    ready = 0

    async def reader(index: int, socket) -> None:
        nonlocal ready
        async for raw in socket:
            frame = json.loads(raw)
            kind = frame["type"]
            if kind == "subscribed":
                ready += 1
                if ready == len(sockets):
                    subscribed.set()
            elif kind == "room.message" and (frame.get("client_id") or "").startswith(run_id):
                seq = int(frame["client_id"][len(run_id) :])
                received[seq][index] += 1
                if received[seq][index] == 1 and seq in sent_at:
                    latencies.append((time.perf_counter() - sent_at[seq]) * 1000)
            elif kind == "error":
                errors[frame.get("code")] += 1

    readers = [asyncio.create_task(reader(i, s)) for i, s in enumerate(sockets)]
    await asyncio.wait_for(subscribed.wait(), timeout=120)

    # Warm-up at the same rate, not measured: the server's pools fill up as on a live server.
    warm_id = f"w{int(time.time())}-"
    started = time.perf_counter()
    for seq in range(rate * warmup):
        delay = started + seq / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        index = seq % len(sockets)
        frame = {
            "type": "room.message",
            "room": assignment[index],
            "content": "warm-up",
            "client_id": f"{warm_id}{seq}",
        }
        await sockets[index].send(json.dumps(frame))
    await asyncio.sleep(1 if warmup else 0)

    total = rate * seconds
    interval = 1 / rate
    started = time.perf_counter()
    for seq in range(total):
        target = started + seq * interval
        delay = target - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        index = seq % len(sockets)
        room_of[seq] = assignment[index]
        sent_at[seq] = time.perf_counter()
        frame = {
            "type": "room.message",
            "room": assignment[index],
            "content": f"bench {seq}",
            "client_id": f"{run_id}{seq}",
        }
        await sockets[index].send(json.dumps(frame))
    send_seconds = time.perf_counter() - started
    # Let the last messages arrive: wait until nothing new came for 2 s (at most 60 s).
    last, quiet_since = -1, time.perf_counter()
    while time.perf_counter() - quiet_since < 2 and time.perf_counter() - started < seconds + 60:
        now_count = len(latencies)
        if now_count != last:
            last, quiet_since = now_count, time.perf_counter()
        await asyncio.sleep(0.2)

    members = Counter(assignment)
    expected = sum(members[room_of[seq]] for seq in range(total))
    delivered = sum(min(count, 1) for per_client in received.values() for count in per_client.values())
    duplicates = sum(count - 1 for per_client in received.values() for count in per_client.values() if count > 1)
    for task in readers:
        task.cancel()
    await asyncio.gather(*(s.close() for s in sockets), return_exceptions=True)
    return {
        "messages": total,
        "send_rate": total / send_seconds,
        "expected": expected,
        "delivered": delivered,
        "duplicates": duplicates,
        "errors": dict(errors),
        "p50": percentile(latencies, 0.50),
        "p99": percentile(latencies, 0.99),
        "mean": statistics.fmean(latencies) if latencies else float("nan"),
    }


async def run_floor(
    tokens: list[str], assignment: list[int], rate: int, seconds: int, deflate: bool, warmup: int
) -> dict:
    """The same load against bench/fanout_floor.py, started here as a separate process."""
    from bench.common import ROOT, free_port

    port = free_port()
    command = [sys.executable, "-m", "bench.fanout_floor", "--port", str(port), *(() if deflate else ("--no-deflate",))]
    process = await asyncio.create_subprocess_exec(*command, cwd=ROOT)
    try:
        for _ in range(100):
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.1)
        return await run(f"http://127.0.0.1:{port}", tokens, assignment, rate, seconds, deflate=deflate, warmup=warmup)
    finally:
        process.terminate()
        await process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--rooms", type=int, default=10)
    parser.add_argument("--rate", type=int, default=200, help="messages per second, all rooms together")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--warmup", type=int, default=3, help="seconds of unmeasured messages first (default 3)")
    parser.add_argument(
        "--deflate", action="store_true", help="per-message deflate on, server and clients (production has it off)"
    )
    parser.add_argument("--no-floor", action="store_true", help="skip the bare broadcast server baseline")
    parser.add_argument("--ws", default="auto", help="uvicorn's WebSocket implementation (auto, websockets, ...)")
    args = parser.parse_args()
    from veza import bootstrap

    bootstrap.environment()  # the embedded servers, unless DATABASE_URL / REDIS_URL are set
    django.setup()
    from django.conf import settings

    from bench.common import veza_server

    tokens, _rooms, assignment = prepare(args.clients, args.rooms)
    # Each client sends a handful of messages; the per-user rate limit must not be what is measured.
    per_user = args.rate * (args.seconds + args.warmup) // args.clients + 5
    extra = ("--ws", args.ws, *(("--ws-per-message-deflate", "true") if args.deflate else ()))
    with veza_server(
        workers=args.workers, uvicorn_args=extra, CHAT_MESSAGES_PER_WINDOW=str(max(20, per_user))
    ) as server:
        baseline = asyncio.run(redis_baseline(settings.REDIS_URL))
        result = asyncio.run(
            run(server, tokens, assignment, args.rate, args.seconds, deflate=args.deflate, warmup=args.warmup)
        )
    floor = None
    if not args.no_floor:
        floor = asyncio.run(run_floor(tokens, assignment, args.rate, args.seconds, args.deflate, args.warmup))
    cleanup()
    base_p50, base_p99 = percentile(baseline, 0.5), percentile(baseline, 0.99)
    print(f"{args.clients} clients in {args.rooms} rooms, {result['messages']} messages at "
          f"{result['send_rate']:.0f}/s for {args.seconds} s, uvicorn with {args.workers} workers")  # fmt: skip
    print(f"delivered/expected: {result['delivered']}/{result['expected']} "
          f"({result['delivered'] / max(result['expected'], 1):.4f}), duplicates: {result['duplicates']}, "
          f"errors: {result['errors'] or 0}")  # fmt: skip
    print(
        f"send-to-receive latency: p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, mean {result['mean']:.1f} ms"
    )
    print(f"baseline, raw Redis PUBLISH round trip: p50 {base_p50:.3f} ms, p99 {base_p99:.3f} ms")
    print(f"ratio p50/baseline p50: {result['p50'] / base_p50:.0f}x, p99/baseline p99: {result['p99'] / base_p99:.0f}x")
    if floor:
        print(f"floor, bare broadcast server, same load: delivered {floor['delivered']}/{floor['expected']}, "
              f"p50 {floor['p50']:.1f} ms, p99 {floor['p99']:.1f} ms; "
              f"Veza/floor p50 {result['p50'] / floor['p50']:.1f}x, "
              f"p99 {result['p99'] / floor['p99']:.1f}x")  # fmt: skip


if __name__ == "__main__":
    main()
