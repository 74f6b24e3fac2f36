"""The headers Django's middleware adds to every answer, for answers given in front of it.

:func:`site_headers` runs the response side of the middleware that adds headers to a stream answer
(security headers, Content-Security-Policy, ``X-Frame-Options``) on an empty response, so the lean
path (:mod:`media.fastpath`) sends what Django would, from the same settings and code. They depend on
the request's host (the policy's WebSocket origin) and scheme (HSTS) only, so each pair is computed once
per process.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.security import SecurityMiddleware

from core.csp import ContentSecurityPolicyMiddleware

RESPONSE_MIDDLEWARE = (SecurityMiddleware, ContentSecurityPolicyMiddleware, XFrameOptionsMiddleware)
MEMO_MAX = 64

_memo: dict[tuple[str, bool], tuple[tuple[bytes, bytes], ...]] = {}


def site_headers(request: HttpRequest, host: str, secure: bool) -> tuple[tuple[bytes, bytes], ...]:
    """The middleware's headers for an answer to ``request`` (whose host and scheme are given), as ASGI pairs."""
    key = (host, secure)
    headers = _memo.get(key)
    if headers is None:
        response: HttpResponseBase = HttpResponse()
        del response["Content-Type"]
        for middleware in RESPONSE_MIDDLEWARE:
            instance = middleware(_no_view)
            if isinstance(instance, ContentSecurityPolicyMiddleware):
                instance.process_request(request)  # the policy reads the request's nonce (unused here)
            response = instance.process_response(request, response)
        headers = tuple((name.lower().encode("latin-1"), value.encode("latin-1")) for name, value in response.items())
        if len(_memo) >= MEMO_MAX:
            _memo.clear()
        _memo[key] = headers
    return headers


def _no_view(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("only the response side of the middleware runs here")


def forget() -> None:
    _memo.clear()
