"""Request bodies over the limit are refused before they are read (HTTP 413).

Django's ASGI handler reads the whole body before it builds the request, spooling anything past
``FILE_UPLOAD_MAX_MEMORY_SIZE`` to a temporary file: a size check in a view comes too late. The guard
here wraps the HTTP application (``veza.asgi``) and acts first:

- a ``Content-Length`` over the limit is answered 413 at once, from the headers alone; not a byte
  of the body is read and the connection is closed after the answer;
- a body without ``Content-Length`` (chunked) is counted as it arrives; the chunk that passes the
  limit is never handed to Django, which sees the client disconnect, and the client gets the 413.

The limit is ``REQUEST_MAX_BYTES`` on every route, and a larger one on the routes that take uploads
(:data:`UPLOAD_ROUTES`): ``UPLOAD_REQUEST_MAX_BYTES`` for audio, ``AVATAR_REQUEST_MAX_BYTES`` for avatars.
The 413 body is the JSON error shape under ``/api/`` and a plain page elsewhere.

:class:`WsgiBodyLimit` applies the ``Content-Length`` rule under WSGI (where Django reads no body
without a ``Content-Length``); production serves ASGI (``veza.asgi``).
"""

from __future__ import annotations

import json
from html import escape

from django.conf import settings
from django.urls import resolve

from core.api import error_body

# URL names of the routes that take an upload, with the setting that holds their limit.
UPLOAD_ROUTES = {
    "api-media:file-list": "UPLOAD_REQUEST_MAX_BYTES",
    "api-catalog:track-list": "UPLOAD_REQUEST_MAX_BYTES",
    "catalog:upload": "UPLOAD_REQUEST_MAX_BYTES",
    "api-accounts:user-me-avatar": "AVATAR_REQUEST_MAX_BYTES",
    "accounts:profile-edit": "AVATAR_REQUEST_MAX_BYTES",
}
UPLOAD_METHODS = frozenset({"POST", "PUT", "PATCH"})


def limit_for(method: str, path: str) -> int:
    """The largest body, in bytes, that ``method`` on ``path`` accepts."""
    default = settings.REQUEST_MAX_BYTES
    if method not in UPLOAD_METHODS:
        return default
    try:
        view_name = resolve(path).view_name
    except Exception:  # no such route (Resolver404), or a path none can take (NUL, lone surrogates): Django answers
        return default
    setting = UPLOAD_ROUTES.get(view_name)
    return max(default, getattr(settings, setting)) if setting else default


def _megabytes(limit: int) -> str:
    return f"{limit / 1_000_000:.1f}".removesuffix(".0")


def refusal(path: str, limit: int) -> tuple[bytes, bytes]:
    """The 413 body for ``path`` and its content type."""
    detail = f"The request body is larger than the limit of {_megabytes(limit)} MB."
    if path.startswith("/api/"):
        return json.dumps(error_body("too_large", detail)).encode(), b"application/json"
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Request too large</title></head>'
        f"<body><h1>Request too large</h1><p>{escape(detail)}</p></body></html>"
    )
    return page.encode(), b"text/html; charset=utf-8"


def declared_length(headers) -> int | None:
    """The ``Content-Length`` of ASGI ``headers``; None when absent or not a number."""
    for name, value in headers:
        if name.lower() == b"content-length":
            value = value.strip()
            return int(value) if value.isdigit() else None
    return None


class BodyLimit:
    """ASGI middleware: 413 for a body over its route's limit, before the application reads it."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        limit = limit_for(scope.get("method", "GET"), path)
        length = declared_length(scope.get("headers", ()))
        if length is not None and length > limit:
            return await self._refuse(send, path, limit)

        received = 0
        refused = False
        started = False

        async def guarded_receive():
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # The application never sees this chunk: to it the client went away.
                    refused = True
                    if not started:
                        await self._refuse(send, path, limit)
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message):
            nonlocal started
            if refused and not started:
                return  # the 413 is the answer
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, guarded_receive, guarded_send)

    @staticmethod
    async def _refuse(send, path: str, limit: int) -> None:
        body, content_type = refusal(path, limit)
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", content_type),
                    (b"content-length", str(len(body)).encode()),
                    # The unread body must not be taken for the next request on this connection.
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class WsgiBodyLimit:
    """WSGI middleware: 413 for a ``Content-Length`` over its route's limit, before the body is read."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        limit = limit_for(environ.get("REQUEST_METHOD", "GET"), path)
        value = (environ.get("CONTENT_LENGTH") or "").strip()
        if value.isdigit() and int(value) > limit:
            body, content_type = refusal(path, limit)
            start_response(
                "413 Content Too Large",
                [("Content-Type", content_type.decode()), ("Content-Length", str(len(body)))],
            )
            return [body]
        return self.app(environ, start_response)
