"""WSGI entry point (HTTP only; live chat needs the ASGI entry point, ``veza.asgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "veza.settings")

application = get_wsgi_application()
