"""ASGI entry point: HTTP through Django, WebSockets through Channels.

Serve with ``uvicorn veza.asgi:application --workers N`` (or daphne); the
channel layer on Redis carries messages between workers and hosts.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")

from veza import bootstrap
from veza.preflight import check_backends, exit_on_backend_error

with exit_on_backend_error():
    bootstrap.environment()  # the embedded PostgreSQL and Redis, unless DATABASE_URL / REDIS_URL are set
    django.setup(set_prefix=False)
    from core.handlers import ASGIHandler

    django_asgi_app = ASGIHandler()  # Django's, with the middleware and the view in one thread per request
    check_backends()

from channels.auth import AuthMiddlewareStack
from channels.routing import ProtocolTypeRouter, URLRouter

from core.bodylimit import BodyLimit
from core.websocket import SameOriginValidator
from realtime.routing import websocket_urlpatterns

application = ProtocolTypeRouter(
    {
        "http": BodyLimit(django_asgi_app),  # 413 before a body over the limit is read
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)
