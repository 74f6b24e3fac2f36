"""Free local ports for the servers and proxies that tests start.

A port the kernel hands out for ``bind(("127.0.0.1", 0))`` is free only until the probe closes: another
process (a test on another xdist worker, or any outgoing connection, which draws its local port from the
same ephemeral range) may take it before the server binds it. So tests take ports below the ephemeral
range (32768-60999 on Linux), from a block of their own per xdist worker, in turn, skipping any that is
in use: two workers never pick the same port, and one worker picks a port again only after it has gone
round its whole block.
"""

from __future__ import annotations

import itertools
import os
import random
import socket
import threading

FIRST_PORT = 20000
BLOCK = 500  # ports per worker: 20000-20499 for gw0 (and a run without xdist), 20500-20999 for gw1...
BLOCKS = 24  # up to 32000, below the ephemeral range


def worker_index(worker: str | None = None) -> int:
    """0 for ``gw0`` and for a run without xdist, 1 for ``gw1``..."""
    worker = worker if worker is not None else os.environ.get("PYTEST_XDIST_WORKER", "")
    digits = worker.removeprefix("gw")
    return int(digits) % BLOCKS if digits.isdigit() else 0


def worker_ports(worker: str | None = None) -> range:
    start = FIRST_PORT + worker_index(worker) * BLOCK
    return range(start, start + BLOCK)


_lock = threading.Lock()
_turns: itertools.cycle | None = None


def _next_candidate() -> int:
    global _turns
    with _lock:
        if _turns is None:
            ports = list(worker_ports())
            offset = random.randrange(len(ports))  # noqa: S311 (not a secret): two runs start apart
            _turns = itertools.cycle(ports[offset:] + ports[:offset])
        return next(_turns)


def free_port() -> int:
    """A local TCP port nobody listens on or uses, from this worker's block."""
    for _ in range(BLOCK):
        port = _next_candidate()
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {worker_ports()}")
