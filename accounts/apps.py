from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        import accounts.frames  # noqa: F401  (registers the socket's ``auth`` frame)
        from accounts import credentials
        from realtime import auth
        from realtime.transport import close_revoked_sockets

        # accounts.services.user_authenticate records every login (pages and API) itself.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        # Sockets authenticate, and are re-checked, with the credentials of accounts.credentials.
        auth.register(authenticate=credentials.socket_credential, still_valid=credentials.still_valid)
        # A revocation (password change, deactivation, "log out everywhere") ends the user's sockets at once.
        credentials.credentials_revoked.connect(close_revoked_sockets, dispatch_uid="close-revoked-sockets")
