"""The ASGI handler of Veza's HTTP requests: the middleware stack and the view in one thread per request.

Django's own ``ASGIHandler`` runs the middleware in async mode, and crosses between the event loop and a
worker thread at every middleware that is sync-only (WhiteNoise, the audit context, the outage answer)
and again for the view: about seven crossings each way per request. Each one waits for the event loop,
or for the GIL held by another thread; on a worker whose loop also serves busy sockets that adds
milliseconds per request under load. :class:`ASGIHandler` runs the whole stack as WSGI would, in the
request's own thread (asgiref gives every request a thread of its own, ``ThreadSensitiveContext``): one
crossing in, one out. Reading the body, sending the response (streamed ones included) and noticing a
client that went away stay Django's, in the event loop.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from django.core.handlers import asgi
from django.http import HttpRequest, HttpResponseBase


class ASGIHandler(asgi.ASGIHandler):
    def load_middleware(self, is_async: bool = False) -> None:
        super().load_middleware(is_async=False)  # every middleware in its sync mode

    async def get_response_async(self, request: HttpRequest) -> HttpResponseBase:
        return await sync_to_async(self.get_response, thread_sensitive=True)(request)
