"""Per-process fan-out of room events, and the watch on the live feed.

Each server process subscribes once per room that has local sockets (one channel of its own, added to
the room's group) and hands each event to those sockets directly: one decode per process and event,
not one channel-layer dispatch per socket, and one WebSocket frame per event whose bytes every socket
writes as they are (:mod:`realtime.wire`), not one encoding per socket.

Redis Pub/Sub delivers at most once: whatever is published while a subscriber's connection is down
(Redis restarting, a network cut) is lost for it, and the channel layer re-subscribes silently when
Redis is back. So the hub watches the feed: while sockets are attached it publishes a numbered beat
on its own channel every ``BEAT_SECONDS`` and expects them back in order. A beat that cannot be
published, that is skipped, or that is not back while nothing at all arrived on the feed for
``BEAT_TIMEOUT`` (or not back within ``BEAT_LIMIT`` in any case) means events may have been lost:
every socket of the process is closed with ``FEED_INTERRUPTED`` (1012), and clients reconnect,
subscribe again and fetch what they missed (``?after=<last id>``). A beat that is late while events
keep arriving is behind them in the feed, not lost: under a burst (thousands of sockets subscribing
at once, each announcing its presence) the process may take longer than ``BEAT_TIMEOUT`` to read its
backlog, and closing every socket then would only bring the burst back. The channel layer waits one second
before it reconnects a broken subscription, longer than a beat interval, so no interruption falls
between two beats.

The hub also re-checks the credentials of every local socket every ``SOCKET_CREDENTIALS_CHECK_SECONDS``
(one call for all of them to the check registered in :mod:`realtime.auth`) and closes those that no
longer authenticate with 4401: an expired access token, an ended session, a deactivated account, a
revocation whose announcement the socket missed.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict, deque

from channels.layers import get_channel_layer
from django.conf import settings
from django.db import DatabaseError

from realtime import auth, transport, wire

logger = logging.getLogger(__name__)

BEAT_SECONDS = 0.5
BEAT_TIMEOUT = 10.0  # seconds without anything arriving on the feed while a beat is out
BEAT_LIMIT = 60.0  # seconds a beat may be out at most, whatever else arrives
FEED_INTERRUPTED = 1012  # WebSocket "service restart": reconnect with back-off, then resync
UNAUTHENTICATED = 4401  # the socket's credentials no longer hold: get new ones before reconnecting


class Hub:
    def __init__(self):
        self.layer = get_channel_layer()
        self.rooms: dict[int, set] = defaultdict(set)
        self.sockets: set = set()  # every socket of this process, whatever it subscribed to
        self.channel: str | None = None
        self.tasks: list[asyncio.Task] = []
        self.lock = asyncio.Lock()
        self.beat = 0
        self.in_flight: deque[tuple[int, float]] = deque()  # beats published, not yet back
        self.heard = 0.0  # the loop's time when the feed last delivered anything
        self.healthy = True

    async def _ensure(self) -> None:
        if self.channel is None:
            self.channel = await self.layer.new_channel(prefix="hub.")
            self.tasks = [
                asyncio.ensure_future(self._receive()),
                asyncio.ensure_future(self._watch()),
                asyncio.ensure_future(self._guard()),
            ]

    async def attach(self, consumer) -> None:
        """Watch the feed for ``consumer`` (a connected socket) until :meth:`detach`."""
        async with self.lock:
            await self._ensure()
        self.sockets.add(consumer)

    def detach(self, consumer, room_ids) -> None:
        """Forget ``consumer`` at once, in the feed's watch and in its rooms ``room_ids``: nothing reaches it.

        Call :meth:`release` with the same rooms afterwards, to stop listening to those left without sockets.
        """
        self.sockets.discard(consumer)
        for room_id in room_ids:
            members = self.rooms.get(room_id)
            if members is not None:
                members.discard(consumer)

    async def release(self, room_ids) -> None:
        """Stop listening to the rooms of ``room_ids`` that no local socket follows any more."""
        async with self.lock:
            for room_id in room_ids:
                if room_id in self.rooms and not self.rooms[room_id]:
                    del self.rooms[room_id]
                    await self._unsubscribe(room_id)

    async def join(self, room_id: int, consumer) -> None:
        async with self.lock:
            await self._ensure()
            first = not self.rooms[room_id]
            self.rooms[room_id].add(consumer)
            if first:
                try:
                    await self.layer.group_add(transport.room_group(room_id), self.channel)
                except BaseException:
                    self._forget(room_id, consumer)
                    raise

    async def leave(self, room_id: int, consumer) -> None:
        async with self.lock:
            if self._forget(room_id, consumer):
                await self._unsubscribe(room_id)

    async def _unsubscribe(self, room_id: int) -> None:
        try:
            await self.layer.group_discard(transport.room_group(room_id), self.channel)
        except transport.REDIS_ERRORS:  # Redis drops the subscriptions of a lost connection anyway
            logger.debug("could not unsubscribe from room %s", room_id, exc_info=True)

    def _forget(self, room_id: int, consumer) -> bool:
        """Drop ``consumer`` from the room; True when no local socket watches the room any more."""
        members = self.rooms.get(room_id)
        if not members:
            return False
        members.discard(consumer)
        if members:
            return False
        del self.rooms[room_id]
        return True

    async def _receive(self) -> None:
        while True:
            try:
                message = await self.layer.receive(self.channel)
                self.heard = asyncio.get_running_loop().time()
                if message.get("type") == "hub.beat":
                    await self._beat_back(message["beat"])
                    continue
                await self._fan_out(message)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("room fan-out failed")

    async def _fan_out(self, message: dict) -> None:
        """Hand a room event to the room's local sockets: one frame built, the same bytes to each socket.

        Each socket writes the frame at once when its server allows it (:mod:`realtime.wire`); the others
        (another server, compression on, a client not reading) get the event through ``deliver``.
        """
        event = message.get("event") or {}
        room_id = room_of(event)
        members = self.rooms.get(room_id) if room_id is not None else None
        if not members:
            return
        text: str = message["text"]
        frame = wire.text_frame(text.encode())
        typist = event["user"]["id"] if event.get("type") == "typing" else None  # not told they are typing
        for consumer in tuple(members):
            if consumer.ended or room_id not in consumer.rooms or consumer.user.pk == typist:
                continue
            write = consumer.write_frame
            if write is not None and write(frame):
                continue
            try:
                await consumer.deliver(event, text)
            except Exception:  # a socket closing mid-send must not stop the others
                logger.debug("delivery to a closing socket failed", exc_info=True)

    # --- the watch on the feed -------------------------------------------------------------------

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        publishing: asyncio.Task | None = None
        while True:
            await asyncio.sleep(BEAT_SECONDS)
            if not self.sockets:
                self.in_flight.clear()  # nobody to protect: stay quiet
                continue
            try:
                if self.in_flight and self._silent(loop.time()):
                    await self._interrupted("the live feed stopped answering")
                    continue
                if publishing is not None and not publishing.done():
                    continue  # the last beat is still being published (a busy loop, a slow Redis): wait for it
                self.beat += 1
                self.in_flight.append((self.beat, loop.time()))  # before publishing: it may be back at once
                # Published aside, so that the watch goes on while it waits: a Redis cut off the network
                # never answers, and the silence of the feed then tells (``_silent``).
                publishing = asyncio.ensure_future(self._publish_beat(self.beat))
            except asyncio.CancelledError:
                if publishing is not None:
                    publishing.cancel()
                raise
            except Exception:
                logger.exception("watching the live feed failed")

    async def _publish_beat(self, beat: int) -> None:
        try:
            await self.layer.send(self.channel, {"type": "hub.beat", "beat": beat})
        except transport.REDIS_ERRORS:
            await self._interrupted("Redis is unreachable")
        except Exception:  # a task of its own: nobody else would see it
            logger.exception("publishing a beat of the live feed failed")

    def _silent(self, now: float) -> bool:
        """Whether the oldest beat out counts as lost: nothing arrived for BEAT_TIMEOUT since it left, or
        it has been out for BEAT_LIMIT."""
        sent = self.in_flight[0][1]
        return now - max(sent, self.heard) > BEAT_TIMEOUT or now - sent > BEAT_LIMIT

    # --- the watch on credentials ---------------------------------------------------------------

    async def _guard(self) -> None:
        while True:
            await asyncio.sleep(settings.SOCKET_CREDENTIALS_CHECK_SECONDS)
            try:
                await self.check_credentials()
            except asyncio.CancelledError:
                raise
            except transport.REDIS_ERRORS:  # the watch on the feed closes the sockets while Redis is away
                logger.debug("credentials not checked, Redis is unreachable", exc_info=True)
            except DatabaseError as exc:  # sockets stay open; every write they try fails meanwhile
                logger.warning("credentials not checked, the database is unreachable: %s", exc)
            except Exception:
                logger.exception("checking the sockets' credentials failed")

    async def check_credentials(self) -> int:
        """Close (4401) every local socket whose credentials no longer hold; returns how many."""
        snapshot = [(consumer, consumer.credential) for consumer in list(self.sockets)]
        if not snapshot:
            return 0
        valid = await transport.in_thread(auth.still_valid, [credential for _, credential in snapshot])
        closed = 0
        for (consumer, credential), ok in zip(snapshot, valid, strict=True):
            if not ok and consumer.credential is credential:  # not renewed meanwhile (an ``auth`` frame)
                closed += 1
                await self._close(consumer, UNAUTHENTICATED)
        return closed

    async def _close(self, consumer, code: int) -> None:
        try:
            await consumer.end(code)
        except Exception:
            logger.debug("closing a socket failed", exc_info=True)

    async def _beat_back(self, beat: int) -> None:
        skipped = False
        while self.in_flight and self.in_flight[0][0] < beat:
            self.in_flight.popleft()
            skipped = True
        if self.in_flight and self.in_flight[0][0] == beat:
            self.in_flight.popleft()
        if skipped:
            await self._interrupted("the live feed lost messages")
        elif not self.healthy and not self.in_flight:
            self.healthy = True
            logger.warning("live feed restored")

    async def _interrupted(self, reason: str) -> None:
        """Events may have been lost: close every socket so its client reconnects and resyncs."""
        self.in_flight.clear()
        sockets = list(self.sockets)
        if self.healthy or sockets:
            logger.warning("%s: closing %d sockets so their clients reconnect and resync", reason, len(sockets))
        self.healthy = False
        for consumer in sockets:
            self.sockets.discard(consumer)
            await self._close(consumer, FEED_INTERRUPTED)


def room_of(event: dict) -> int | None:
    """The id of the room an event is about, or None (``room.updated`` carries the room itself)."""
    named = event.get("room") or (event.get("message") or {}).get("room")
    if isinstance(named, dict):
        named = named.get("id")
    return named if isinstance(named, int) else None


_hubs: dict = {}


def hub() -> Hub:
    loop = asyncio.get_running_loop()
    if loop not in _hubs:
        _hubs[loop] = Hub()
    return _hubs[loop]
