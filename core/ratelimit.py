"""Fixed-window counters in Redis, shared by every process and host.

Keys are hashed, so whatever a client typed (a username, maybe a mistyped password) is never written
to Redis in clear.
"""

from __future__ import annotations

import functools
import hashlib

from django.core.cache import cache
from redis.commands.core import Script

from core import rediscache


def _key(scope: str, value: str) -> str:
    return f"ratelimit:{scope}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def retry_after(scope: str, value: str, *, limit: int) -> int | None:
    """Seconds to wait when ``value`` has used up ``limit`` hits in ``scope``, else None."""
    key = _key(scope, value)
    if (cache.get(key) or 0) < limit:
        return None
    return max(int(cache.ttl(key) or 0), 1)  # type: ignore[attr-defined]  # django-redis's cache


# One round trip per attempt: count it, start the window with the first hit (or mend a key that lost its
# expiry), and with a limit take a refused attempt back at once. Returns the count and the seconds left.
_COUNT = """
local count = redis.call('INCR', KEYS[1])
local ttl = redis.call('TTL', KEYS[1])
if ttl < 0 then
    redis.call('EXPIRE', KEYS[1], ARGV[1])
    ttl = tonumber(ARGV[1])
end
local limit = tonumber(ARGV[2])
if limit >= 0 and count > limit then
    redis.call('DECR', KEYS[1])
end
return {count, ttl}
"""


def _count(scope: str, value: str, *, window: int, limit: int) -> tuple[int, int]:
    """Run :data:`_COUNT` on the cache's Redis (its key as ``cache.get`` reads it); ``limit`` -1: none."""
    client = rediscache.client()
    count, ttl = _script(client)(keys=[cache.make_key(_key(scope, value))], args=[window, limit], client=client)
    return int(count), max(int(ttl), 1)


@functools.cache
def _script(client) -> Script:
    """The script, sent once per Redis server and then called by its digest (``EVALSHA``)."""
    return client.register_script(_COUNT)


def hit(scope: str, value: str, *, window: int) -> int:
    """Count one hit for ``value`` in ``scope``; the window starts with the first hit. Returns the count."""
    return _count(scope, value, window=window, limit=-1)[0]


def consume(scope: str, value: str, *, limit: int, window: int) -> int | None:
    """Count one attempt of ``value`` in ``scope`` unless ``limit`` is used up; then return the seconds to
    wait (and count nothing), else None.

    The count goes up first and a refused attempt takes its hit back, in one script that Redis runs
    atomically: attempts made at the same moment from several sockets, threads or hosts can never pass
    the limit together, as a check followed by a count could.
    """
    count, ttl = _count(scope, value, window=window, limit=limit)
    return None if count <= limit else ttl


def reset(scope: str, value: str) -> None:
    cache.delete(_key(scope, value))


def throttled_response(response, wait: int):
    """Make a page's ``response`` the answer to a throttled request: 429 with ``Retry-After``."""
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response
