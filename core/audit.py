"""Who changed what: the acting user and client IP for the audit triggers.

The ``audit_logs`` triggers run inside PostgreSQL and cannot see Django's user. During a request,
:class:`AuditContextMiddleware` watches the queries of the request's database connection: right before
each write (INSERT, UPDATE, DELETE) it stores the acting user's id and the client IP in the settings
``veza.actor_id`` and ``veza.client_ip``, which the triggers read with ``current_setting(..., true)``.

- The settings are transaction-local (``set_config(..., true)``) and sent with the write in one simple
  query (one round trip): its statements share the current transaction, or an implicit one of their
  own in autocommit mode, so the settings vanish at its end and a pooled connection never carries them
  to another request. Where one query cannot carry both (``executemany``, a query without parameters,
  a cursor binding its parameters on the server), the settings go first: transaction-local inside a
  transaction, and in autocommit mode set before the write and reset right after.
- The user is read when the write happens, so users authenticated inside the view (DRF with a JWT)
  are recorded as well as session users. Reads cost nothing extra.

Work outside a request (a socket frame, a command) names its actor with :func:`acting_as`.
"""

from __future__ import annotations

import ipaddress
from contextlib import contextmanager

from django.db import connection
from psycopg import ClientCursor

WRITES = ("insert", "update", "delete")
SET_SQL = "SELECT set_config('veza.actor_id', %s, {local}), set_config('veza.client_ip', %s, {local})"


def client_ip(request) -> str | None:
    """The client address: ``REMOTE_ADDR`` (set by the ASGI server, or by the proxy config)."""
    address = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def _actor_id(request) -> str:
    user = getattr(request, "user", None)
    return str(user.pk) if user is not None and user.is_authenticated else ""


class _ActorTagger:
    """A database execute wrapper that tags each write with the request's actor and IP."""

    def __init__(self, request):
        self.request = request
        self.ip = client_ip(request) or ""
        self.busy = False

    def values(self) -> list[str]:
        return [_actor_id(self.request), self.ip]

    def __call__(self, execute, sql, params, many, context):
        if self.busy or not sql.lstrip().lower().startswith(WRITES):
            return execute(sql, params, many, context)
        self.busy = True  # resolving the user may itself query the database
        try:
            values = self.values()
        finally:
            self.busy = False
        cursor = context["cursor"]
        if not many and isinstance(params, (list, tuple)) and isinstance(cursor.cursor, ClientCursor):
            # One round trip: the settings and the write in one simple query. Its statements share one
            # transaction (the current one, or their own implicit one), so transaction-local settings
            # hold for the write and vanish at its end, and nothing needs resetting.
            result = execute(f"{SET_SQL.format(local='true')}; {sql}", [*values, *params], many, context)
            cursor.nextset()  # the write's result (RETURNING rows, row count), as the caller expects
            return result
        if context["connection"].in_atomic_block:
            cursor.execute(SET_SQL.format(local="true"), values)
            return execute(sql, params, many, context)
        cursor.execute(SET_SQL.format(local="false"), values)
        try:
            return execute(sql, params, many, context)
        finally:
            cursor.execute(SET_SQL.format(local="false"), ["", ""])


class _FixedActor(_ActorTagger):
    def __init__(self, user_id: int | None, ip: str | None):
        self.fixed = ["" if user_id is None else str(user_id), ip or ""]
        self.busy = False

    def values(self) -> list[str]:
        return self.fixed


@contextmanager
def acting_as(user, ip: str | None = None):
    """Record ``user`` (a user, an id or None) and ``ip`` as the actor of the writes made inside the block,
    on this thread's connection: for work outside an HTTP request (a socket frame, a command). The
    actor is forgotten when the block ends, even inside a transaction that goes on."""
    user_id = getattr(user, "pk", user)
    with connection.execute_wrapper(_FixedActor(user_id, ip)):
        yield
    if connection.in_atomic_block:  # the transaction goes on: later writes are not this actor's
        with connection.cursor() as cursor:
            cursor.execute(SET_SQL.format(local="true"), ["", ""])


class AuditContextMiddleware:
    """Tag the request's database writes with the acting user and client IP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with connection.execute_wrapper(_ActorTagger(request)):
            return self.get_response(request)
