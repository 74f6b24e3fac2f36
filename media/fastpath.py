"""The lean path of stream requests: answered in front of Django, with the same access rules.

A player asks for many ranges of the same track, and each went through Django's whole middleware stack
and an access query. :class:`StreamFastPath` wraps the ASGI application (``veza.asgi``) and answers
the stream requests whose answer it can give exactly as Django would, from a short-lived decision:

- a signed URL, ``/media/<path>?expires=&signature=``, whoever asks: a valid, unexpired signature of a
  file nobody hid (the file or one of its tracks);
- ``/media/<path>`` without a query, of a public file nobody hid (everyone may hear it);
- ``/api/v1/tracks/<id>/stream`` without credentials, of a public track nobody hid (nor its file).

The decision about a file or a track (it exists, is public, is hidden) is read from the database once
per ``STREAM_ACCESS_SECONDS`` (at most 5) and process, so a track hidden by moderation, made private or
deleted stops playing within that window, even through a URL issued before; the signature and its
expiry are checked on every request. Everything else goes to Django untouched: other methods and
routes, credentials (``Authorization``), any query beyond a signature, a ``Host`` Django refuses,
plain HTTP when HTTPS is required, a denied or unsure decision (the 403 and 404 bodies are Django's),
a ``Range`` past the end (416), a stored object that is missing or of another size (404, 503).

What the lean path answers carries the headers Django's answer would (the same security headers,
Content-Security-Policy and ``X-Frame-Options`` as the middleware adds, validators, ``Vary``), is
counted in ``veza_http_requests_total`` under the same route, and is in the server's access log. The
bytes go out with the server's zero-copy extension when it offers one (``http.response.zerocopysend``),
otherwise in chunks read from the page cache without a thread hop when they are there (``RWF_NOWAIT``)
and in a worker thread when they are not. ``MEDIA_SERVE=accel`` answers with ``X-Accel-Redirect``.

:func:`access` is nginx's question (``auth_request``, docs/operations.md): may this signed URL play?
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from time import perf_counter
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.handlers.asgi import ASGIRequest
from django.utils.http import http_date

from core import metrics
from core.db import release_connections
from media import selectors, streaming
from media.headers import site_headers
from media.selectors import StreamState

# The longest a decision may be reused: a hidden, private or deleted track stops playing within it.
MAX_ACCESS_SECONDS = 5.0
DECISIONS_MAX = 10_000
STORED_PATH = r"(?:audio|image)/[A-Za-z0-9_-][A-Za-z0-9._-]*"
MEDIA = re.compile(rf"/media/({STORED_PATH})")
SIGNED_QUERY = re.compile(r"expires=([0-9]{1,12})(?:&scope=(public))?&signature=([0-9a-f]{64})")
MEDIA_ROUTE = "/media/<path:path>"
ACCESS_PATH = "/internal/stream-access"


@dataclass(frozen=True)
class Plan:
    """How one request is decided: the decision's cache ``key``, how to ``load`` it (synchronous, in a
    worker thread), whether the loaded state ``admits`` the request, its metrics ``route`` and the
    headers Django's view would add to this route's answer (``Vary``, ``Allow``)."""

    key: tuple
    load: Callable[[], StreamState | None]
    admits: Callable[[StreamState], bool]
    route: str
    headers: tuple[tuple[bytes, bytes], ...] = ()


@dataclass(frozen=True)
class Ask:
    """The parts of an HTTP request a route looks at: ``path``, raw ``query`` and lower-cased header names."""

    method: str
    path: str
    query: str
    headers: dict[bytes, bytes]


Route = Callable[[Ask], Plan | None]


def signed(ask: Ask) -> tuple[str, str, str, str | None] | None:
    """(stored path, expires, signature, scope) of a signed media URL exactly as Veza issues it, else None."""
    match = MEDIA.fullmatch(ask.path)
    query = SIGNED_QUERY.fullmatch(ask.query) if match else None
    if match is None or query is None:
        return None
    return match.group(1), query.group(1), query.group(3), query.group(2)


def signed_plan(url: tuple[str, str, str, str | None], route: str) -> Plan:
    """How a valid signed URL is decided: the file nobody hid (and still public, for a public link)."""
    path = url[0]
    return Plan(("file", path), lambda: selectors.file_stream_state(path), _public if url[3] else _not_hidden, route)


def media_route(ask: Ask) -> Plan | None:
    """``/media/<path>``: a signed URL (any holder), or no query at all (public files)."""
    if ask.query:
        url = signed(ask)
        if url is None or not streaming.signature_valid(*url):
            return None  # Django answers: 403 for a bad or expired signature, its parsing of other queries
        return signed_plan(url, MEDIA_ROUTE)
    match = MEDIA.fullmatch(ask.path)
    if match is None:
        return None
    path = match.group(1)
    # Django's view reads the visitor (its session) to decide: its answer varies with the cookie.
    return Plan(
        ("file", path), lambda: selectors.file_stream_state(path), _public, MEDIA_ROUTE, ((b"vary", b"Cookie"),)
    )


def _not_hidden(state: StreamState) -> bool:
    return not state.hidden


def _public(state: StreamState) -> bool:
    return state.is_public and not state.hidden


# --- decisions -----------------------------------------------------------------------------------

_decisions: dict[tuple, tuple[float, StreamState | None]] = {}


def access_seconds() -> float:
    return min(float(settings.STREAM_ACCESS_SECONDS), MAX_ACCESS_SECONDS)


def forget_decisions() -> None:
    """Drop every cached decision of this process."""
    _decisions.clear()


async def load(plan: Plan) -> StreamState | None:
    """The state ``plan`` decides on, read from the database in a worker thread (its connection given back)."""

    def read() -> StreamState | None:
        try:
            return plan.load()
        finally:
            release_connections()

    return await sync_to_async(read, thread_sensitive=False)()


async def decided(plan: Plan) -> StreamState | None:
    """The state of ``plan``'s key, read at most once per ``STREAM_ACCESS_SECONDS`` by this process."""
    now = time.monotonic()
    cached = _decisions.get(plan.key)
    if cached is not None and cached[0] > now:
        return cached[1]
    state = await load(plan)
    seconds = access_seconds()
    if seconds > 0:
        if len(_decisions) >= DECISIONS_MAX:
            for key in [key for key, (until, _) in _decisions.items() if until <= now] or list(_decisions):
                del _decisions[key]
        _decisions[plan.key] = (now + seconds, state)
    return state


