"""Serving stored media: HTTP Range (RFC 9110), validators, 304/416, and production offload.

``MEDIA_SERVE`` picks how the bytes leave: ``app`` streams them from the storage, ``accel`` hands the
request to nginx with ``X-Accel-Redirect`` (nginx then does ranges itself), ``redirect`` sends the
client to the storage's presigned URL (S3).

Storage faults are answered before any header of a success: with ``app`` the object is opened and its
size compared with the row's before the response is built, with ``accel`` its size is read from the
storage (nginx's own right to read it cannot be checked from here). A missing object is a 404, an object
the store cannot give (unreachable, unreadable, another size) a 503, both in the JSON error shape and
logged once (one ``veza.media`` record per request, no traceback). With ``redirect`` nothing is checked
per request (it would cost the store a request per play): the store answers for a missing object, and
``manage.py check_storage`` finds them.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from datetime import datetime
from functools import partial
from urllib.parse import quote

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.handlers.asgi import ASGIRequest
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.http import http_date, parse_http_date_safe

from core.api import error_body
from core.db import release_connections

logger = logging.getLogger("veza.media")

CHUNK = 256 * 1024
RANGE = re.compile(r"bytes=([0-9]*)-([0-9]*)")
SIGNING_SALT = "veza.media.stream-url"


class Unsatisfiable(Exception):
    pass


class StorageFault(Exception):
    """The stored object cannot be served: ``missing`` (404) or ``unavailable`` (503)."""

    def __init__(self, name: str, reason: str, *, missing: bool):
        super().__init__(f"{name}: {reason}")
        self.name = name
        self.reason = reason
        self.missing = missing


# What S3 (botocore's ClientError) says of an object that does not exist.
S3_MISSING = frozenset({"404", "NoSuchKey", "NotFound"})


def _fault(name: str, exc: BaseException) -> StorageFault:
    response = getattr(exc, "response", None)
    s3_code = response.get("Error", {}).get("Code") if isinstance(response, dict) else None
    if isinstance(exc, FileNotFoundError) or s3_code in S3_MISSING:
        return StorageFault(name, "missing", missing=True)
    if isinstance(exc, PermissionError):
        return StorageFault(name, "unreadable (permission denied)", missing=False)
    return StorageFault(name, f"unreachable ({type(exc).__name__}: {exc})", missing=False)


def open_stored(name: str, size: int):
    """The stored object ``name``, open for reading, after checking that it holds ``size`` bytes.

    Raises :class:`StorageFault`: the object is missing, the store cannot give it, or it has another size.
    Any error of the storage backend counts (S3 backends raise their own exceptions, not ``OSError``).
    """
    try:
        handle = default_storage.open(name, "rb")
    except Exception as exc:
        raise _fault(name, exc) from exc
    try:
        actual = handle.size
    except Exception as exc:
        handle.close()
        raise _fault(name, exc) from exc
    if actual != size:
        handle.close()
        raise StorageFault(name, f"holds {actual} bytes where its row says {size}", missing=False)
    return handle


def stored_size(name: str) -> int:
    """The size of the stored object ``name``, or :class:`StorageFault` (``accel``: nginx opens it)."""
    try:
        return default_storage.size(name)
    except Exception as exc:
        raise _fault(name, exc) from exc


def fault_response(request: HttpRequest, fault: StorageFault) -> HttpResponse:
    """404 (missing) or 503 (unavailable) in the JSON error shape; the one log record of the request."""
    logger.warning("stored object %s for %s %s", fault, request.method, request.path)
    if fault.missing:
        response = JsonResponse(error_body("not_found", "The stored object of this file is missing."), status=404)
    else:
        response = JsonResponse(
            error_body("storage_unavailable", "The stored object of this file cannot be read now."), status=503
        )
    response._has_been_logged = True  # django.request would log it a second time
    return response


# Byte positions past this are past the end of any stored object: no need to read all their digits.
BEYOND_ANY_SIZE = 10**18


def _position(digits: str) -> int:
    """A byte position of a ``Range`` header, however many digits it has (Python refuses past 4300)."""
    digits = digits.lstrip("0") or "0"
    return int(digits) if len(digits) <= 18 else BEYOND_ANY_SIZE


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The (first, last) byte of a single-range ``Range`` header; None means "send everything".

    Raises :class:`Unsatisfiable` for a range that starts past the end (or an empty suffix).
    """
    match = RANGE.fullmatch(header.strip())
    if not match:
        return None  # several ranges, another unit or bad syntax: the header is ignored (RFC 9110, 14.2)
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:
        suffix = _position(last)
        if suffix == 0:
            raise Unsatisfiable
        return max(0, size - suffix), size - 1
    start = _position(first)
    if start >= size:
        raise Unsatisfiable
    end = _position(last) if last else size - 1
    if end < start:
        return None
    return start, min(end, size - 1)


