"""The Content-Security-Policy of every response (django-csp, configured in ``CONTENT_SECURITY_POLICY``).

Scripts and styles come from the site itself (static files) or carry the request's nonce
(``request.csp_nonce``); nothing inline runs without it. The policy adds the WebSocket origin of the host
the request was made to (``ws://`` or ``wss://`` as the page's own scheme), which ``connect-src 'self'``
alone does not name for every browser.
"""

from __future__ import annotations

from typing import cast

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.replace or parts.config:
            return parts
        try:
            host = request.get_host()
        except Exception:  # a host ALLOWED_HOSTS refuses: that request is answered 400 anyway
            return parts
        socket = f"{'wss' if request.is_secure() else 'ws'}://{host}"
        directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
        configured = cast(list[str], directives.get("connect-src", []))
        parts.update = {**(parts.update or {}), "connect-src": [*configured, socket]}
        return parts
