"""ASGI entry point: HTTP through Django (stream requests through a lean path first), WebSockets through Channels.

Serve with ``uvicorn veza.asgi:application --workers N`` (or daphne); the
channel layer on Redis carries messages between workers and hosts.
"""

import gc
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

from catalog.fastpath import track_stream_route
from core.bodylimit import BodyLimit
from core.websocket import SameOriginValidator
from media.fastpath import StreamFastPath, media_route
from realtime.routing import websocket_urlpatterns

# Stream requests that need no user take a lean path in front of Django (media/fastpath.py).
http_application = StreamFastPath(django_asgi_app, routes=(media_route, track_stream_route))

application = ProtocolTypeRouter(
    {
        "http": BodyLimit(http_application),  # 413 before a body over the limit is read
        "websocket": SameOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
    }
)

# Everything loaded so far (Django, the apps, the URL maps, the settings) lives as long as the process:
# frozen, the cyclic garbage collector no longer walks it on each full collection, which paused a
# worker's event loop (and every socket's frames) for tens of milliseconds under load.
gc.freeze()
