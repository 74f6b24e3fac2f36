"""Middleware for operating Veza: request metrics, and the operations endpoints answered up front.

Both come first in ``MIDDLEWARE`` and work in sync and async mode alike.
"""

from __future__ import annotations

from time import perf_counter

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.urls import resolve

from veza import metrics

PROBES = frozenset({"/healthz", "/readyz"})


class _Middleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)


class RequestMetricsMiddleware(_Middleware):
    """Count every HTTP request by method, route and status, and time it (see :mod:`veza.metrics`)."""

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
