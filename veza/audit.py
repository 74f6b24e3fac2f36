"""Who changed what: the acting user and client IP for the audit triggers.

The ``audit_logs`` triggers run inside PostgreSQL and cannot see Django's user. During a request,
:class:`AuditContextMiddleware` watches the queries of the request's database connection: right before
each write (INSERT, UPDATE, DELETE) it stores the acting user's id and the client IP in the settings
``veza.actor_id`` and ``veza.client_ip``, which the triggers read with ``current_setting(..., true)``.

- Inside a transaction the settings are transaction-local (``set_config(..., true)``): they vanish at
  commit or rollback, so a pooled connection never carries them to another request.
- A write in autocommit mode is bracketed: set before, reset right after.
- The user is read when the write happens, so users authenticated inside the view (DRF with a JWT)
  are recorded as well as session users. Reads cost nothing extra.
"""

from __future__ import annotations

import ipaddress

from django.db import connection

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

    def __call__(self, execute, sql, params, many, context):
        if self.busy or not sql.lstrip().lower().startswith(WRITES):
            return execute(sql, params, many, context)
        self.busy = True  # resolving the user may itself query the database
        try:
            values = [_actor_id(self.request), self.ip]
        finally:
            self.busy = False
        cursor = context["cursor"]
        if context["connection"].in_atomic_block:
            cursor.execute(SET_SQL.format(local="true"), values)
            return execute(sql, params, many, context)
        cursor.execute(SET_SQL.format(local="false"), values)
        try:
            return execute(sql, params, many, context)
        finally:
            cursor.execute(SET_SQL.format(local="false"), ["", ""])


class AuditContextMiddleware:
    """Tag the request's database writes with the acting user and client IP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with connection.execute_wrapper(_ActorTagger(request)):
            return self.get_response(request)
