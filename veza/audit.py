"""Who changed what: the acting user and client IP for the audit triggers.

The ``audit_logs`` triggers run inside PostgreSQL and cannot see Django's
user, so each request stores them in the connection's ``veza.actor_id`` and
``veza.client_ip`` settings, which the triggers read with
``current_setting(..., true)``. Session and JWT authentication both end up
calling :func:`set_actor`; the settings are cleared when the request ends so a
pooled connection never carries them over.
"""

from __future__ import annotations

import ipaddress

from django.db import connection


def client_ip(request) -> str | None:
    """The client address: ``REMOTE_ADDR`` (set by the ASGI server, or by the proxy config)."""
    address = request.META.get("REMOTE_ADDR") or ""
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


def set_actor(user_id: int | None, ip: str | None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT set_config('veza.actor_id', %s, false), set_config('veza.client_ip', %s, false)",
            [str(user_id) if user_id else "", ip or ""],
        )


def clear_actor() -> None:
    set_actor(None, None)


class AuditContextMiddleware:
    """Tag the request's database changes with the acting user and IP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        ip = client_ip(request)
        request.audit_ip = ip
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        set_actor(user_id, ip)
        try:
            return self.get_response(request)
        finally:
            clear_actor()
