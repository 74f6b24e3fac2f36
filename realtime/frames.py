"""The frames clients send on their socket: one handler per frame type, registered by the app that owns it.

A handler is a coroutine ``handler(socket, content)``: ``socket`` is the client's
:class:`realtime.consumer.SocketConsumer`, ``content`` the frame, a JSON object whose ``type`` names the
handler and whose strings were checked (no NUL, no lone surrogate). Apps register theirs when they are
ready (``rooms/frames.py``, ``chat/frames.py``, ``accounts/frames.py``)::

    @frames.handler("room.message")
    async def room_message(socket, content): ...

The consumer finds a frame's handler with one dict lookup. ``docs/api.md``'s "Client to server" table
lists exactly the registered types (``tests/realtime/test_frames.py``).

A handler reads its fields with :func:`integer` and :func:`text`, runs services and selectors in a worker
thread with :func:`call` (or ``socket.write`` for writes, which names the socket's user as their actor),
and answers a refusal by raising :class:`FrameError`: the client gets an ``error`` frame, the socket stays.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from core.audit import acting_as
from core.errors import Conflict, NotFound, Throttled
from core.parsers import UNSTORABLE
from realtime import transport

MAX_ID = 2**63 - 1  # ids are PostgreSQL bigints at most

Handler = Callable[[Any, dict], Awaitable[None]]

# Every registered handler by frame type; the consumer reads it on every frame.
HANDLERS: dict[str, Handler] = {}


class FrameError(Exception):
    """A frame refused: answered with an ``error`` frame of ``code`` and ``detail`` (and ``extra`` fields)."""

    def __init__(self, code: str, detail: str, **extra):
        super().__init__(detail)
        self.code, self.detail, self.extra = code, detail, extra


def register(name: str, handler: Handler) -> Handler:
    """Make ``handler`` answer the frames of type ``name`` (one handler per type)."""
    if HANDLERS.get(name, handler) is not handler:
        raise ValueError(f"Frame type '{name}' already has a handler.")
    HANDLERS[name] = handler
    return handler


def handler(name: str) -> Callable[[Handler], Handler]:
    """Decorator form of :func:`register`."""
    return lambda function: register(name, function)


def registered() -> dict[str, Handler]:
    """Every registered handler by frame type."""
    return dict(HANDLERS)


# --- reading a frame ----------------------------------------------------------------------------


def integer(content: dict, key: str) -> int:
    """The frame's field ``key``, an id: an integer from 1 to the largest bigint."""
    value = content.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
        raise FrameError("invalid", f"'{key}' must be a positive integer (an id).")
    return value


def text(content: dict, key: str) -> str:
    """The frame's field ``key``, a string."""
    value = content.get(key)
    if not isinstance(value, str):
        raise FrameError("invalid", f"'{key}' must be a string.")
    return value


def check_strings(content) -> None:
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


def ref(content) -> str | int | None:
    """The frame's ``ref``, echoed in the answers: a string or an integer, else nothing."""
    value = content.get("ref") if isinstance(content, dict) else None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    return value


# --- running services ---------------------------------------------------------------------------


def run(function, *args, **kwargs):
    """Call ``function``, turning the domain's errors into :class:`FrameError` (the socket's answers)."""
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


def run_as(actor_id: int, ip: str | None, function, *args, **kwargs):
    """:func:`run`, recording ``actor_id`` and ``ip`` as the actor of the rows written (the audit trail)."""
    with acting_as(actor_id, ip):
        return run(function, *args, **kwargs)


async def call(function, *args, **kwargs):
    """Run a service or selector in a worker thread, turning domain errors into error frames."""
    return await transport.in_thread(run, function, *args, **kwargs)
