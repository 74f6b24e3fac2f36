"""Announcing who is online in a room: the app that owns rooms registers how, when it is ready.

Presence itself (which connections are in a room) is kept in Redis by :mod:`realtime.transport`; the
registered functions turn it into what clients see:

- ``online(room_id)``: the users present, as they appear in events (a list of dicts; runs in a
  worker thread, it may query the database);
- ``event(room_id, online)``: the event announcing them to the room.
"""

from __future__ import annotations

from collections.abc import Callable

from realtime.hooks import Hooks

_describers = Hooks("presence description", "realtime.presence.register")


def register(*, online: Callable[[int], list[dict]], event: Callable[..., dict]) -> None:
    """Describe a room's presence with ``online`` and announce it with ``event``."""
    _describers.provide(online=online, event=event)


def online(room_id: int) -> list[dict]:
    """The users with a live socket in the room, as events show them."""
    return _describers["online"](room_id)


def event(room_id: int, online: list[dict]) -> dict:
    """The event telling a room who is online in it."""
    return _describers["event"](room=room_id, online=online)
