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

from realtime.hooks import Hooks

_checks = Hooks("socket authentication", "realtime.auth.register")


def register(*, authenticate: Callable[[Any, Any, str], tuple[Any, Any] | None], still_valid: Callable) -> None:
    """Use ``authenticate`` and ``still_valid`` (see the module's description) for every socket."""
    _checks.provide(authenticate=authenticate, still_valid=still_valid)


def authenticate(user, session, token: str) -> tuple[Any, Any] | None:
    """The socket's user and credential, or None: it does not authenticate."""
    return _checks["authenticate"](user, session, token)


def still_valid(credentials: Sequence[Any]) -> list[bool]:
    """Whether each credential still authenticates its socket."""
    return _checks["still_valid"](credentials)
