"""The one rule every login obeys: the login page, the API, the moderation console, and any future way in.

A login attempt names an account (a username or an email address; for a future app password or API key,
the account or key id it claims) and proves it with a secret. :func:`attempt` runs the check of the
secret under two limits kept in Redis (``core.ratelimit``), shared by every process and host:

- **per account**: ``LOGIN_FAILURES_PER_ACCOUNT`` failures within ``LOGIN_FAILURE_WINDOW`` seconds. The
  counter belongs to the account: when the identifier names a user (:func:`accounts.selectors.user_for_login`,
  the lookup the authentication backend uses), failures count against that user's id, whatever the
  spelling (``ALICE``, ``alice``, fullwidth ``alice`` (U+FF41...), the email address). Otherwise they count against
  the identifier folded as the lookup compares it (NFKC, then casefold). No spelling earns fresh guesses.
- **per client IP**: ``LOGIN_FAILURES_PER_IP`` failures within the same window, whichever accounts they named.

Once either limit is used up, every attempt (even with the right secret) is refused with
:class:`LoginThrottled` (HTTP 429 with ``Retry-After``) before the secret is checked. A success clears the
account's counter only: the IP's counter runs until its window ends, so logging in to one's own account
between guesses does not buy more guesses.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings

from accounts import selectors
from accounts.models import User
from core import ratelimit
from core.errors import Throttled

logger = logging.getLogger(__name__)

ACCOUNT_SCOPE = "login-account"
IP_SCOPE = "login-ip"


class LoginThrottled(Throttled):
    what = "failed logins"


class InvalidCredentials(Exception):
    """Unknown account, wrong secret or inactive account: one answer for all three."""

    message = "Unable to log in with the given username and password."


def account_key(identifier: str) -> str:
    """The per-account counter of ``identifier``: its user's id when it names one, else its folded form."""
    user = selectors.user_for_login(identifier)
    return f"user:{user.pk}" if user is not None else f"name:{selectors.fold(identifier)}"


def wait_for(*, account: str, ip: str | None) -> int | None:
    """Seconds to wait before ``account`` (an :func:`account_key`) or ``ip`` may try again, else None."""
    waits = [ratelimit.retry_after(ACCOUNT_SCOPE, account, limit=settings.LOGIN_FAILURES_PER_ACCOUNT)]
    if ip:
        waits.append(ratelimit.retry_after(IP_SCOPE, ip, limit=settings.LOGIN_FAILURES_PER_IP))
    return max((wait for wait in waits if wait), default=None)


def record_failure(*, account: str, ip: str | None) -> None:
    """Count one failed attempt against ``account`` (an :func:`account_key`) and ``ip``."""
    window = settings.LOGIN_FAILURE_WINDOW
    ratelimit.hit(ACCOUNT_SCOPE, account, window=window)
    if ip:
        ratelimit.hit(IP_SCOPE, ip, window=window)


def attempt(*, identifier: str, ip: str | None, check: Callable[[], User | None]) -> User:
    """Run one login attempt under the shared limits; return the user ``check`` accepted.

    ``check`` verifies the secret (a password through ``django.contrib.auth.authenticate``; tomorrow an
    app password or an API key) and returns the active user, or None. Raises :class:`LoginThrottled`
    without calling ``check`` when a limit is used up, :class:`InvalidCredentials` when ``check`` refuses.
    """
    account = account_key(identifier)
    wait = wait_for(account=account, ip=ip)
    if wait:
        raise LoginThrottled(wait)
    user = check()
    if user is None:
        record_failure(account=account, ip=ip)
        logger.info("failed login", extra={"ip": ip})
        raise InvalidCredentials(InvalidCredentials.message)
    ratelimit.reset(ACCOUNT_SCOPE, f"user:{user.pk}")
    return user


def prove(*, user: User, ip: str | None, check: Callable[[], bool]) -> None:
    """Run a signed-in user's proof of a secret (the current password, before changing it) under the same
    limits as a login: the guesses count against the account and the client IP, whichever way they came.

    Raises :class:`LoginThrottled` without calling ``check`` when a limit is used up, and
    :class:`InvalidCredentials` when ``check`` refuses.
    """
    attempt(identifier=user.username, ip=ip, check=lambda: user if check() else None)