class _RangeReader:
    """Reads ``length`` bytes from ``offset`` of a stored object, in chunks; closes it at the end."""

    def __init__(self, handle, offset: int, length: int):
        self.handle = handle
        self.handle.seek(offset)
        self.remaining = length

    def __iter__(self):
        try:
            while self.remaining > 0:
                data = self.handle.read(min(CHUNK, self.remaining))
                if not data:
                    break
                self.remaining -= len(data)
                yield data
        finally:
            self.close()

    def close(self):
        self.handle.close()


async def _read_range_async(handle, offset: int, length: int):
    """The same bytes as :class:`_RangeReader`, for ASGI servers: file reads run in worker threads."""
    read = partial(sync_to_async, thread_sensitive=False)
    try:
        await read(handle.seek)(offset)
        remaining = length
        while remaining > 0:
            data = await read(handle.read)(min(CHUNK, remaining))
            if not data:
                break
            remaining -= len(data)
            yield data
    finally:
        await read(handle.close)()


def etag_for(seed: str) -> str:
    return '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'


def not_modified(request: HttpRequest, etag: str, modified: int) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in tags or etag in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and modified <= since


def range_applies(request: HttpRequest, etag: str, modified: int) -> bool:
    if_range = request.headers.get("If-Range")
    if if_range is None:
        return True
    if if_range.startswith('"'):
        return if_range == etag
    date = parse_http_date_safe(if_range)
    return date is not None and modified <= date


def serve(
    request: HttpRequest, *, name: str, size: int, content_type: str, seed: str, modified_at: datetime
) -> HttpResponse:
    """Answer a GET or HEAD for the stored object ``name`` of ``size`` bytes.

    A missing or unreadable object gets :func:`fault_response` instead of any header of a success.
    """
    mode = settings.MEDIA_SERVE
    if mode == "redirect":
        return HttpResponseRedirect(default_storage.url(name))
    etag = etag_for(seed)
    modified = int(modified_at.timestamp())
    headers = {"ETag": etag, "Last-Modified": http_date(modified), "Accept-Ranges": "bytes", "Cache-Control": "private"}
    if mode == "accel":
        try:
            stored_size(name)
        except StorageFault as fault:
            return fault_response(request, fault)
        response = HttpResponse(content_type=content_type, headers=headers)
        response["X-Accel-Redirect"] = settings.MEDIA_ACCEL_PREFIX + quote(name)
        return response
    try:
        handle = open_stored(name, size)
    except StorageFault as fault:
        return fault_response(request, fault)
    if not_modified(request, etag, modified):
        handle.close()
        return HttpResponseNotModified(headers=headers)
    span = None
    if "Range" in request.headers and range_applies(request, etag, modified):
        try:
            span = parse_range(request.headers["Range"], size)
        except Unsatisfiable:
            handle.close()
            return HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    start, end = span or (0, size - 1)
    length = end - start + 1
    if request.method == "HEAD":
        handle.close()
        response = HttpResponse(content_type=content_type, headers=headers)
    else:
        if isinstance(request, ASGIRequest):
            content = _read_range_async(handle, start, length)
        else:
            content = _RangeReader(handle, start, length)
        response = StreamingHttpResponse(content, content_type=content_type, headers=headers)
        # The body may take minutes to reach a slow listener and needs no database: give the
        # connection back now rather than when the last byte is sent.
        release_connections()
    response["Content-Length"] = str(length)
    if span is not None:
        response.status_code = 206
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    return response


# --- signed URLs ---------------------------------------------------------------------------


# A link issued for a public file carries ``scope=public`` (signed too): it plays while the file stays
# public. A link without it (issued to the owner of a private file, or to moderators) plays whatever the
# file's visibility. Neither plays a hidden file.
PUBLIC_SCOPE = "public"


def _signature(path: str, expires: int, scope: str | None = None) -> str:
    message = f"{path}:{expires}:{scope}" if scope else f"{path}:{expires}"
    return salted_hmac(SIGNING_SALT, message, algorithm="sha256").hexdigest()


def signed_query(path: str, *, seconds: int | None = None, public: bool = False) -> tuple[str, int]:
    """``expires=...[&scope=public]&signature=...`` for ``path``, and the expiry as a UNIX time.

    ``public``: the link plays only while the file is public (what anyone but its owner is given).
    """
    expires = int(time.time()) + (seconds or settings.STREAM_URL_SECONDS)
    if public:
        return f"expires={expires}&scope={PUBLIC_SCOPE}&signature={_signature(path, expires, PUBLIC_SCOPE)}", expires
    return f"expires={expires}&signature={_signature(path, expires)}", expires


def signature_valid(path: str, expires: str | None, signature: str | None, scope: str | None = None) -> bool:
    """True for an unexpired, unaltered signature of ``path`` (and its ``scope``, if any)."""
    if scope not in (None, PUBLIC_SCOPE):
        return False
    try:
        when = int(expires or "")
    except (TypeError, ValueError):
        return False
    if when < time.time():
        return False
    return constant_time_compare(_signature(path, when, scope), signature or "")
