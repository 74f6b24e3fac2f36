"""The WebSocket clients of bench/chat_fanout.py, spread over several processes.

One Python process reading 10,000 frames a second would itself be the bottleneck, so the sockets are
split between ``processes`` client processes (each with its own event loop). Every process connects
and subscribes its sockets, then waits for the word to start: all processes share one schedule, in
which message ``seq`` is sent by socket ``seq % clients`` at ``start + seq / rate`` (times on the
machine's monotonic clock, which every process reads alike). Each process sends its own sockets'
messages and records, for each frame of the run, which socket received which message and when; the
parent computes latencies, losses and duplicates from all of them.

In idle mode the sockets only connect and subscribe, then stay open until the parent says to close.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import resource
import time
from collections import Counter
from dataclasses import dataclass, field

WAVE = 50  # sockets connecting at once, per process


@dataclass
class Socket:
    index: int  # the client's number in the whole run
    token: str
    room: int
    url: str  # the server (host) it connects to


@dataclass
class Plan:
    start: float  # monotonic time of the first warm-up message
    rate: int
    warmup: int  # seconds
    seconds: int
    clients: int
    run_id: str
    warm_id: str


@dataclass
class Outcome:
    sent: dict[int, float] = field(default_factory=dict)  # seq -> monotonic time
    received: list[tuple[int, int, float]] = field(default_factory=list)  # (seq, socket index, time)
    errors: Counter = field(default_factory=Counter)


def raise_open_files() -> int:
    """Raise this process's open-files limit to its hard limit (children inherit it); returns the new one."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 1_048_576
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


async def _connect(sockets: list[Socket], deflate: bool) -> list:
    from websockets.asyncio.client import connect

    opened = []
    for start in range(0, len(sockets), WAVE):
        wave = sockets[start : start + WAVE]
        opened.extend(
            await asyncio.gather(
                *(
                    connect(
                        f"{s.url.replace('http://', 'ws://')}/ws/?token={s.token}",
                        origin=s.url,
                        max_queue=None,
                        compression="deflate" if deflate else None,
                        ping_interval=None,
                        open_timeout=60,
                    )
                    for s in wave
                )
            )
        )
    return opened


MESSAGE_HEAD = '{"type": "room.message", '
CLIENT_ID = '"client_id": "'


def _message_client_id(raw) -> str | None:
    """The ``client_id`` of a ``room.message`` frame as Veza and the floor write it (``json.dumps`` with
    the client id last), found without decoding the frame: a client process reads thousands a second,
    and decoding each one cost it a fifth of its time. None for any other frame (decoded instead)."""
    if not isinstance(raw, str) or not raw.startswith(MESSAGE_HEAD) or not raw.endswith('"}'):
        return None
    start = raw.rfind(CLIENT_ID)
    return raw[start + len(CLIENT_ID) : -2] if start >= 0 else None


async def _session(sockets: list[Socket], deflate: bool, pipe) -> None:
    loop = asyncio.get_running_loop()
    connections = await _connect(sockets, deflate)
    outcome = Outcome()
    subscribed = asyncio.Event()
    ready = 0
    run_prefix = ""
    last_frame = time.monotonic()

    async def reader(socket: Socket, connection) -> None:
        nonlocal ready, last_frame
        async for raw in connection:
            client_id = _message_client_id(raw)
            if client_id is not None:  # the frames that count, read without decoding them
                if run_prefix and client_id.startswith(run_prefix):
                    now = time.monotonic()
                    outcome.received.append((int(client_id[len(run_prefix) :]), socket.index, now))
                    last_frame = now
                continue
            frame = json.loads(raw)
            kind = frame["type"]
            if kind == "room.message":
                client_id = frame.get("client_id") or ""
                if run_prefix and client_id.startswith(run_prefix):
                    now = time.monotonic()
                    outcome.received.append((int(client_id[len(run_prefix) :]), socket.index, now))
                    last_frame = now
            elif kind == "subscribed":
                ready += 1
                if ready == len(sockets):
                    subscribed.set()
            elif kind == "error":
                outcome.errors[frame.get("code")] += 1

    readers = [asyncio.create_task(reader(s, c)) for s, c in zip(sockets, connections, strict=True)]
    for socket, connection in zip(sockets, connections, strict=True):
        await connection.send(json.dumps({"type": "subscribe", "room": socket.room}))
    await asyncio.wait_for(subscribed.wait(), timeout=300)
    pipe.send(("ready", len(sockets)))
    order = await loop.run_in_executor(None, pipe.recv)
    if order[0] == "go":
        plan: Plan = order[1]
        run_prefix = plan.run_id
        await _send(plan, sockets, connections, outcome)
        # Let the last messages arrive: until nothing came for 2 s (at most 60 s after the schedule).
        end = plan.start + plan.warmup + 1 + plan.seconds
        while True:
            now = time.monotonic()
            if now - max(last_frame, end) > 2 or now - end > 60:
                break
            await asyncio.sleep(0.2)
        pipe.send(("done", outcome))
        await loop.run_in_executor(None, pipe.recv)  # hold the sockets until told to close
    for task in readers:
        task.cancel()
    await asyncio.gather(*(c.close() for c in connections), return_exceptions=True)


