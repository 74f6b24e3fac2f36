"""The origin check of WebSocket handshakes: scheme, host and port, as browsers define an origin.

A browser sends the page's origin with every handshake, and a page of another site can open a socket
to Veza carrying the visitor's session cookie: only Veza's own pages may. The ``Origin`` header is
accepted when its scheme, host and port are those of:

- the request itself: its ``Host`` header (which must be in ``ALLOWED_HOSTS``) and its scheme (``wss``
  is ``https``; behind a proxy, ``SECURE_PROXY_SSL_HEADER`` says so, as for HTTP requests);
- or one of the configured origins: ``SITE_URL`` and ``CSRF_TRUSTED_ORIGINS`` (where
  ``https://*.example.org`` stands for the subdomains of example.org).

Anything else (another scheme, host or port, ``null``, no ``Origin`` at all, a malformed one) is refused
before the handshake completes (HTTP 403).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from channels.security.websocket import WebsocketDenier
from django.conf import settings
from django.http.request import split_domain_port, validate_host

DEFAULT_PORTS = {"http": 80, "https": 443}
Origin = tuple[str, str, int]


def parse_origin(value: str) -> Origin | None:
    """``(scheme, host, port)`` of an origin or URL (the port made explicit), or None when malformed."""
    try:
        parts = urlsplit(value.strip())
        scheme, host, port = parts.scheme.lower(), (parts.hostname or "").lower(), parts.port
    except ValueError:  # a port that is not a number, or out of range
        return None
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return scheme, host, port or DEFAULT_PORTS[scheme]


def _header(scope, name: bytes) -> str | None:
    values = [value for key, value in scope.get("headers", ()) if key.lower() == name]
    if len(values) != 1:  # missing, or sent twice: refuse rather than guess which one counts
        return None
    try:
        return values[0].decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes any byte
        return None


def _allowed_hosts() -> list[str]:
    hosts = settings.ALLOWED_HOSTS
    if settings.DEBUG and not hosts:  # what Django itself accepts in that case
        return [".localhost", "127.0.0.1", "[::1]"]
    return hosts


def _is_secure(scope) -> bool:
    if scope.get("scheme") in ("wss", "https"):
        return True
    proxy = getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
    if proxy:
        header, expected = proxy
        name = header.removeprefix("HTTP_").replace("_", "-").lower().encode()
        given = _header(scope, name)
        return given is not None and given.split(",", 1)[0].strip() == expected
    return False


def own_origin(scope) -> Origin | None:
    """The origin the request was made to: its scheme, and its ``Host`` if that host is allowed."""
    host = _header(scope, b"host")
    if not host:
        return None
    domain, _port = split_domain_port(host)
    if not domain or not validate_host(domain, _allowed_hosts()):
        return None
    scheme = "https" if _is_secure(scope) else "http"
    return parse_origin(f"{scheme}://{host}")


def _matches_trusted(origin: Origin, pattern: str) -> bool:
    scheme, host, port = origin
    wildcard = "://*." in pattern
    trusted = parse_origin(pattern.replace("://*.", "://", 1) if wildcard else pattern)
    if trusted is None or (trusted[0], trusted[2]) != (scheme, port):
        return False
    return host == trusted[1] or (wildcard and host.endswith("." + trusted[1]))


def origin_allowed(scope) -> bool:
    """Whether the handshake's ``Origin`` is the site's own (see the module's docstring)."""
    given = _header(scope, b"origin")
    origin = parse_origin(given) if given else None
    if origin is None:
        return False
    if origin == own_origin(scope):
        return True
    trusted = [settings.SITE_URL, *settings.CSRF_TRUSTED_ORIGINS]
    return any(_matches_trusted(origin, pattern) for pattern in trusted if pattern)


class SameOriginValidator:
    """ASGI middleware: WebSocket handshakes from another origin are refused (403) before the app runs."""

    def __init__(self, application):
        self.application = application

    async def __call__(self, scope, receive, send):
        if scope["type"] == "websocket" and not origin_allowed(scope):
            return await WebsocketDenier()(scope, receive, send)
        return await self.application(scope, receive, send)
