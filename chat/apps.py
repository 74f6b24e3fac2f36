from django.apps import AppConfig


class ChatConfig(AppConfig):
    name = "chat"

    def ready(self):
        from accounts.credentials import credentials_revoked
        from realtime.transport import close_revoked_sockets

        # A revocation (password change, deactivation, "log out everywhere") ends the user's sockets at once.
        credentials_revoked.connect(close_revoked_sockets, dispatch_uid="chat-close-revoked-sockets")
