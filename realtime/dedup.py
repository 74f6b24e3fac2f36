"""Idempotent sends: a retry with the same ``client_id`` within 10 minutes is stored and broadcast once."""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from contextlib import suppress
from typing import TypeVar

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Model

from core import rediscache
from realtime.transport import REDIS_ERRORS

logger = logging.getLogger(__name__)

WINDOW = 600
CLIENT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,64}")
T = TypeVar("T", bound=Model)


def check_client_id(client_id: str | None) -> str | None:
    if client_id in (None, ""):
        return None
    if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
        raise ValidationError({"client_id": ["Up to 64 letters, digits and _ . : - characters."]})
    return client_id


def once(scope: str, user_id: int, client_id: str | None, create: Callable[[], T], load: Callable[[int], T]) -> T:
    """Run ``create`` once per (scope, user, client_id) in the window; later calls ``load`` its result's id.

    The marks live in Redis (plain values set with the cache's client, one command each: ``pending``,
    then the id): while it is unreachable, ``create`` runs without de-duplication (a send is never
    refused for it), and a warning is logged.
    """
    if client_id is None:
        return create()
    digest = hashlib.sha256(f"{scope}:{user_id}:{client_id}".encode()).hexdigest()[:40]
    key = cache.make_key("dedup:" + digest)
    try:
        redis = rediscache.client()
        first = redis.set(key, PENDING, nx=True, ex=WINDOW)
    except REDIS_ERRORS as exc:
        logger.warning("client_id not checked, Redis is unreachable: %s", exc)
        return create()
    if first:
        try:
            result = create()
        except BaseException:
            with suppress(*REDIS_ERRORS):
                redis.delete(key)
            raise
        with suppress(*REDIS_ERRORS):  # failing, the mark stays pending: retries are refused, never stored twice
            redis.set(key, result.pk, ex=WINDOW)
        return result
    deadline = time.monotonic() + 5
    while True:
        try:
            value = redis.get(key)
        except REDIS_ERRORS:
            value = PENDING
        if value is None:  # the first attempt failed: this one may try
            return once(scope, user_id, client_id, create, load)
        if value != PENDING:
            return load(int(value))
        if time.monotonic() > deadline:
            raise ValidationError({"client_id": ["A message with this client_id is still being sent."]})
        time.sleep(0.05)


PENDING = b"pending"