# --- the ASGI wrapper ----------------------------------------------------------------------------


def enabled() -> bool:
    """Whether the lean path may answer: on (``STREAM_FAST_PATH``), local storage, no setting it ignores."""
    return (
        settings.STREAM_FAST_PATH
        and settings.MEDIA_SERVE in ("app", "accel")
        and isinstance(default_storage, FileSystemStorage)
        and not settings.DISALLOWED_USER_AGENTS
        and not settings.PREPEND_WWW
    )


class StreamFastPath:
    """ASGI middleware: the lean answer of ``routes`` (tried in order), Django's for everything else."""

    def __init__(self, app, routes: tuple[Route, ...]):
        self.app = app
        self.routes = routes

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"] == ACCESS_PATH:
            return await access(scope, send)
        if scope["type"] == "http" and scope["method"] in ("GET", "HEAD") and enabled():
            ask = Ask(
                scope["method"],
                scope["path"],
                scope.get("query_string", b"").decode("latin-1"),
                {name.lower(): value for name, value in scope.get("headers", ())},
            )
            plan = next((plan for route in self.routes if (plan := route(ask)) is not None), None)
            if plan is not None and await self.answer(plan, ask, scope, send):
                return None
        return await self.app(scope, receive, send)

    async def answer(self, plan: Plan, ask: Ask, scope, send) -> bool:
        """Answer the request along ``plan``; False, with nothing sent, when Django must answer it."""
        started = perf_counter()
        request = ASGIRequest(scope, io.BytesIO())  # Django's own reading of the host, scheme and headers
        try:
            host = request.get_host()
        except DisallowedHost:
            return False
        secure = request.is_secure()
        if settings.SECURE_SSL_REDIRECT and not secure:
            return False
        try:
            state = await decided(plan)
        except Exception:  # the database is unreachable: Django's answer (503) and its log record
            return False
        if state is None or not plan.admits(state):
            return False
        etag = streaming.etag_for(f"{state.filename}:{state.size}")
        modified = int(state.created_at.timestamp())
        headers = [
            *site_headers(request, host, secure),
            *plan.headers,
            (b"etag", etag.encode()),
            (b"last-modified", http_date(modified).encode()),
            (b"accept-ranges", b"bytes"),
            (b"cache-control", b"private"),
        ]
        if settings.MEDIA_SERVE == "accel":
            sent = await _accel(state, headers, send)
        else:
            sent = await _send_file(request, state, etag, modified, headers, scope, send)
        if sent is not None:
            metrics.observe(ask.method, plan.route, sent, perf_counter() - started)
        return sent is not None


def _content_type(state: StreamState) -> tuple[bytes, bytes]:
    return (b"content-type", state.mime_type.encode("latin-1"))


