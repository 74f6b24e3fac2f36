"""Fixed-window counters in Redis, shared by every process and host.

Keys are hashed, so whatever a client typed (a username, maybe a mistyped password) is never written
to Redis in clear.
"""

from __future__ import annotations

import hashlib
from contextlib import suppress

from django.core.cache import cache


def _key(scope: str, value: str) -> str:
    return f"ratelimit:{scope}:{hashlib.sha256(value.encode()).hexdigest()[:32]}"


def retry_after(scope: str, value: str, *, limit: int) -> int | None:
    """Seconds to wait when ``value`` has used up ``limit`` hits in ``scope``, else None."""
    key = _key(scope, value)
    if (cache.get(key) or 0) < limit:
        return None
    return max(int(cache.ttl(key) or 0), 1)  # type: ignore[attr-defined]  # django-redis's cache


def hit(scope: str, value: str, *, window: int) -> int:
    """Count one hit for ``value`` in ``scope``; the window starts with the first hit."""
    key = _key(scope, value)
    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return 1


def consume(scope: str, value: str, *, limit: int, window: int) -> int | None:
    """Count one attempt of ``value`` in ``scope`` unless ``limit`` is used up; then return the seconds to
    wait (and count nothing), else None.

    The count goes up first (one atomic ``INCR``) and a refused attempt takes its hit back: attempts made
    at the same moment from several sockets, threads or hosts can never pass the limit together, as a
    check followed by a count could.
    """
    if hit(scope, value, window=window) <= limit:
        return None
    key = _key(scope, value)
    wait = max(int(cache.ttl(key) or 0), 1)  # type: ignore[attr-defined]  # django-redis's cache
    with suppress(ValueError):  # the window ended meanwhile: nothing to take back
        cache.decr(key)
    return wait


def reset(scope: str, value: str) -> None:
    cache.delete(_key(scope, value))


def throttled_response(response, wait: int):
    """Make a page's ``response`` the answer to a throttled request: 429 with ``Retry-After``."""
    response.status_code = 429
    response["Retry-After"] = str(wait)
    return response
