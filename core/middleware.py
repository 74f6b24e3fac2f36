"""Middleware for operating Veza: request metrics, the operations endpoints answered up front, and the
refusal of input no column can store. All work in sync and async mode alike.
"""

from __future__ import annotations

from time import perf_counter
from urllib.parse import unquote_to_bytes

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.core.handlers.wsgi import WSGIRequest
from django.http import Http404
from django.urls import resolve

from core import errors, metrics, views
from core.parsers import unstorable

PROBES = frozenset({"/healthz", "/readyz"})


class _Middleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)  # type: ignore[type-var]  # an instance is the coroutine function here


class RequestMetricsMiddleware(_Middleware):
    """Count every HTTP request by method, route and status, and time it (see :mod:`core.metrics`)."""

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        started = perf_counter()
        response = self.get_response(request)
        metrics.observe_request(request, response, perf_counter() - started)
        return response

    async def _acall(self, request):
        started = perf_counter()
        response = await self.get_response(request)
        metrics.observe_request(request, response, perf_counter() - started)
        return response


class OperationsEndpointsMiddleware(_Middleware):
    """Answer ``/healthz``, ``/readyz`` and (for allowed scrapers) ``/metrics`` ahead of the other middleware.

    Load balancers, orchestrators and Prometheus reach each worker at its own address, with a ``Host``
    that is not in ``ALLOWED_HOSTS`` and over plain HTTP: these endpoints skip the host check, the HTTPS
    redirect, sessions and authentication. Their views are the ones in ``veza.urls``; under ASGI they run
    in a worker thread of their own, so a slow readiness check never holds up the thread that serves
    Django's synchronous views. A client that may not read the metrics goes down the usual path and
    gets the same 404 as for any unknown address.
    """

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        view = self._view(request)
        return view(request) if view is not None else self.get_response(request)

    async def _acall(self, request):
        view = self._view(request)
        if view is None:
            return await self.get_response(request)
        return await sync_to_async(view, thread_sensitive=False)(request)

    @staticmethod
    def _view(request):
        path = request.path_info
        if path not in PROBES and not (path == "/metrics" and metrics.scrape_allowed(request)):
            return None
        match = resolve(path)
        request.resolver_match = match
        return match.func


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _not_utf8(raw: bytes) -> bool:
    """Whether percent-encoded bytes (a query string, a form body) decode to bytes that are not UTF-8."""
    try:
        unquote_to_bytes(raw.replace(b"+", b" ")).decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


INVALID = "Contains a NUL byte or a character that is not valid text."


def _unstorable_fields(pairs) -> dict:
    """``{name: [error]}`` for each field (name or value) holding text no column can store."""
    return {
        name.replace("\x00", "\\x00"): [INVALID]
        for name, values in pairs
        if unstorable(name) or any(unstorable(value) for value in values)
    }


def hostile_input(request) -> tuple[str, dict] | None:
    """What makes the request unusable, if anything, and the fields at fault: checked on the path, the
    query string and the form fields of page requests.

    A path's bytes that are not UTF-8 never reach a view as such: Django (WSGI) percent-encodes them
    again and ASGI servers decode them to U+FFFD. Query strings and urlencoded bodies are checked on
    their raw bytes (Django would decode them to U+FFFD). Bodies under /api/ are left to the API's
    parsers (``core.parsers``), which check them when the view reads them, after its size checks;
    uploaded files' contents are checked by ``media.inspect``.
    """
    if unstorable(request.path_info):
        return "The address contains a NUL byte or an invalid character.", {}
    query = request.META.get("QUERY_STRING", "")
    # WSGI passes the raw bytes as ISO-8859-1 (PEP 3333); Django's ASGI request has decoded them as UTF-8.
    query = query.encode("iso-8859-1" if isinstance(request, WSGIRequest) else "utf-8", "replace")
    if _not_utf8(query):
        return "The query string is not valid UTF-8.", {}
    fields = _unstorable_fields(request.GET.lists())
    if fields:
        return "The query string contains a NUL byte or an invalid character.", fields
    if request.method == "POST" and request.content_type in FORM_TYPES and not request.path_info.startswith("/api/"):
        # Page forms only (Django parses POST forms only); CSRF protection reads them before the view anyway.
        if request.content_type == FORM_TYPES[0] and _not_utf8(request.body):
            return "A form field is not valid UTF-8.", {}
        uploads = ((name, [upload.name for upload in files]) for name, files in request.FILES.lists())
        fields = {**_unstorable_fields(request.POST.lists()), **_unstorable_fields(uploads)}
        if fields:
            return "A form field contains a NUL byte or an invalid character.", fields
    return None


class HostileInputMiddleware(_Middleware):
    """Refuse with 400, before any view, a request whose path, query string or page form fields hold a NUL
    byte, a lone surrogate or bytes that are not UTF-8: text that no column can store and no view expects.

    Under /api/ the answer is the JSON error shape; elsewhere the site's 400 page.
    """

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        problem = hostile_input(request)
        return self.get_response(request) if problem is None else bad_request(request, *problem)

    async def _acall(self, request):
        problem = await sync_to_async(hostile_input, thread_sensitive=False)(request)
        if problem is None:
            return await self.get_response(request)
        return await sync_to_async(bad_request)(request, *problem)  # the page loads the visitor


def bad_request(request, detail: str, fields: dict):
    return views.bad_request(request, detail=detail, fields=fields)


class DomainErrorMiddleware(_Middleware):
    """Pages' answer to the domain errors a view lets through (:mod:`core.errors`): ``NotFound`` takes
    Django's own 404 path (the site's 404 page, the JSON shape under /api/ and /media/), ``Conflict``
    the 409 page. The API's views answer them in ``core.api.exception_handler`` before this runs.
    """

    def __call__(self, request):
        return self.get_response(request)  # a coroutine in async mode: returned as is

    def process_exception(self, request, exception):
        if isinstance(exception, errors.NotFound):
            raise Http404(str(exception)) from exception
        if isinstance(exception, errors.Conflict):
            return views.conflict(request, exception)
        return None
