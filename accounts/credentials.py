"""Credentials of live connections (sockets): what keeps one authenticated, and revoking them everywhere.

A socket is authenticated when it opens, by a session cookie or by an access token, and it stays
authenticated only while all of this holds:

- its user exists and is active;
- session: the session still exists, belongs to the user and carries the hash of the user's current
  password (changing the password ends every other session, as it does for pages);
- access token: the token (or the last one the client sent in-band) has not expired and was issued for
  the user's current password (``CHECK_REVOKE_TOKEN``);
- the user's credentials were not revoked since it opened.

A revocation (password change, deactivation, "log out everywhere", reuse of a rotated refresh token,
deletion) is recorded once its transaction commits, as a marker per user in Redis, shared by every
process and host, and announced with the :data:`credentials_revoked` signal, on which the sockets'
app closes them at once. :func:`still_valid` checks many sockets in one query and two Redis reads, so
that each server process can re-check all of its sockets every few seconds: a missed announcement
still ends them. An access token issued before a revocation (in an earlier second) opens no socket.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import import_module

from django.conf import settings
from django.contrib.auth import HASH_SESSION_KEY, SESSION_KEY
from django.core.cache import cache, caches
from django.db import connection, transaction
from django.dispatch import Signal
from django.utils.crypto import constant_time_compare
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.settings import api_settings as jwt_settings
from rest_framework_simplejwt.tokens import AccessToken
from rest_framework_simplejwt.utils import get_md5_hash_password

from accounts.models import User
from core import rediscache

logger = logging.getLogger(__name__)

# Sent (with ``user_id``) once a revocation has committed and its marker is written.
credentials_revoked = Signal()

# How long a marker is kept: longer than any access token lives, so an older token never opens a socket.
MARKER_SECONDS = 24 * 3600


def _marker_key(user_id: int) -> str:
    return f"credentials-revoked:{user_id}"


def _marker_time(marker: str | None) -> float:
    return float(marker.split(":", 1)[0]) if marker else 0.0


def revocation_marker(user_id: int) -> str | None:
    """The user's latest revocation (``"<unix time>:<random>"``), or None when none is remembered."""
    return cache.get(_marker_key(user_id))


def credentials_revoke(*, user_id: int) -> None:
    """End every live connection of the user, in every process, once the current transaction commits."""

    def record() -> None:
        try:
            cache.set(_marker_key(user_id), f"{time.time():.6f}:{uuid.uuid4().hex}", timeout=MARKER_SECONDS)
        except Exception as exc:  # Redis unreachable: its sockets are closed anyway while it is (realtime.hub)
            logger.warning("credentials revocation of user %s not recorded: %s", user_id, exc)
        credentials_revoked.send(sender=User, user_id=user_id)

    transaction.on_commit(record)


@dataclass(frozen=True)
class Credential:
    """How a socket authenticated: a session, or an access token (its expiry and password digest)."""

    user_id: int
    marker: str | None  # the revocation marker when it authenticated
    session_key: str | None = None
    expires_at: float | None = None
    password_digest: str | None = None


def session_credential(user: User, session_key: str | None) -> Credential | None:
    """The credential of a socket opened with the session ``session_key`` of ``user``, if still valid."""
    if not session_key or user is None or not user.is_authenticated:
        return None
    credential = Credential(user_id=user.pk, marker=revocation_marker(user.pk), session_key=session_key)
    return credential if still_valid([credential])[0] else None


def socket_credential(user: User | None, session, token: str) -> tuple[User, Credential] | None:
    """A socket's user and credential: its session's user, else its ``?token=``'s; None if neither holds.

    ``user`` and ``session`` are the socket scope's (``realtime.auth`` calls this when a socket opens).
    """
    if user is not None and user.is_authenticated:
        credential = session_credential(user, session.session_key if session is not None else None)
        return (user, credential) if credential is not None else None
    if token:
        return token_credential(token)
    return None


