from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class ConsoleConfig(AppConfig):
    """The moderation console: its ModelAdmins (``console/admin/``) are registered by the admin's autodiscovery."""

    default = True
    name = "console"
    verbose_name = "Moderation console"

    def ready(self):
        from console import benchmark  # noqa: F401 (registers its deploy check)


class ConsoleAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with the console's site (:class:`console.site.ConsoleSite`) as ``admin.site``."""

    default = False
    default_site = "console.site.ConsoleSite"
