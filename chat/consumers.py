"""The one WebSocket of a client, at ``/ws/``: rooms, direct messages, typing and presence.

Frames are JSON objects with a ``type``; the protocol is documented in ``docs/api.md``. The consumer
stays thin: it checks access through the rooms selectors and calls the same services as the REST API,
which persist first and broadcast after commit through the Redis channel layer.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import uuid
from datetime import UTC, datetime
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import credentials
from accounts import selectors as account_selectors
from accounts.models import User
from chat import services as chat_services
from core import metrics
from core.audit import acting_as
from core.errors import Conflict, NotFound, Throttled
from realtime import events as realtime_events
from realtime import transport
from realtime.hub import FEED_INTERRUPTED, UNAUTHENTICATED, hub
from rooms import events as room_events
from rooms import selectors as room_selectors
from rooms import services as room_services

logger = logging.getLogger(__name__)

SERVER_ERROR = 1011
MAX_ID = 2**63 - 1  # ids are PostgreSQL bigints at most
UNSTORABLE = room_services.UNSTORABLE
_executor = transport.executor  # the threads of the sockets' database work (tests shut them down)


class FrameError(Exception):
    def __init__(self, code: str, detail: str, **extra):
        super().__init__(detail)
        self.code, self.detail, self.extra = code, detail, extra


def _int(content: dict, key: str) -> int:
    value = content.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise FrameError("invalid", f"'{key}' must be a positive integer (an id).")
    return value


def _text(content: dict, key: str) -> str:
    value = content.get(key)
    if not isinstance(value, str):
        raise FrameError("invalid", f"'{key}' must be a string.")
    return value


def _check_strings(content) -> None:
    """Refuse a frame with NUL or a lone surrogate in any of its strings, keys included (no recursion)."""
    pending = [content]
    while pending:
        value = pending.pop()
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                raise FrameError("invalid", "A frame cannot contain NUL characters or lone surrogates.")
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)


def _ref(content) -> str | int | None:
    """The frame's ``ref``, echoed in the answers: a string or an integer, else nothing."""
    ref = content.get("ref") if isinstance(content, dict) else None
    if isinstance(ref, bool) or not isinstance(ref, (str, int)):
        return None
    return ref


def _run(function, *args, **kwargs):
    try:
        return function(*args, **kwargs)
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        raise FrameError("invalid", "; ".join(f"{k}: {' '.join(v)}" for k, v in fields.items())) from exc
    except PermissionDenied as exc:
        raise FrameError("forbidden", str(exc) or "You cannot do this.") from exc
    except NotFound as exc:
        raise FrameError("not_found", str(exc) or "Not found.") from exc
    except Conflict as exc:
        raise FrameError("conflict", str(exc) or "This conflicts with the current state.") from exc
    except Throttled as exc:
        raise FrameError("rate_limited", str(exc), retry_after=exc.wait) from exc


async def _call(function, *args, **kwargs):
    """Run a service or selector in a worker thread, turning domain errors into error frames."""
    return await transport.in_thread(_run, function, *args, **kwargs)


def _run_as(actor_id: int, ip: str | None, function, *args, **kwargs):
    with acting_as(actor_id, ip):
        return _run(function, *args, **kwargs)


def _client_ip(scope) -> str | None:
    client = scope.get("client") or (None,)
    try:
        return str(ipaddress.ip_address(client[0] or ""))
    except ValueError:
        return None


def _authenticate(user, session, token: str) -> tuple[User, credentials.Credential] | None:
    """The socket's user and credential: its session's user, else its ``?token=``'s; None if neither holds."""
    if user is not None and user.is_authenticated:
        credential = credentials.session_credential(user, session.session_key if session is not None else None)
        return (user, credential) if credential is not None else None
    if token:
        return credentials.token_credential(token)
    return None


def _online(room_id: int) -> list[dict]:
    return [room_services.user_payload(user) for user in room_selectors.online_users(room_id)]


