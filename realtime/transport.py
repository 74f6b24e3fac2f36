"""Live delivery: events go out through the Redis channel layer after the transaction commits.

Groups: ``room-<id>`` (sockets subscribed to a room) and ``user-<id>`` (every socket of a user: direct
messages, read receipts, being removed from a room). Presence lives in Redis sorted sets scored by
expiry, so a crashed process leaves no ghosts: its entries simply age out.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import redis
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.signals import setting_changed
from django.db import close_old_connections, transaction
from django.dispatch import receiver
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from core import rediscache
from realtime import events

logger = logging.getLogger(__name__)

PRESENCE_SECONDS = 60  # a socket refreshes its presence on every ping; clients ping every 25 s
# What an unreachable Redis raises: django-redis wraps the client's errors, the channel layer does not.
REDIS_ERRORS = (ConnectionInterrupted, RedisError, OSError)


@functools.cache
def executor() -> ThreadPoolExecutor:
    """The threads running the sockets' database work: as many as the process has pooled connections.

    Most of a call is spent waiting for PostgreSQL and Redis, so the loop's default executor (CPU count
    + 4 threads) would leave connections idle while frames queue.
    """
    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    size = pool.get("max_size", 10) if isinstance(pool, dict) else 10
    return ThreadPoolExecutor(max_workers=size, thread_name_prefix="chat-db")


# The event loop that handed the current worker thread its call (see :func:`send_now`).
_caller = threading.local()


def _call(loop: asyncio.AbstractEventLoop, function, args, kwargs):
    """In a worker thread: run the call, then give its pooled database connection back."""
    _caller.loop = loop
    close_old_connections()  # one left by a call that could not give it back is checked first
    try:
        return function(*args, **kwargs)
    finally:
        _caller.loop = None
        close_old_connections()


async def in_thread(function, *args, **kwargs):
    """Run ``function`` in one of :func:`executor`'s threads, with a pooled database connection of its own.

    Calls are not serialised on one thread, so sockets of one process do not wait for each other. The
    hand-off is the event loop's own (``run_in_executor``): the thread takes a connection from the pool
    for the call and gives it back at its end, as ``channels.db.database_sync_to_async`` would, without
    that wrapper's per-call cost in the event loop, which every frame pays.
    """
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(executor(), functools.partial(_call, loop, function, args, kwargs))


def room_group(room_id: int) -> str:
    return f"room-{room_id}"


def user_group(user_id: int) -> str:
    return f"user-{user_id}"


def event_message(event: dict) -> dict:
    """A channel-layer message carrying ``event``, serialised once for every socket that forwards it.

    ``event`` is checked against its type's definition (:mod:`realtime.events`): an unregistered type or
    wrong fields raise :class:`realtime.events.InvalidEvent` here, before anything is sent.
    """
    fields = dict(event)
    events.build(fields.pop("type", None), **fields)
    return {"type": "chat.event", "event": event, "text": json.dumps(event, cls=DjangoJSONEncoder)}


def removed_message(room_id: int, event: dict) -> dict:
    """The channel-layer message telling a user's sockets to stop receiving a room; they forward ``event``
    (the room's app tells why: ``room.removed``)."""
    return {"type": "chat.removed", "room": room_id, "event": event}


# Lists that :func:`realtime.testing.capture_events` appends to: every message sent while one is open.
recorders: list[list] = []


def _record(group: str, message: dict) -> None:
    for recorder in list(recorders):
        recorder.append((group, message))


@functools.cache
def _publisher() -> tuple[redis.Redis, str] | None:
    """A plain Redis client on the channel layer's server, and the layer's prefix (None: use the layer).

    The Pub/Sub layer publishes a group's events on the Redis channel ``<prefix>__group__<group>``
    (``channels_redis.pubsub``); with one Redis host, a service running in a worker thread can publish
    there itself. Going through ``async_to_sync`` instead would hand every publish to the process's
    event loop, which is busy writing frames to sockets: under load the sending threads queue behind it.
    """
    config: dict[str, Any] = settings.CHANNEL_LAYERS["default"]
    hosts = config.get("CONFIG", {}).get("hosts", [])
    if not config["BACKEND"].endswith("pubsub.RedisPubSubChannelLayer") or len(hosts) != 1:
        return None
    if not isinstance(hosts[0], str):  # a host given as a dict of connection options: let the layer publish
        return None
    client = redis.Redis.from_url(hosts[0], socket_timeout=2, socket_connect_timeout=2)
    return client, config["CONFIG"].get("prefix", "asgi")


@receiver(setting_changed)
def _forget_publisher(*, setting: str, **kwargs) -> None:
    if setting == "CHANNEL_LAYERS":
        _publisher.cache_clear()


def send_now(group: str, event: dict) -> None:
    """Publish ``event``; when Redis is unreachable, log and carry on (the change itself is stored).

    Sockets miss the event, but their process notices the interruption of the feed and closes them,
    so their clients reconnect and fetch what they missed (see :mod:`realtime.hub`).
    """
    _record(group, event)
    try:
        publisher = _publisher()
        if publisher is None:
            _layer_send(group, event)
        else:
            client, prefix = publisher
            client.publish(f"{prefix}__group__{group}", get_channel_layer().serialize(event))
    except REDIS_ERRORS as exc:
        logger.warning("live event to %s not sent, Redis is unreachable: %s", group, exc)


def _layer_send(group: str, event: dict) -> None:
    """Send through the channel layer, on the event loop that called this thread (:func:`in_thread`) when
    there is one, as its connections belong to that loop; elsewhere (a request, a task) in a loop of its own."""
    loop = getattr(_caller, "loop", None)
    if loop is not None and loop.is_running():
        asyncio.run_coroutine_threadsafe(get_channel_layer().group_send(group, event), loop).result()
    else:
        async_to_sync(get_channel_layer().group_send)(group, event)


def close_revoked_sockets(*, user_id: int, **kwargs) -> None:
    """Every socket of the user closes with 4401 (``accounts.credentials.credentials_revoked``'s receiver)."""
    send_now(user_group(user_id), {"type": "chat.revoked"})


async def group_send(group: str, event: dict) -> None:
    """Send ``event`` to ``group`` from the event loop, at once (a socket announcing presence)."""
    _record(group, event)
    await get_channel_layer().group_send(group, event)


def broadcast(group: str, event: dict) -> None:
    """Send ``event`` to ``group`` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send_now(group, event))


# --- presence ---------------------------------------------------------------------------------


def _key(room_id: int) -> str:
    from django.conf import settings

    return f"{settings.REDIS_KEY_PREFIX}:presence:room:{room_id}"


def presence_touch(room_id: int, user_id: int, connection: str) -> None:
    """Mark ``connection`` of ``user_id`` present in the room for the next PRESENCE_SECONDS."""
    redis = rediscache.client()
    key = _key(room_id)
    redis.zadd(key, {f"{user_id}:{connection}": time.time() + PRESENCE_SECONDS})
    redis.expire(key, PRESENCE_SECONDS * 2)


def presence_leave(room_id: int, user_id: int, connection: str) -> None:
    rediscache.client().zrem(_key(room_id), f"{user_id}:{connection}")


def presence_users(room_id: int) -> list[int]:
    """Ids of the users with at least one live connection in the room."""
    redis = rediscache.client()
    key = _key(room_id)
    now = time.time()
    redis.zremrangebyscore(key, "-inf", now)
    members = redis.zrangebyscore(key, now, "+inf")
    return sorted({int(member.decode().split(":", 1)[0]) for member in members})
