"""What anonymous visitors read of public content, kept in Redis and dropped when that content changes.

The busiest reads are the same for every visitor who is not logged in: the home page, the track list,
the shop, the tracks API, search results. They are kept in the cache (the ``default`` Redis) for
``PUBLIC_CACHE_SECONDS`` under a key that holds the **generation** of each topic they show
(:data:`TRACKS`, :data:`MARKET`, :data:`ROOMS`, :data:`PEOPLE`). Every service that changes what a
topic shows calls :func:`changed` with it: the topic's generation goes up at once and again when the
transaction commits, so the next read builds afresh, on every process and host. A moderator's hide or
restore, an upload, an edit or a deletion shows at once.

Rules that keep it correct:

- Only requests of visitors who are not logged in, with no pending flash message, are served from it
  (:func:`shared`): nothing private or personal is ever stored, and logged-in people always read live.
- A topic's generation is read before the content is built: a change that commits in between makes
  the next read build again, never a stale copy under a new generation.
- Writes made outside the services (a shell, raw SQL, a restored backup) do not bump a generation:
  they show once the kept copy expires, within ``PUBLIC_CACHE_SECONDS`` (30 by default). So do
  changes made while Redis was unreachable.
- Redis unreachable: reads are built live, as without the cache; nothing fails.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Callable, Iterable
from typing import TypeVar, cast

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import RedisError

from core import rediscache

logger = logging.getLogger(__name__)

TRACKS = "tracks"  # tracks and their files
MARKET = "market"  # products and listings
ROOMS = "rooms"  # rooms (not their members or messages)
PEOPLE = "people"  # accounts: names, profiles, activity
TOPICS = (TRACKS, MARKET, ROOMS, PEOPLE)

REDIS_ERRORS = (ConnectionInterrupted, RedisError, OSError)
T = TypeVar("T")


def _generation_key(topic: str) -> str:
    return f"public:generation:{topic}"


def _bump(topics: tuple[str, ...]) -> None:
    try:
        client = rediscache.client()
        with client.pipeline(transaction=False) as pipe:
            for topic in topics:
                pipe.incr(cache.make_key(_generation_key(topic)))  # INCR creates a missing key
            pipe.execute()
    except REDIS_ERRORS as exc:
        logger.warning("public cache: could not mark %s as changed: %s", ", ".join(topics), exc)


def changed(*topics: str) -> None:
    """Drop what anonymous visitors were served of ``topics``: now, and again when the current
    transaction commits (a copy built meanwhile from the rows before the commit goes too)."""
    unknown = set(topics) - set(TOPICS)
    if unknown:
        raise ValueError(f"unknown public cache topics: {sorted(unknown)}")
    _bump(tuple(topics))
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(functools.partial(_bump, tuple(topics)))


def seconds() -> int:
    return settings.PUBLIC_CACHE_SECONDS


def _key(name: str, parts: Iterable, generations: list) -> str:
    digest = hashlib.blake2b(repr(tuple(parts)).encode(), digest_size=16).hexdigest()
    return f"public:{name}:{digest}:" + ".".join(str(g or 0) for g in generations)


def cached(name: str, parts: Iterable, topics: Iterable[str], build: Callable[[], T]) -> T:
    """``build()``, or the copy kept under ``name`` and ``parts`` while none of ``topics`` changed
    (None, when ``build`` returns it, is not kept).

    ``parts`` must hold everything the result depends on besides the topics' content (the query,
    the page, the host of absolute links). Only for what any anonymous visitor may read.
    """
    if seconds() <= 0:
        return build()
    topics = tuple(topics)
    try:
        found = cache.get_many([_generation_key(topic) for topic in topics])
        key = _key(name, parts, [found.get(_generation_key(topic)) for topic in topics])
        kept = cache.get(key)
    except REDIS_ERRORS as exc:
        logger.warning("public cache unavailable, reading live: %s", exc)
        return build()
    if kept is not None:
        return kept
    value = build()
    if value is None:
        return value
    try:
        cache.set(key, value, seconds())
    except REDIS_ERRORS as exc:
        logger.warning("public cache unavailable, not kept: %s", exc)
    return value


def shared(request: HttpRequest) -> bool:
    """Whether ``request`` reads what every anonymous visitor reads: a GET by someone not logged in,
    with no flash message waiting to be shown."""
    if request.method != "GET" or request.user.is_authenticated:
        return False
    from django.contrib.messages import get_messages  # an installed app; loaded on first use

    return len(get_messages(request)) == 0


def request_parts(request: HttpRequest) -> tuple:
    """What an anonymous page or API answer depends on in its request: address, query, host (absolute
    links), language and time zone."""
    query = tuple(sorted((key, tuple(values)) for key, values in request.GET.lists()))
    return (
        request.path,
        query,
        request.get_host(),
        request.is_secure(),
        translation.get_language(),
        timezone.get_current_timezone_name(),
    )


def _personal(request: HttpRequest) -> bool:
    """Whether rendering made the answer the visitor's own: it holds a CSRF token, or wrote to the session."""
    session = getattr(request, "session", None)
    return bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE")) or (session is not None and session.modified)


def page(*topics: str):
    """A page view whose answer to anonymous visitors is kept while ``topics`` do not change.

    Only a complete 200 answer with no cookie of its own is kept: its status, type and body. Anything
    else (an error, a redirect, a form that set the CSRF cookie) is answered live each time.
    """

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not shared(request):
                return view(request, *args, **kwargs)
            live: list = []

            def build():
                response = view(request, *args, **kwargs)
                live.append(response)
                if response.status_code != 200 or response.streaming or response.cookies or _personal(request):
                    return None
                return (response["Content-Type"], response.content)

            parts = (view.__module__, view.__qualname__, args, tuple(sorted(kwargs.items())), *request_parts(request))
            value = cached("page", parts, topics, build)
            if live:  # built by this request: its own response
                return live[0]
            content_type, body = cast(tuple[str, bytes], value)  # None is never kept
            return HttpResponse(body, content_type=content_type)

        return wrapper

    return decorate
