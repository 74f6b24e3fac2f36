"""WebSocket routes of every app, mounted by ``veza.asgi``."""

websocket_urlpatterns: list = []
