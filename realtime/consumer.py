"""The one WebSocket of a client, at ``/ws/``: its connection, its frames, the events it receives.

Frames are JSON objects with a ``type``; the protocol is documented in ``docs/api.md``. This consumer
knows no domain: it authenticates the socket through :mod:`realtime.auth`, checks each frame and hands
it to the handler registered for its type (:mod:`realtime.frames`), forwards the events of its groups
and of the rooms it follows, and keeps its presence in those rooms. The apps' handlers check access and
call the same services as the REST API, which persist first and broadcast after commit.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from core import metrics
from realtime import auth, frames, presence, transport, wire
from realtime import events as realtime_events
from realtime.frames import FrameError
from realtime.hub import FEED_INTERRUPTED, UNAUTHENTICATED, hub, room_of

logger = logging.getLogger(__name__)

SERVER_ERROR = 1011
HANDLERS = frames.HANDLERS  # the registry itself: handlers registered later are found too


def _client_ip(scope) -> str | None:
    client = scope.get("client") or (None,)
    try:
        return str(ipaddress.ip_address(client[0] or ""))
    except ValueError:
        return None


class SocketConsumer(AsyncJsonWebsocketConsumer):
    """One client's socket. Its state (the gauge, the hub's sets, groups, presence) is released however it
    ends: a close by the client, by the server (:meth:`end`), or an error that escaped everything else.

    Frame handlers use :attr:`user`, :attr:`rooms` (the rooms it follows), :meth:`write`,
    :meth:`send_json`, :meth:`join_room`, :meth:`leave_room` and :meth:`announce_presence`; an ``auth``
    frame may replace :attr:`credential`.
    """

    user: Any = None  # the account realtime.auth's authenticate gave, once connected
    credential = None  # opaque here: realtime.auth's functions read it
    ended = False  # closed by the server: frames and events still in flight are ignored
    forgotten = False
    released = False
    # ``write(frame) -> bool`` when the server lets the socket write prebuilt frames (realtime.wire)
    write_frame: Callable[[bytes], bool] | None = None

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._forget()
            try:
                await self._release()
            except BaseException:  # cancelled, or Redis away: presence expires and groups die with the link
                logger.debug("releasing a socket's state failed", exc_info=True)

    async def dispatch(self, message):
        """Channels' dispatch, without its ``aclose_old_connections`` before each message.

        That call hops to the process's one shared sync thread for every frame and event of every socket,
        so all sockets of a process would queue behind each other there. This consumer never touches
        the database in the event loop's thread: its database work runs through ``transport.in_thread``,
        whose threads take a pooled connection per call and give it back when the call ends.
        """
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def connect(self):
        """Authenticate, join the user's group, then accept: the client's first frame finds it ready.

        A socket that does not authenticate is accepted and closed at once with 4401 (browsers see no
        close code for a refused handshake).
        """
        token = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
        self.write_frame = wire.frame_writer(self.scope)
        try:
            found = await transport.in_thread(
                auth.authenticate, self.scope.get("user"), self.scope.get("session"), token
            )
        except transport.REDIS_ERRORS as exc:
            await self.accept()
            await self._retry_later(exc)
            return
        except Exception:
            logger.exception("authenticating a socket failed")
            await self.accept()
            await self.end(SERVER_ERROR)
            return
        if found is None:
            await self.accept()
            await self.end(UNAUTHENTICATED)
            return
        self.user, self.credential = found
        self.rooms: set[int] = set()
        self.connection_id = uuid.uuid4().hex[:12]
        metrics.WEBSOCKET_CONNECTIONS.inc()  # _forget() takes it back, however the socket ends
        try:
            await self.channel_layer.group_add(transport.user_group(self.user.pk), self.channel_name)
            await hub().attach(self)
        except transport.REDIS_ERRORS as exc:
            await self.accept()
            await self._retry_later(exc)
            return
        await self.accept()

    async def disconnect(self, code):
        self._forget()
        await self._release()

    async def write(self, function, **kwargs):
        """Run a service that writes, as :func:`realtime.frames.call` does, naming the socket's user and
        client IP as the actor of its rows in the audit trail."""
        return await transport.in_thread(frames.run_as, self.user.pk, _client_ip(self.scope), function, **kwargs)

    async def end(self, code: int) -> None:
        """Close the socket from the server's side with ``code``; from now on nothing reaches it or counts."""
        if self.ended:
            return
        self.ended = True
        self._forget()
        await self.close(code=code)

    async def send(self, text_data=None, bytes_data=None, close=False):
        if not self.ended:  # a frame finishing after the server closed the socket sends nothing more
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)

    async def send_json(self, content, close=False):
        if not self.ended:
            await super().send_json(content, close=close)

    def _forget(self) -> None:
        """At once: the socket leaves the gauge and the hub (the rest waits for :meth:`_release`)."""
        if self.user is None or self.forgotten:
            return
        self.forgotten = True
        metrics.WEBSOCKET_CONNECTIONS.dec()
        hub().detach(self, self.rooms)

    async def _release(self) -> None:
        """Leave the user's group and the rooms (unsubscribing the hub, updating presence)."""
        if self.user is None or self.released:
            return
        self.released = True
        rooms, self.rooms = list(self.rooms), set()
        await hub().release(rooms)
        try:
            await self.channel_layer.group_discard(transport.user_group(self.user.pk), self.channel_name)
        except transport.REDIS_ERRORS:  # Redis drops the subscriptions of a lost connection anyway
            logger.debug("could not leave the user group", exc_info=True)
        for room_id in rooms:
            await self._leave_presence(room_id, announce=True)

    async def _retry_later(self, exc: Exception) -> None:
        """Redis is unreachable: close with the code that tells the client to reconnect later and resync."""
        logger.warning("socket closed, Redis is unreachable: %s", exc)
        await self.end(FEED_INTERRUPTED)

    # --- incoming frames ---------------------------------------------------------------------------

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        """Answer every frame that fails with an ``error`` frame: a frame never ends its socket."""
        if self.ended:
            return
        ref = None
        try:
            if text_data is None:
                raise FrameError("invalid", "Send JSON text frames.")
            try:
                content = json.loads(text_data)
            except (ValueError, RecursionError) as exc:
                raise FrameError("invalid", "Not valid JSON (or nested too deeply).") from exc
            ref = frames.ref(content)
            if not isinstance(content, dict) or not isinstance(content.get("type"), str):
                raise FrameError("invalid", "A frame is a JSON object with a 'type'.")
            frames.check_strings(content)
            handler = HANDLERS.get(content["type"])
            if handler is None:
                raise FrameError("unknown_type", f"Unknown frame type '{content['type'][:50]}'.")
            await handler(self, content)
        except FrameError as exc:
            await self._error(exc.code, exc.detail, ref, **exc.extra)
        except transport.REDIS_ERRORS as exc:
            await self._retry_later(exc)
        except Exception:
            logger.exception("a socket frame failed")
            await self._error("server_error", "The server could not handle this frame.", ref)

    async def _error(self, code: str, detail: str, ref, **extra) -> None:
        await self.send_json(realtime_events.ERROR(code=code, detail=detail, ref=ref, **extra))

    # --- events from the channel layer -----------------------------------------------------------

    async def chat_event(self, message):
        """Events sent to this socket's own groups (direct messages, read receipts)."""
        if self.ended:
            return
        await self.deliver(message["event"], message["text"])

    async def deliver(self, event: dict, text: str) -> None:
        """Forward an event (room events come from the process's hub, see ``realtime.hub``)."""
        if self.ended:
            return
        room_id = room_of(event)
        if room_id is not None and "to_user" not in event and room_id not in self.rooms:
            return  # not (or no longer) subscribed to that room
        if event["type"] == "typing" and event["user"]["id"] == self.user.pk:
            return  # nobody is told that they are typing
        await self.send(text_data=text)

    async def chat_revoked(self, message):
        """The user's credentials were revoked (``transport.close_revoked_sockets``): the socket ends with 4401."""
        await self.end(UNAUTHENTICATED)

    async def chat_removed(self, message):
        """The user no longer follows the room (``transport.removed_message``): leave it, forward the notice."""
        room_id = message["room"]
        if room_id in self.rooms and not self.ended:
            await self.leave_room(room_id, announce=True)
            await self.send_json(message["event"])

    # --- rooms and presence --------------------------------------------------------------------------

    async def join_room(self, room_id: int) -> list[dict]:
        """Follow the room (its events reach this socket) and be present in it; returns who is online.

        The caller checked access. A join that fails half-way leaves nothing behind.
        """
        self.rooms.add(room_id)
        try:
            await hub().join(room_id, self)
            await frames.call(transport.presence_touch, room_id, self.user.pk, self.connection_id)
            return await frames.call(presence.online, room_id)
        except BaseException:
            await self.leave_room(room_id, announce=False)
            raise

    async def leave_room(self, room_id: int, *, announce: bool) -> None:
        """Stop following the room; ``announce``: tell the room who is still online."""
        self.rooms.discard(room_id)
        await hub().leave(room_id, self)
        await self._leave_presence(room_id, announce=announce)

    async def _leave_presence(self, room_id: int, *, announce: bool) -> None:
        try:
            await frames.call(transport.presence_leave, room_id, self.user.pk, self.connection_id)
            if announce:
                await self.announce_presence(room_id, await frames.call(presence.online, room_id))
        except (FrameError, *transport.REDIS_ERRORS):  # presence entries expire by themselves
            pass

    async def announce_presence(self, room_id: int, online: list[dict]) -> None:
        """Tell the room's sockets (every process) who is online in it."""
        await transport.group_send(
            transport.room_group(room_id), transport.event_message(presence.event(room_id, online))
        )


# --- the protocol's own frame -----------------------------------------------------------------------


@frames.handler("ping")
async def ping(socket: SocketConsumer, content: dict) -> None:
    """Answered with ``pong``; refreshes the socket's presence in the rooms it follows."""
    for room_id in socket.rooms:
        await frames.call(transport.presence_touch, room_id, socket.user.pk, socket.connection_id)
    await socket.send_json(realtime_events.PONG(ref=frames.ref(content)))
