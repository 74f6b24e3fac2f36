"""PostgreSQL out of reach: 503 Service Unavailable with ``Retry-After``, never a 500, and recovery by itself.

A query that cannot reach the database raises ``OperationalError`` (or ``InterfaceError`` on a
connection that broke earlier). The API answers with the JSON error shape (``core.api``), every other
view with the plain ``503.html`` page (:class:`DatabaseUnavailableMiddleware`). The request's broken
connections are given back at once: without a pool they are closed, with one the pool drops them, and
it checks each connection before lending it (``CONN_HEALTH_CHECKS``), so the first request after
PostgreSQL is back gets a working connection without a restart.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
DETAIL = "The service is temporarily unavailable. Please try again in a moment."


def database_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError | InterfaceError)


def release_broken_connections() -> None:
    """Give back the connections that failed, so the next query connects afresh."""
    for connection in connections.all(initialized_only=True):
        connection.close_if_unusable_or_obsolete()


def database_unavailable_seen(exc: BaseException) -> None:
    logger.warning("database unavailable, answering 503: %s", exc)
    release_broken_connections()


class DatabaseUnavailableMiddleware:
    """Turn a database outage in a view into a 503 (JSON under /api/, a plain page elsewhere)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not database_unavailable(exception):
            return None
        return unavailable_response(request, exception)


def unavailable_response(request: HttpRequest, exception: BaseException) -> HttpResponse:
    """The 503 of a database outage: the JSON error shape under /api/, a plain page elsewhere."""
    from core.api import error_body  # core.api builds its own 503 from this module

    database_unavailable_seen(exception)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body("service_unavailable", DETAIL), status=503)
    else:
        # A page of its own: base.html would query the database again (the user, the menu).
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
