"""WSGI entry point (HTTP only; live chat needs the ASGI entry point, ``veza.asgi``, which production serves).

A ``Content-Length`` over the route's limit is answered 413 before the body is read (core/bodylimit.py);
a body without ``Content-Length`` is not read by Django under WSGI at all.
"""

import os

from django.core.wsgi import get_wsgi_application

from veza import bootstrap

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")
bootstrap.environment()  # the embedded PostgreSQL and Redis, unless DATABASE_URL / REDIS_URL are set

django_application = get_wsgi_application()

from core.bodylimit import WsgiBodyLimit  # noqa: E402 (needs the apps loaded)

application = WsgiBodyLimit(django_application)
