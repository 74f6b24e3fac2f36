"""Roles: admins moderate, only super admins change roles or hard-delete; the audit trail sees API actors."""

import pytest
from django.urls import reverse

from accounts.models import AuditLog, RefreshToken, Role, User
from tests.accounts.factories import AdminFactory, SuperAdminFactory, UserFactory

pytestmark = pytest.mark.django_db


def change_form(user, **overrides):
    data = {
        "username": user.username,
        "email": user.email,
        "role": user.role,
        "is_active": "on" if user.is_active else "",
        "is_verified": "on" if user.is_verified else "",
        "first_name": user.first_name or "",
        "last_name": user.last_name or "",
        "bio": user.bio or "",
        "avatar": user.avatar or "",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("factory", "allowed"), [(UserFactory, False), (AdminFactory, True), (SuperAdminFactory, True)]
)
def test_only_admin_roles_reach_the_admin_site(client, factory, allowed):
    client.force_login(factory())
    response = client.get(reverse("admin:index"))
    assert (response.status_code == 200) is allowed


def test_admin_cannot_change_roles(client):
    target = UserFactory()
    client.force_login(AdminFactory())
    url = reverse("admin:accounts_user_change", args=[target.pk])
    assert 'name="role"' not in client.get(url).content.decode()
    client.post(url, change_form(target, role="super_admin"))
    target.refresh_from_db()
    assert target.role == Role.USER


def test_super_admin_changes_roles(client):
    target = UserFactory()
    client.force_login(SuperAdminFactory())
    response = client.post(reverse("admin:accounts_user_change", args=[target.pk]), change_form(target, role="admin"))
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.role == Role.ADMIN


def test_admin_cannot_hard_delete_users(client):
    target = UserFactory()
    client.force_login(AdminFactory())
    response = client.post(reverse("admin:accounts_user_delete", args=[target.pk]), {"post": "yes"})
    assert response.status_code == 403
    bulk = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302, 403)
    assert User.objects.filter(pk=target.pk).exists()


def test_super_admin_hard_deletes_users(client):
    target = UserFactory()
    client.force_login(SuperAdminFactory())
    response = client.post(reverse("admin:accounts_user_delete", args=[target.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(pk=target.pk).exists()


def test_admin_cannot_edit_a_super_admin(client):
    boss = SuperAdminFactory()
    client.force_login(AdminFactory())
    client.post(reverse("admin:accounts_user_change", args=[boss.pk]), change_form(boss, is_active=""))
    boss.refresh_from_db()
    assert boss.is_active


def test_admin_deactivation_revokes_refresh_tokens(client, login):
    target = UserFactory(username="melody")
    assert login().status_code == 200
    client.force_login(AdminFactory())
    response = client.post(reverse("admin:accounts_user_change", args=[target.pk]), change_form(target, is_active=""))
    assert response.status_code == 302
    assert not RefreshToken.objects.filter(user=target).live().exists()
    assert login().status_code == 401


def test_api_changes_record_the_jwt_actor_in_the_audit_trail(api, login):
    user = UserFactory(username="melody")
    access = login(REMOTE_ADDR="192.0.2.33").json()["access"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert api.patch("/api/v1/users/me", {"bio": "new bio"}, format="json", REMOTE_ADDR="192.0.2.33").status_code == 200
    row = AuditLog.objects.filter(record_id=user.pk).latest("id")
    assert row.new_values["bio"] == "new bio"
    assert (row.user_id, row.ip_address) == (user.pk, "192.0.2.33")
