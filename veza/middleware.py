"""Middleware for operating Veza: the operations endpoints answered up front.

It comes first in ``MIDDLEWARE`` and works in sync and async mode alike.
"""

from __future__ import annotations

from asgiref.sync import iscoroutinefunction, markcoroutinefunction, sync_to_async
from django.urls import resolve

PROBES = frozenset({"/healthz", "/readyz"})


class _Middleware:
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)


class OperationsEndpointsMiddleware(_Middleware):
    """Answer ``/healthz`` and ``/readyz`` ahead of the other middleware.

    Load balancers and orchestrators reach each worker at its own address, with a ``Host``
    that is not in ``ALLOWED_HOSTS`` and over plain HTTP: these endpoints skip the host check, the HTTPS
    redirect, sessions and authentication. Their views are the ones in ``veza.urls``; under ASGI they run
    in a worker thread of their own, so a slow readiness check never holds up the thread that serves
    Django's synchronous views.
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
        if path not in PROBES:
            return None
        match = resolve(path)
        request.resolver_match = match
        return match.func
