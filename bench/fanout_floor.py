"""The floor for bench/chat_fanout.py: a bare WebSocket broadcast server, nothing else.

    .venv/bin/python -m bench.fanout_floor --port 8765 [--host 127.0.0.1] [--no-deflate]

One process, the `websockets` library, no database, no Redis, no authentication: it answers
`subscribe` with `subscribed` and broadcasts each `room.message` to the room's sockets in the shape
Veza uses. What the clients measure against it is what this machine (and the client process sharing
it) allows at best; chat_fanout.py runs the same load against it in the same run.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
from collections import defaultdict
from datetime import UTC, datetime

from websockets.asyncio.server import broadcast, serve


async def main(host: str, port: int, deflate: bool) -> None:
    rooms: dict[int, set] = defaultdict(set)
    ids = itertools.count(1)

    async def handler(socket) -> None:
        joined: set[int] = set()
        try:
            async for raw in socket:
                frame = json.loads(raw)
                if frame.get("type") == "subscribe":
                    rooms[frame["room"]].add(socket)
                    joined.add(frame["room"])
                    await socket.send(json.dumps({"type": "subscribed", "room": frame["room"], "online": []}))
                elif frame.get("type") == "room.message":
                    message = {
                        "id": next(ids),
                        "room": frame["room"],
                        "user": {"id": 0, "username": "floor"},
                        "content": frame["content"],
                        "message_type": "message",
                        "created_at": datetime.now(UTC).isoformat(),
                        "edited_at": None,
                    }
                    text = json.dumps({"type": "room.message", "message": message, "client_id": frame["client_id"]})
                    broadcast(rooms[frame["room"]], text)
        finally:
            for room in joined:
                rooms[room].discard(socket)

    async with serve(handler, host, port, compression="deflate" if deflate else None, max_queue=None):
        await asyncio.Future()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--no-deflate", action="store_true")
    args = parser.parse_args()
    asyncio.run(main(args.host, args.port, not args.no_deflate))
