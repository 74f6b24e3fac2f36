from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"

    def ready(self):
        from chat import frames  # noqa: F401  (registers the socket frames of direct messages and typing)
