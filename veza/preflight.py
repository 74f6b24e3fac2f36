"""Turn an unreachable PostgreSQL or Redis into one clear line naming the variable."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from urllib.parse import urlsplit


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
    import redis
    from django.conf import settings
    from django.db import connection

    try:
        connection.ensure_connection()
    finally:
        connection.close()
    client = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"], socket_connect_timeout=5)
    try:
        client.ping()
    finally:
        client.close()
