from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from django.contrib.auth.models import update_last_login
        from django.contrib.auth.signals import user_logged_in

        # accounts.services.user_authenticate records every login (pages and API) itself.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
