"""How sockets authenticate: the accounts app registers its credential checks here when it is ready.

realtime keeps a socket's credential without looking inside it. The registered functions decide:

- ``authenticate(user, session, token)``: when a socket opens, its user and credential from the
  scope's ``user`` and ``session`` (a session cookie), else from its ``?token=``; None when neither
  holds (the socket closes with 4401);
- ``still_valid(credentials)``: whether each credential still holds, for many sockets at once (each
  process's hub re-checks its sockets every ``SOCKET_CREDENTIALS_CHECK_SECONDS``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from django.core.exceptions import ImproperlyConfigured

_checks: dict[str, Callable] = {}


def register(*, authenticate: Callable[[Any, Any, str], tuple[Any, Any] | None], still_valid: Callable) -> None:
    """Use ``authenticate`` and ``still_valid`` (see the module's description) for every socket."""
    _checks.update(authenticate=authenticate, still_valid=still_valid)


def _check(name: str) -> Callable:
    try:
        return _checks[name]
    except KeyError:
        raise ImproperlyConfigured("No socket authentication is registered (realtime.auth.register).") from None


def authenticate(user, session, token: str) -> tuple[Any, Any] | None:
    """The socket's user and credential, or None: it does not authenticate."""
    return _check("authenticate")(user, session, token)


def still_valid(credentials: Sequence[Any]) -> list[bool]:
    """Whether each credential still authenticates its socket."""
    return _check("still_valid")(credentials)
