from django.apps import AppConfig


class RoomsConfig(AppConfig):
    name = "rooms"

    def ready(self):
        from rooms import frames  # noqa: F401  (registers the rooms' socket frames and presence)