async def _send(plan: Plan, sockets: list[Socket], connections: list, outcome: Outcome) -> None:
    """Send this process's share of the warm-up, then of the measured messages, each at its time."""
    mine = {socket.index: (socket, connection) for socket, connection in zip(sockets, connections, strict=True)}
    phases = (
        (plan.start, plan.warmup * plan.rate, plan.warm_id, False),
        (plan.start + plan.warmup + 1, plan.seconds * plan.rate, plan.run_id, True),
    )
    for start, count, prefix, measured in phases:
        for seq in range(count):
            owner = mine.get(seq % plan.clients)
            if owner is None:
                continue
            delay = start + seq / plan.rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            socket, connection = owner
            if measured:
                outcome.sent[seq] = time.monotonic()
            content = f"{'bench' if measured else 'warm-up'} {seq}"
            frame = {"type": "room.message", "room": socket.room, "content": content, "client_id": f"{prefix}{seq}"}
            await connection.send(json.dumps(frame))


def _process_main(sockets: list[Socket], deflate: bool, pipe) -> None:
    try:
        import uvloop

        uvloop.run(_session(sockets, deflate, pipe))
    except ImportError:  # pragma: no cover - uvicorn[standard] brings it
        asyncio.run(_session(sockets, deflate, pipe))


class ClientPool:
    """``processes`` client processes holding ``sockets`` between them (round robin)."""

    def __init__(self, sockets: list[Socket], processes: int, deflate: bool = False):
        context = multiprocessing.get_context("spawn")
        self.pipes = []
        self.processes = []
        count = max(1, min(processes, len(sockets)))
        for n in range(count):
            parent, child = context.Pipe()
            process = context.Process(target=_process_main, args=(sockets[n::count], deflate, child), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def wait_ready(self, timeout: float = 600) -> int:
        """Wait until every socket is connected and subscribed; returns how many there are."""
        total = 0
        for pipe in self.pipes:
            if not pipe.poll(timeout):
                raise RuntimeError("client processes did not connect in time")
            _, count = pipe.recv()
            total += count
        return total

    def run(self, *, rate: int, warmup: int, seconds: int, clients: int) -> Outcome:
        """Run the schedule in every process; returns all they sent and received."""
        stamp = int(time.time())
        plan = Plan(time.monotonic() + 0.5, rate, warmup, seconds, clients, f"r{stamp}-", f"w{stamp}-")
        for pipe in self.pipes:
            pipe.send(("go", plan))
        merged = Outcome()
        for pipe in self.pipes:
            _, outcome = pipe.recv()
            merged.sent.update(outcome.sent)
            merged.received.extend(outcome.received)
            merged.errors.update(outcome.errors)
        return merged

    def close(self) -> None:
        for pipe in self.pipes:
            with contextlib.suppress(OSError):  # the process is gone
                pipe.send(("close",))
        for process in self.processes:
            process.join(30)
            if process.is_alive():
                process.terminate()
                process.join(5)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(outcome: Outcome, assignment: list[int], rate: int, seconds: int) -> dict:
    """Delivered/expected, duplicates, errors and send-to-receive latencies (ms) of a run."""
    clients = len(assignment)
    members = Counter(assignment)
    total = rate * seconds
    expected = sum(members[assignment[seq % clients]] for seq in range(total))
    counts = Counter((seq, index) for seq, index, _ in outcome.received)
    first: dict[tuple[int, int], float] = {}
    for seq, index, at in outcome.received:
        key = (seq, index)
        if key not in first or at < first[key]:
            first[key] = at
    latencies = [(at - outcome.sent[seq]) * 1000 for (seq, _), at in first.items() if seq in outcome.sent]
    strays = sum(1 for seq, index in counts if assignment[seq % clients] != assignment[index])
    return {
        "messages": total,
        "expected": expected,
        "delivered": len(counts) - strays,
        "duplicates": sum(count - 1 for count in counts.values()),
        "strays": strays,  # a message received by a socket of another room
        "errors": dict(outcome.errors),
        "p50": percentile(latencies, 0.50),
        "p99": percentile(latencies, 0.99),
        "mean": sum(latencies) / len(latencies) if latencies else float("nan"),
    }
