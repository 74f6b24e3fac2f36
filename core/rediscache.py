"""The Redis client behind Django's default cache (django-redis), for the commands the cache API lacks:
scripts, pipelines, sorted sets, values stored as they are. Keys are made with ``cache.make_key``, so
they share the cache's prefix and version."""

from __future__ import annotations

from django.core.cache import caches


def client():
    """The raw ``redis.Redis`` client of the default cache (its primary, for writes and reads)."""
    return caches["default"].client.get_client(write=True)  # type: ignore[attr-defined]  # django-redis's cache
