"""The one WebSocket of a client, at ``/ws/``: rooms, direct messages, typing and presence.

Frames are JSON objects with a ``type``; the protocol is documented in ``docs/api.md``. The consumer
stays thin: it checks access through the rooms selectors and calls the same services as the REST API,
which persist first and broadcast after commit through the Redis channel layer.
"""

from __future__ import annotations

import functools
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import parse_qs

from channels.db import DatabaseSyncToAsync, database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts import selectors as account_selectors
from accounts import tokens
from accounts.models import User
from chat import realtime
from chat import services as chat_services
from chat.hub import FEED_INTERRUPTED, hub
from rooms import selectors as room_selectors
from rooms import services as room_services
from veza import metrics
from veza.errors import Throttled

logger = logging.getLogger(__name__)

UNAUTHENTICATED = 4401


class FrameError(Exception):
    def __init__(self, code: str, detail: str, **extra):
        super().__init__(detail)
        self.code, self.detail, self.extra = code, detail, extra


def _int(content: dict, key: str) -> int:
    value = content.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise FrameError("invalid", f"'{key}' must be an integer.")
    return value


def _text(content: dict, key: str) -> str:
    value = content.get(key)
    if not isinstance(value, str):
        raise FrameError("invalid", f"'{key}' must be a string.")
    return value


@database_sync_to_async
def _user_from_token(raw: str) -> User | None:
    return tokens.user_from_access_token(raw)


