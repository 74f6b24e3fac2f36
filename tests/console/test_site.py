"""The console's site: admin.site is console.site.ConsoleSite, with its titles, its login form, no groups."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group

from accounts.forms import ConsoleLoginForm
from console.site import ConsoleSite
from tests.accounts.factories import AdminFactory


def test_admin_site_is_the_console_site():
    assert isinstance(admin.site, ConsoleSite)
    assert (admin.site.site_header, admin.site.site_title, admin.site.index_title) == (
        "Veza moderation",
        "Veza moderation",
        "Moderation console",
    )
    assert admin.site.login_form is ConsoleLoginForm


def test_groups_are_not_in_the_console():
    assert not admin.site.is_registered(Group)


@pytest.mark.django_db
def test_console_index_names_the_console_and_links_the_dashboard(client):
    client.force_login(AdminFactory())
    response = client.get("/admin/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Veza moderation" in page
    assert 'href="/admin/dashboard/"' in page
    assert "/admin/auth/group/" not in page
    assert client.get("/admin/auth/group/").status_code == 404


@pytest.mark.django_db
def test_console_login_uses_the_console_login_form(client):
    response = client.get("/admin/login/")
    assert response.status_code == 200
    assert isinstance(response.context["form"], ConsoleLoginForm)