def _active_user(user_id: int) -> User:
    user = account_selectors.user_get_public(user_id=user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


class ChatConsumer(AsyncJsonWebsocketConsumer):
    """One client's socket. Its state (the gauge, the hub's sets, groups, presence) is released however it
    ends: a close by the client, by the server (:meth:`end`), or an error that escaped everything else."""

    user: User | None = None
    credential: credentials.Credential | None = None
    ended = False  # closed by the server: frames and events still in flight are ignored
    forgotten = False
    released = False

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._forget()
            try:
                await self._release()
            except BaseException:  # cancelled, or Redis away: presence expires and groups die with the link
                logger.debug("releasing a socket's state failed", exc_info=True)

    async def connect(self):
        """Authenticate, join the user's group, then accept: the client's first frame finds it ready.

        A socket that does not authenticate is accepted and closed at once with 4401 (browsers see no
        close code for a refused handshake).
        """
        token = parse_qs(self.scope.get("query_string", b"").decode("latin-1")).get("token", [""])[0]
        try:
            found = await transport.in_thread(_authenticate, self.scope.get("user"), self.scope.get("session"), token)
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

    async def _write(self, function, **kwargs):
        """Run a service that writes, as :func:`_call` does, naming the socket's user and client IP as the
        actor of its rows in the audit trail."""
        return await transport.in_thread(_run_as, self.user.pk, _client_ip(self.scope), function, **kwargs)

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
            ref = _ref(content)
            if not isinstance(content, dict) or not isinstance(content.get("type"), str):
                raise FrameError("invalid", "A frame is a JSON object with a 'type'.")
            _check_strings(content)
            handler = self.HANDLERS.get(content["type"])
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

    async def on_auth(self, content):
        """A fresh access token for a socket opened with ``?token=``: it then lives until that one expires."""
        raw = _text(content, "token")
        if self.credential.session_key is not None:
            raise FrameError("invalid", "This socket is authenticated by its session: it takes no token.")
        found = await _call(credentials.token_credential, raw)
        if found is None:
            raise FrameError("invalid_token", "The access token is invalid, expired or revoked.")
        user, credential = found
        if user.pk != self.user.pk:
            raise FrameError("invalid_token", "The access token belongs to another account.")
        # A revocation since the socket opened still ends it: it keeps the marker it opened with.
        self.credential = credentials.Credential(
            user_id=user.pk,
            marker=self.credential.marker,
            expires_at=credential.expires_at,
            password_digest=credential.password_digest,
        )
        expires_at = datetime.fromtimestamp(credential.expires_at, tz=UTC).isoformat()
        await self.send_json(realtime_events.AUTHENTICATED(expires_at=expires_at, ref=_ref(content)))

    async def on_subscribe(self, content):
        room_id = _int(content, "room")
        await _call(room_selectors.room_of_member, self.user, room_id)
        self.rooms.add(room_id)
        try:
            await hub().join(room_id, self)
            await _call(transport.presence_touch, room_id, self.user.pk, self.connection_id)
            online = await _call(_online, room_id)
        except BaseException:  # a subscription that failed half-way leaves nothing behind
            await self._leave_room(room_id, announce=False)
            raise
        await self.send_json(room_events.SUBSCRIBED(room=room_id, online=online))
        await self._announce_presence(room_id, online)

    async def on_unsubscribe(self, content):
        room_id = _int(content, "room")
        if room_id in self.rooms:
            await self._leave_room(room_id, announce=True)
        await self.send_json(room_events.UNSUBSCRIBED(room=room_id))

    async def on_room_message(self, content):
        room_id = _int(content, "room")
        room = await _call(room_selectors.room_of_member, self.user, room_id)
        await self._write(
            room_services.room_message_send,
            user=self.user,
            room=room,
            content=_text(content, "content"),
            client_id=content.get("client_id"),
        )

    async def on_room_edit(self, content):
        message = await _call(room_selectors.message_for_member, self.user, _int(content, "message_id"))
        await self._write(
            room_services.room_message_edit, actor=self.user, message=message, content=_text(content, "content")
        )

    async def on_room_delete(self, content):
        message = await _call(room_selectors.message_for_member, self.user, _int(content, "message_id"))
        await self._write(room_services.room_message_delete, actor=self.user, message=message)

    async def on_dm_send(self, content):
        recipient = await _call(_active_user, _int(content, "to_user"))
        await self._write(
            chat_services.dm_send,
            sender=self.user,
            recipient=recipient,
            content=_text(content, "content"),
            client_id=content.get("client_id"),
        )

    async def on_dm_read(self, content):
        peer = await _call(_active_user, _int(content, "user"))
        await self._write(chat_services.dm_mark_read, reader=self.user, peer=peer)

    async def on_typing(self, content):
        if "room" in content:
            room_id = _int(content, "room")
            if room_id not in self.rooms:
                raise FrameError("not_subscribed", "Subscribe to the room first.")
            await _call(chat_services.typing_send, user=self.user, room_id=room_id)
        else:
            await _call(chat_services.typing_send, user=self.user, peer_id=_int(content, "to_user"))

    async def on_ping(self, content):
        for room_id in self.rooms:
            await _call(transport.presence_touch, room_id, self.user.pk, self.connection_id)
        await self.send_json(realtime_events.PONG(ref=_ref(content)))

    HANDLERS = {
        "auth": on_auth,
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
        if self.ended:
            return
        await self.deliver(message["event"], message["text"])

    async def deliver(self, event: dict, text: str) -> None:
        """Forward an event (room events come from the process's hub, see ``realtime.hub``)."""
        if self.ended:
            return
        room_id = event.get("room") or (event.get("message") or {}).get("room")
        if room_id is not None and "to_user" not in event and room_id not in self.rooms:
            return  # not (or no longer) subscribed to that room
        if event["type"] == "typing" and event["user"]["id"] == self.user.pk:
            return
        await self.send(text_data=text)

    async def chat_revoked(self, message):
        """The user's credentials were revoked (``accounts.credentials``): the socket ends with 4401."""
        await self.end(UNAUTHENTICATED)

    async def chat_removed(self, message):
        room_id = message["room"]
        if room_id in self.rooms and not self.ended:
            await self._leave_room(room_id, announce=True)
            await self.send_json(room_events.REMOVED(room=room_id))

    # --- helpers -----------------------------------------------------------------------------------

    async def _leave_room(self, room_id: int, *, announce: bool) -> None:
        self.rooms.discard(room_id)
        await hub().leave(room_id, self)
        await self._leave_presence(room_id, announce=announce)

    async def _leave_presence(self, room_id: int, *, announce: bool) -> None:
        try:
            await _call(transport.presence_leave, room_id, self.user.pk, self.connection_id)
            if announce:
                await self._announce_presence(room_id, await _call(_online, room_id))
        except (FrameError, *transport.REDIS_ERRORS):  # presence entries expire by themselves
            pass

    async def _announce_presence(self, room_id: int, online: list[dict]) -> None:
        event = room_events.PRESENCE(room=room_id, online=online)
        await transport.group_send(transport.room_group(room_id), transport.event_message(event))