def _run(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        raise FrameError("invalid", "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())) from exc
    except PermissionDenied as exc:
        raise FrameError("forbidden", str(exc) or "You cannot do this.") from exc
    except Http404 as exc:
        raise FrameError("not_found", str(exc) or "Not found.") from exc
    except Throttled as exc:
        raise FrameError("rate_limited", str(exc), retry_after=exc.wait) from exc


@functools.cache
def _executor() -> ThreadPoolExecutor:
    """The threads running the sockets' database work: as many as the process has pooled connections.

    Most of a call is spent waiting for PostgreSQL and Redis, so the loop's default executor (CPU count
    + 4 threads) would leave connections idle while frames queue.
    """
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    size = pool.get("max_size", 10) if isinstance(pool, dict) else 10
    return ThreadPoolExecutor(max_workers=size, thread_name_prefix="chat-db")


async def _call(function, *args, **kwargs):
    """Run a service or selector in a worker thread, turning domain errors into error frames.

    Calls are not serialised on one thread: each takes a pooled database connection of its own, so
    sockets of one process do not wait for each other.
    """
    return await DatabaseSyncToAsync(_run, thread_sensitive=False, executor=_executor())(function, *args, **kwargs)


def _online(room_id: int) -> list[dict]:
    return [room_services.user_payload(user) for user in room_selectors.online_users(room_id)]


def _active_user(user_id: int) -> User:
    user = account_selectors.user_get_public(user_id=user_id)
    if user is None:
        raise Http404("No such user.")
    return user


class ChatConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            token = parse_qs(self.scope.get("query_string", b"").decode()).get("token", [""])[0]
            user = await _user_from_token(token) if token else None
        await self.accept()
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=UNAUTHENTICATED)
            return
        self.user = user
        self.rooms: set[int] = set()
        self.connection_id = uuid.uuid4().hex[:12]
        metrics.WEBSOCKET_CONNECTIONS.inc()  # disconnect() takes it back: it runs for every socket with a user
        try:
            await self.channel_layer.group_add(realtime.user_group(user.pk), self.channel_name)
            await hub().attach(self)
        except realtime.REDIS_ERRORS as exc:
            await self._retry_later(exc)

    async def disconnect(self, code):
        user = getattr(self, "user", None)
        if user is None:
            return
        metrics.WEBSOCKET_CONNECTIONS.dec()
        hub().detach(self)
        try:
            await self.channel_layer.group_discard(realtime.user_group(user.pk), self.channel_name)
        except realtime.REDIS_ERRORS:  # Redis drops the subscriptions of a lost connection anyway
            logger.debug("could not leave the user group", exc_info=True)
        for room_id in list(self.rooms):
            await self._leave_room(room_id, announce=True)

    async def _retry_later(self, exc: Exception) -> None:
        """Redis is unreachable: close with the code that tells the client to reconnect later and resync."""
        logger.warning("socket closed, Redis is unreachable: %s", exc)
        await self.close(code=FEED_INTERRUPTED)

    # --- incoming frames ---------------------------------------------------------------------------

    async def receive_json(self, content, **kwargs):
        ref = content.get("ref") if isinstance(content, dict) else None
        try:
            if not isinstance(content, dict) or not isinstance(content.get("type"), str):
                raise FrameError("invalid", "A frame is a JSON object with a 'type'.")
            handler = self.HANDLERS.get(content["type"])
            if handler is None:
                raise FrameError("unknown_type", f"Unknown frame type '{content['type']}'.")
            await handler(self, content)
        except FrameError as exc:
            await self.send_json({"type": "error", "code": exc.code, "detail": exc.detail, "ref": ref, **exc.extra})
        except realtime.REDIS_ERRORS as exc:
            await self._retry_later(exc)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self.send_json({"type": "error", "code": "invalid", "detail": "Send JSON text frames.", "ref": None})
            return
        try:
            content = await self.decode_json(text_data)
        except ValueError:
            await self.send_json({"type": "error", "code": "invalid", "detail": "Not valid JSON.", "ref": None})
            return
        await self.receive_json(content)

    async def on_subscribe(self, content):
        room_id = _int(content, "room")
        await _call(room_selectors.room_of_member, self.user, room_id)
        self.rooms.add(room_id)
        await hub().join(room_id, self)
        await _call(realtime.presence_touch, room_id, self.user.pk, self.connection_id)
        online = await _call(_online, room_id)
        await self.send_json({"type": "subscribed", "room": room_id, "online": online})
        await self._announce_presence(room_id, online)

    async def on_unsubscribe(self, content):
        room_id = _int(content, "room")
        if room_id in self.rooms:
            await self._leave_room(room_id, announce=True)
        await self.send_json({"type": "unsubscribed", "room": room_id})

    async def on_room_message(self, content):
        room_id = _int(content, "room")
        room = await _call(room_selectors.room_of_member, self.user, room_id)
        await _call(
            room_services.room_message_send,
            user=self.user,
            room=room,
            content=_text(content, "content"),
            client_id=content.get("client_id"),
        )

    async def on_room_edit(self, content):
        message = await _call(room_selectors.message_for_member, self.user, _int(content, "message_id"))
        await _call(
            room_services.room_message_edit, actor=self.user, message=message, content=_text(content, "content")
        )

    async def on_room_delete(self, content):
        message = await _call(room_selectors.message_for_member, self.user, _int(content, "message_id"))
        await _call(room_services.room_message_delete, actor=self.user, message=message)

    async def on_dm_send(self, content):
        recipient = await _call(_active_user, _int(content, "to_user"))
        await _call(
            chat_services.dm_send,
            sender=self.user,
            recipient=recipient,
            content=_text(content, "content"),
            client_id=content.get("client_id"),
        )

    async def on_dm_read(self, content):
        peer = await _call(_active_user, _int(content, "user"))
        await _call(chat_services.dm_mark_read, reader=self.user, peer=peer)

    async def on_typing(self, content):
        who = room_services.user_payload(self.user)
        if "room" in content:
            room_id = _int(content, "room")
            if room_id not in self.rooms:
                raise FrameError("not_subscribed", "Subscribe to the room first.")
            event = {"type": "typing", "room": room_id, "user": who}
            await self.channel_layer.group_send(realtime.room_group(room_id), realtime.event_message(event))
        else:
            peer = await _call(_active_user, _int(content, "to_user"))
            event = {"type": "typing", "to_user": peer.pk, "user": who}
            await self.channel_layer.group_send(realtime.user_group(peer.pk), realtime.event_message(event))

    async def on_ping(self, content):
        for room_id in self.rooms:
            await _call(realtime.presence_touch, room_id, self.user.pk, self.connection_id)
        await self.send_json({"type": "pong", "ref": content.get("ref")})

    HANDLERS = {
        "subscribe": on_subscribe,
        "unsubscribe": on_unsubscribe,
        "room.message": on_room_message,
        "room.edit": on_room_edit,
        "room.delete": on_room_delete,
        "dm.send": on_dm_send,
        "dm.read": on_dm_read,
        "typing": on_typing,
        "ping": on_ping,
    }

    # --- events from the channel layer -----------------------------------------------------------

    async def chat_event(self, message):
        """Events sent to this socket's own groups (direct messages, read receipts)."""
        await self.deliver(message["event"], message["text"])

    async def deliver(self, event: dict, text: str) -> None:
        """Forward an event (room events come from the process's hub, see ``chat.hub``)."""
        room_id = event.get("room") or (event.get("message") or {}).get("room")
        if room_id is not None and "to_user" not in event and room_id not in self.rooms:
            return  # not (or no longer) subscribed to that room
        if event["type"] == "typing" and event["user"]["id"] == self.user.pk:
            return
        await self.send(text_data=text)

    async def chat_removed(self, message):
        room_id = message["room"]
        if room_id in self.rooms:
            await self._leave_room(room_id, announce=True)
            await self.send_json({"type": "room.removed", "room": room_id})

    # --- helpers -----------------------------------------------------------------------------------

    async def _leave_room(self, room_id: int, *, announce: bool) -> None:
        self.rooms.discard(room_id)
        await hub().leave(room_id, self)
        try:
            await _call(realtime.presence_leave, room_id, self.user.pk, self.connection_id)
            if announce:
                await self._announce_presence(room_id, await _call(_online, room_id))
        except (FrameError, *realtime.REDIS_ERRORS):  # presence entries expire by themselves
            pass

    async def _announce_presence(self, room_id: int, online: list[dict]) -> None:
        event = {"type": "presence", "room": room_id, "online": online}
        await self.channel_layer.group_send(realtime.room_group(room_id), realtime.event_message(event))