async def _accel(state: StreamState, headers: list, send) -> int | None:
    """``X-Accel-Redirect``: nginx sends the bytes (and does the ranges)."""
    try:
        await sync_to_async(streaming.stored_size, thread_sensitive=False)(state.path)
    except streaming.StorageFault:
        return None
    location = settings.MEDIA_ACCEL_PREFIX + quote(state.path)
    headers = [_content_type(state), *headers, (b"x-accel-redirect", location.encode()), (b"content-length", b"0")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b""})
    return 200


async def _send_file(request, state: StreamState, etag: str, modified: int, headers: list, scope, send) -> int | None:
    """The object, whole or a range (200, 206) or 304; None (nothing sent) for a fault or a 416."""
    try:
        fd = os.open(default_storage.path(state.path), os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None
    try:
        if os.fstat(fd).st_size != state.size:
            return None
        if streaming.not_modified(request, etag, modified):
            await send({"type": "http.response.start", "status": 304, "headers": [*headers, (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return 304
        span = None
        if "Range" in request.headers and streaming.range_applies(request, etag, modified):
            try:
                span = streaming.parse_range(request.headers["Range"], state.size)
            except streaming.Unsatisfiable:
                return None  # Django's 416 (and its log record)
        start, end = span or (0, state.size - 1)
        length = end - start + 1
        headers = [_content_type(state), *headers, (b"content-length", str(length).encode())]
        status = 200
        if span is not None:
            status = 206
            headers.append((b"content-range", f"bytes {start}-{end}/{state.size}".encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        if request.method == "HEAD":
            await send({"type": "http.response.body", "body": b""})
        else:
            await _send_bytes(fd, start, length, scope, send)
        return status
    finally:
        os.close(fd)


async def _send_bytes(fd: int, offset: int, length: int, scope, send) -> None:
    if "http.response.zerocopysend" in scope.get("extensions", {}):
        with os.fdopen(os.dup(fd), "rb") as file:
            await send({"type": "http.response.zerocopysend", "file": file, "offset": offset, "count": length})
        return
    remaining = length
    while remaining > 0:
        data = await read_chunk(fd, offset, min(streaming.CHUNK, remaining))
        if not data:
            break  # the object shrank under us: the client sees a short body, as with Django
        offset += len(data)
        remaining -= len(data)
        await send({"type": "http.response.body", "body": data, "more_body": remaining > 0})
    if remaining > 0:
        await send({"type": "http.response.body", "body": b""})


async def read_chunk(fd: int, offset: int, size: int) -> bytes:
    """Up to ``size`` bytes at ``offset``: straight from the page cache when they are all there,
    otherwise in a worker thread (a disk read must not hold up the event loop)."""
    if NOWAIT is not None:
        buffer = bytearray(size)
        try:
            got = os.preadv(fd, [buffer], offset, NOWAIT)
        except OSError:
            got = -1  # EAGAIN: not cached; EOPNOTSUPP: this file system cannot tell
        if got == size:
            return bytes(buffer)
    return await asyncio.get_running_loop().run_in_executor(None, os.pread, fd, size, offset)


NOWAIT: int | None = getattr(os, "RWF_NOWAIT", None) if hasattr(os, "preadv") else None


# --- nginx's question ----------------------------------------------------------------------------


async def access(scope, send) -> None:
    """``GET /internal/stream-access`` with ``X-Original-URI``: 200 when that signed URL may play, 403
    otherwise (nginx then hands the request to Veza, whose answer is the usual 403 or 404).

    Always read from the database; ``X-Accel-Expires`` tells nginx how long to reuse the answer: less
    than ``STREAM_ACCESS_SECONDS`` (so hiding, making private or deleting takes effect within it; with
    the default 5 s nginx asks again every 4 to 5 s), and never past the URL's expiry.
    """
    started = perf_counter()
    headers = dict(scope.get("headers", ()))
    path, _, query = headers.get(b"x-original-uri", b"").decode("latin-1").partition("?")
    url = signed(Ask("GET", path, query, {}))
    allowed = False
    # nginx counts whole seconds and keeps an answer until its clock passes the second it was told:
    # up to a second longer than told. It is told a second less, so no answer outlives the window.
    seconds = max(0, int(access_seconds()) - 1)
    if url is not None and streaming.signature_valid(*url):
        seconds = max(0, min(seconds, int(url[1]) - int(time.time()) - 1))
        plan = signed_plan(url, ACCESS_PATH)
        try:
            state = await load(plan)
        except Exception:
            state, seconds = None, 0  # unsure: Veza answers the request itself
        allowed = state is not None and plan.admits(state)
    status = 200 if allowed else 403
    start_headers = [(b"content-length", b"0"), (b"x-accel-expires", str(seconds).encode())]
    await send({"type": "http.response.start", "status": status, "headers": start_headers})
    await send({"type": "http.response.body", "body": b""})
    metrics.observe(scope["method"], ACCESS_PATH, status, perf_counter() - started)
