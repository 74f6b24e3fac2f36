"""The console's ModelAdmins, one module per domain app, registered on ``admin.site`` when the admin
autodiscovers ``console.admin`` (the ``console`` app is installed after the domain apps)."""

from django.contrib import admin
from django.contrib.auth.models import Group

from console.admin import accounts, catalog, chat, marketplace, media, rooms, search  # noqa: F401 (they register)

# Rights come from users.role (accounts.models.Role): Django's groups would do nothing, so they are not shown.
# django.contrib.auth is installed before the console, so its admin registered Group already.
admin.site.unregister(Group)
