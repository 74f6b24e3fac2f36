"""Per-process fan-out of room events.

Each server process subscribes once per room that has local sockets (one channel of its own, added to
the room's group) and hands each event to those sockets directly: one decode per process and event,
not one channel-layer dispatch per socket.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from channels.layers import get_channel_layer

from chat import realtime

logger = logging.getLogger(__name__)


class Hub:
    def __init__(self):
        self.layer = get_channel_layer()
        self.rooms: dict[int, set] = defaultdict(set)
        self.channel: str | None = None
        self.task: asyncio.Task | None = None
        self.lock = asyncio.Lock()

    async def _ensure(self) -> None:
        if self.channel is None:
            self.channel = await self.layer.new_channel(prefix="hub.")
            self.task = asyncio.ensure_future(self._receive())

    async def join(self, room_id: int, consumer) -> None:
        async with self.lock:
            await self._ensure()
            first = not self.rooms[room_id]
            self.rooms[room_id].add(consumer)
            if first:
                await self.layer.group_add(realtime.room_group(room_id), self.channel)

    async def leave(self, room_id: int, consumer) -> None:
        async with self.lock:
            members = self.rooms.get(room_id)
            if not members:
                return
            members.discard(consumer)
            if not members:
                del self.rooms[room_id]
                await self.layer.group_discard(realtime.room_group(room_id), self.channel)

    async def _receive(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
                event = message.get("event") or {}
                room_id = event.get("room") or (event.get("message") or {}).get("room")
                for consumer in list(self.rooms.get(room_id, ())):
                    try:
                        await consumer.deliver(event, message["text"])
                    except Exception:  # a socket closing mid-send must not stop the others
                        logger.debug("delivery to a closing socket failed", exc_info=True)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("room fan-out failed")


_hubs: dict = {}


def hub() -> Hub:
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]
