"""Typed socket events: each type the server sends is defined once, here or in its app's ``events.py``.

An app registers its types at import (``ROOM_MESSAGE = events.register("room.message", "message",
"client_id")``) and builds every event through its definition, so an unknown type, a missing field or
an unexpected one is an error where the event is built, before anything is sent. ``docs/api.md``'s
table of server events lists exactly the registered types (``tests/realtime/test_events.py``).

This module defines the socket protocol's own answers; rooms (``rooms/events.py``) and direct messages
(``chat/events.py``) define theirs.
"""

from __future__ import annotations

from dataclasses import dataclass


class InvalidEvent(ValueError):
    """An event of an unregistered type, or whose fields do not match its type's definition."""


@dataclass(frozen=True)
class EventType:
    name: str
    fields: tuple[str, ...]  # required (a value may be None, the key must be there)
    optional: tuple[str, ...] = ()

    def __call__(self, **data) -> dict:
        """The event as sockets receive it: ``{"type": name, **data}``."""
        missing = [field for field in self.fields if field not in data]
        unexpected = sorted(data.keys() - set(self.fields) - set(self.optional))
        if missing or unexpected:
            raise InvalidEvent(
                f"Event '{self.name}': missing {missing or 'nothing'}, unexpected {unexpected or 'nothing'}."
            )
        return {"type": self.name, **data}


_registry: dict[str, EventType] = {}


def register(name: str, *fields: str, optional: tuple[str, ...] = ()) -> EventType:
    """Define the event type ``name`` once, with its required ``fields`` and ``optional`` ones."""
    if name in _registry:
        raise InvalidEvent(f"Event type '{name}' is already registered.")
    _registry[name] = event_type = EventType(name, tuple(fields), tuple(optional))
    return event_type


def get(name: str) -> EventType:
    try:
        return _registry[name]
    except KeyError:
        raise InvalidEvent(f"Unknown event type '{name}'.") from None


def build(name: str, **data) -> dict:
    """The event ``name`` with ``data``, checked against its definition."""
    return get(name)(**data)


def registered() -> dict[str, EventType]:
    """Every registered type by name (those of apps whose ``events`` module has been imported)."""
    return dict(_registry)


# --- the protocol's own answers -------------------------------------------------------------------

ERROR = register("error", "code", "detail", "ref", optional=("retry_after",))
PONG = register("pong", "ref")
AUTHENTICATED = register("authenticated", "expires_at", "ref")
