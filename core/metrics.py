"""Prometheus metrics of Veza, served at ``/metrics`` (see docs/operations.md).

One server process: the metrics live in prometheus_client's default registry. Several worker processes
(``uvicorn --workers N``, gunicorn): start them with ``PROMETHEUS_MULTIPROC_DIR`` set to an empty folder
that the workers can write to; each process then keeps its values in files there, and whichever worker
answers a scrape adds up every process's values (``prometheus_client.multiprocess``). prometheus_client
reads that variable when it is imported, so it must be in the environment of the server, not in ``.env``.
"""

from __future__ import annotations

import hmac
import ipaddress
import os

from django.db import transaction
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

from core.audit import client_ip

HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})

HTTP_REQUESTS = Counter(
    "veza_http_requests",
    "HTTP requests answered, by method, route (URL pattern) and status code.",
    ["method", "route", "status"],
)
HTTP_REQUEST_DURATION = Histogram(
    "veza_http_request_duration_seconds",
    "Time from receiving an HTTP request to having its response, by method and route (URL pattern).",
    ["method", "route"],
)
WEBSOCKET_CONNECTIONS = Gauge(
    "veza_websocket_connections",
    "Open authenticated WebSocket connections.",
    # Several workers: the sum over the live processes (a dead worker's sockets are gone with it).
    multiprocess_mode="livesum",
)
CHAT_MESSAGES_SENT = Counter(
    "veza_chat_messages_sent",
    "Chat messages stored, by kind: room or direct.",
    ["kind"],
)


def route_of(request) -> str:
    """The URL pattern that answered ``request`` (``/api/v1/rooms/<int:pk>/``), never the raw path.

    Labels stay few whatever the clients ask for: static files count as ``static``, and paths that
    match no pattern as ``unmatched``.
    """
    from django.conf import settings

    match = getattr(request, "resolver_match", None)
    if match is not None:
        return "/" + match.route
    if settings.STATIC_URL and request.path.startswith(settings.STATIC_URL):
        return "static"
    return "unmatched"


def observe_request(request, response, seconds: float) -> None:
    """Count one answered HTTP request and record how long it took."""
    observe(request.method, route_of(request), response.status_code, seconds)


def observe(method: str, route: str, status: int, seconds: float) -> None:
    """Count one HTTP request answered with ``status`` on ``route`` (a URL pattern) after ``seconds``."""
    method = method if method in HTTP_METHODS else "other"
    HTTP_REQUESTS.labels(method, route, str(status)).inc()
    HTTP_REQUEST_DURATION.labels(method, route).observe(seconds)


def chat_message_sent(kind: str) -> None:
    """Count one chat message of ``kind`` (``room`` or ``direct``) once the current transaction commits."""
    transaction.on_commit(CHAT_MESSAGES_SENT.labels(kind).inc)


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def exposition() -> tuple[bytes, str]:
    """The metrics in Prometheus' text format, with their content type; every worker's in multiprocess mode."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry), CONTENT_TYPE_LATEST
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def scrape_allowed(request) -> bool:
    """Whether ``request`` may read ``/metrics``.

    ``METRICS_ENABLED`` off: nobody. Otherwise a client whose address is in ``METRICS_ALLOWED_IPS``
    (addresses or networks), or one sending ``Authorization: Bearer <METRICS_TOKEN>`` when a token is set.
    """
    from django.conf import settings

    if not settings.METRICS_ENABLED:
        return False
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode()):
            return True
    address = client_ip(request)
    if address is None:
        return False
    ip = ipaddress.ip_address(address)
    return any(ip in ipaddress.ip_network(network, strict=False) for network in settings.METRICS_ALLOWED_IPS)
