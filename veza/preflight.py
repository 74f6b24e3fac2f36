"""Backend checks: at start-up, an unreachable PostgreSQL or Redis becomes one clear line naming the
variable; at run time, the same checks answer the readiness probe (``/readyz``)."""

from __future__ import annotations

import logging
import sys
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager, suppress
from functools import partial
from urllib.parse import urlsplit

logger = logging.getLogger(__name__)

# Seconds the readiness probe waits for each backend: a dead one never hangs the probe.
READINESS_TIMEOUT = 2.0


def _safe(url: str) -> str:
    """A URL without its password, for error messages."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        parts = parts._replace(netloc=netloc)
    return parts.geturl()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else exc.__class__.__name__


def backend_error(exc: BaseException) -> str | None:
    """The one-line message for ``exc`` if it means a backend is unreachable, else None."""
    import redis
    from django.conf import settings
    from django.db import OperationalError

    from veza.embedded import EmbeddedServiceError

    if isinstance(exc, EmbeddedServiceError):
        return f"veza: {exc}"
    if isinstance(exc, OperationalError) and "connect" in str(exc).lower():
        return f"veza: DATABASE_URL: cannot reach PostgreSQL at {_safe(settings.DATABASE_URL)}: {_first_line(exc)}"
    if isinstance(exc, (redis.ConnectionError, redis.TimeoutError)):
        return f"veza: REDIS_URL: cannot reach Redis at {_safe(settings.REDIS_URL)}: {_first_line(exc)}"
    return None


@contextmanager
def exit_on_backend_error():
    """Exit with status 1 and one line on stderr when a backend cannot be reached."""
    try:
        yield
    except Exception as exc:
        message = backend_error(exc) or (backend_error(exc.__cause__) if exc.__cause__ else None)
        if message is None:
            raise
        print(message, file=sys.stderr)
        raise SystemExit(1) from None


def check_backends() -> None:
    """Connect to PostgreSQL and Redis once; raise the underlying error when one is down.

    Runs in a thread of its own: ASGI servers may import the application inside their event loop,
    where Django refuses synchronous database access.
    """
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(_check_backends).result()


def _check_backends() -> None:
    from django.conf import settings

    check_database()
    check_redis(settings.CACHES["default"]["LOCATION"], timeout=5)


def check_database() -> None:
    """Run ``SELECT 1`` on this thread's default connection, then close it.

    Closing hands a pooled connection back to its pool, which drops it if it broke; after a failure the
    pool also replaces its other idle connections that broke with the server, so nothing broken is kept
    for the next check or request.
    """
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        with suppress(Exception):
            connection.close()
            if connection.settings_dict["OPTIONS"].get("pool"):
                connection.pool.check()
        raise
    connection.close()


def check_redis(url: str, *, timeout: float) -> None:
    """PING the Redis server at ``url`` on a connection of its own, giving up after ``timeout`` seconds."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    finally:
        client.close()


def redis_urls() -> list[str]:
    """The Redis servers Veza needs: the cache's (sessions and throttles live there too) and the channel layer's."""
    from django.conf import settings

    location = settings.CACHES["default"]["LOCATION"]
    urls = [location if isinstance(location, str) else location[0]]
    for host in settings.CHANNEL_LAYERS["default"]["CONFIG"]["hosts"]:
        url = host.get("address") if isinstance(host, dict) else host
        if isinstance(url, str) and url not in urls:
            urls.append(url)
    return urls


def readiness(*, timeout: float = READINESS_TIMEOUT) -> dict[str, str]:
    """``{"database": "ok" | "unavailable", "redis": ...}``: which backends answered within ``timeout`` seconds.

    The checks run side by side in threads of their own; one that has not answered in time counts as
    unavailable and finishes in the background (bounded by the connection timeouts).
    """
    calls = [("database", check_database)]
    calls += [("redis", partial(check_redis, url, timeout=timeout)) for url in redis_urls()]
    pool = ThreadPoolExecutor(max_workers=len(calls), thread_name_prefix="readiness")
    futures = {pool.submit(call): name for name, call in calls}
    done, _ = wait(futures, timeout=timeout)
    pool.shutdown(wait=False, cancel_futures=True)
    results = {"database": "ok", "redis": "ok"}
    for future, name in futures.items():
        error = future.exception() if future in done else TimeoutError(f"no answer within {timeout:g} s")
        if error is not None:
            results[name] = "unavailable"
            logger.warning("readiness: %s unavailable: %s", name, _first_line(error))
    return results
