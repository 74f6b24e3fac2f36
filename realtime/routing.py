"""WebSocket routes, mounted by ``veza.asgi``."""

from django.urls import path

from realtime.consumer import SocketConsumer

websocket_urlpatterns = [path("ws/", SocketConsumer.as_asgi())]