def token_credential(raw: str) -> tuple[User, Credential] | None:
    """The user and credential of a valid access token; None for an invalid, expired or revoked one."""
    try:
        token = AccessToken(raw)
        user_id = int(token[jwt_settings.USER_ID_CLAIM])
        expires_at, issued_at = float(token["exp"]), float(token.get("iat", 0))
    except (TokenError, KeyError, TypeError, ValueError, OverflowError):
        return None
    marker = revocation_marker(user_id)
    if issued_at < int(_marker_time(marker)):  # issued in a second before the latest revocation
        return None
    credential = Credential(
        user_id=user_id,
        marker=marker,
        expires_at=expires_at,
        password_digest=token.get(jwt_settings.REVOKE_TOKEN_CLAIM),
    )
    if not still_valid([credential])[0]:
        return None
    return User.objects.get(pk=user_id), credential


def _sessions(keys: set[str]) -> dict[str, dict | None]:
    """The data of each session (None when it no longer exists), in one read with a cache engine."""
    engine = import_module(settings.SESSION_ENGINE)
    if settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache":
        prefix = engine.SessionStore.cache_key_prefix
        found = caches[settings.SESSION_CACHE_ALIAS].get_many([prefix + key for key in keys])
        return {key: found.get(prefix + key) for key in keys}
    return {key: engine.SessionStore(session_key=key).load() or None for key in keys}


def _session_matches(user: User, data: dict | None) -> bool:
    if not data or str(data.get(SESSION_KEY)) != str(user.pk):
        return False
    given = data.get(HASH_SESSION_KEY)
    if not given:
        return False
    hashes = [user.get_session_auth_hash(), *user.get_session_auth_fallback_hash()]
    return any(constant_time_compare(given, expected) for expected in hashes)


def still_valid(credentials: Sequence[Credential], *, now: float | None = None) -> list[bool]:
    """Whether each credential still authenticates its socket (one query and two Redis reads in all).

    A process re-checks all of its sockets every few seconds (``realtime.hub``), ten thousand of them
    or more: the accounts are read as plain rows, each password digest is computed once per account.
    """
    now = time.time() if now is None else now
    user_ids = sorted({credential.user_id for credential in credentials})
    accounts = _accounts(user_ids)
    markers = _markers(user_ids)
    sessions = _sessions({c.session_key for c in credentials if c.session_key})
    digests: dict[int, str] = {}
    answers = []
    for credential in credentials:
        account = accounts.get(credential.user_id)
        marker = markers.get(credential.user_id)
        valid = account is not None and account[1] and (marker is None or marker == credential.marker)
        if valid and credential.session_key:
            user = User(pk=credential.user_id, password=account[0])  # what the session's hash is made from
            valid = _session_matches(user, sessions.get(credential.session_key))
        elif valid:
            if jwt_settings.CHECK_REVOKE_TOKEN and credential.user_id not in digests:
                digests[credential.user_id] = get_md5_hash_password(account[0])
            valid = (
                credential.expires_at is not None
                and now < credential.expires_at
                and (not jwt_settings.CHECK_REVOKE_TOKEN or credential.password_digest == digests[credential.user_id])
            )
        answers.append(valid)
    return answers


def _accounts(user_ids: list[int]) -> dict[int, tuple[str, bool]]:
    """Each existing account's password hash and whether it is active, in one query (an array parameter)."""
    if not user_ids:
        return {}
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, password_hash, is_active FROM users WHERE id = ANY(%s)", [user_ids])
        return {user_id: (password, active) for user_id, password, active in cursor.fetchall()}


def _markers(user_ids: list[int]) -> dict[int, str]:
    """Each user's latest revocation marker, when one is remembered, in one ``MGET``."""
    if not user_ids:
        return {}
    backend = caches["default"]  # the backend itself: ``cache`` is a proxy that looks it up on every use
    values = rediscache.client().mget([backend.make_key(_marker_key(user_id)) for user_id in user_ids])
    decode = backend.client.decode  # type: ignore[attr-defined]  # django-redis's: values as ``cache.set`` wrote them
    return {user_id: decode(value) for user_id, value in zip(user_ids, values, strict=True) if value is not None}
