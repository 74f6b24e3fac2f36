"""The moderation console's site: ``admin.site`` (``/admin/``), set up by ``console.apps.ConsoleAdminConfig``.

Only the staff roles (``admin``, ``super_admin``) get in. The console's own login obeys the login rule of
every way in (``accounts.login_guard``): same per-account and per-IP counters, and 429 with Retry-After
once a limit is used up.
"""

from django.contrib.admin import AdminSite

from accounts import views
from accounts.forms import ConsoleLoginForm


class ConsoleSite(AdminSite):
    site_header = "Veza moderation"
    site_title = "Veza moderation"
    index_title = "Moderation console"
    login_form = ConsoleLoginForm

    def login(self, request, extra_context=None):
        return views.console_login(super().login)(request, extra_context)
