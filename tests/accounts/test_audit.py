"""The audit trigger on ``users``: old and new values, and who did it from which address."""

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import AuditLog
from tests.accounts.factories import SuperAdminFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_update_records_old_and_new_values_without_password_hashes():
    user = UserFactory(bio="before")
    AuditLog.objects.all().delete()
    user.bio = "after"
    user.set_password("a brand new passphrase")
    user.save()
    row = AuditLog.objects.get(table_name="users", record_id=user.pk)
    assert row.action == "UPDATE"
    assert row.old_values["bio"] == "before"
    assert row.new_values["bio"] == "after"
    assert row.old_values["password_hash"] == "[redacted]"
    assert row.new_values["password_hash"] == "[changed]"
    assert row.user_id is None
    assert row.ip_address is None


def test_delete_records_the_old_row():
    user = UserFactory(username="leaving")
    pk = user.pk
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM users WHERE id = %s", [pk])
    row = AuditLog.objects.get(table_name="users", record_id=pk, action="DELETE")
    assert row.old_values["username"] == "leaving"
    assert "password_hash" not in row.old_values
    assert row.new_values is None


def test_change_through_a_request_records_the_acting_user_and_ip(client):
    moderator = SuperAdminFactory()
    target = UserFactory(username="target", email="target@example.org")
    client.force_login(moderator)
    response = client.post(
        reverse("admin:accounts_user_change", args=[target.pk]),
        {
            "username": "target",
            "email": "target@example.org",
            "role": "user",
            "is_active": "",
            "is_verified": "on",
            "first_name": "",
            "last_name": "",
            "bio": "",
            "avatar": "",
        },
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302, response.content
    row = AuditLog.objects.filter(table_name="users", record_id=target.pk).latest("id")
    assert row.old_values["is_active"] is True
    assert row.new_values["is_active"] is False
    assert row.user_id == moderator.pk
    assert row.ip_address == "203.0.113.7"


def test_actor_is_cleared_after_the_request(client):
    moderator = SuperAdminFactory()
    client.force_login(moderator)
    client.get("/", REMOTE_ADDR="198.51.100.1")
    user = UserFactory()
    user.bio = "changed outside any request"
    user.save()
    row = AuditLog.objects.filter(record_id=user.pk).latest("id")
    assert row.user_id is None
    assert row.ip_address is None


def test_a_user_deleting_their_own_account_keeps_the_audit_row(client):
    user = SuperAdminFactory()
    client.force_login(user)
    response = client.post(reverse("admin:accounts_user_delete", args=[user.pk]), {"post": "yes"})
    assert response.status_code == 302
    row = AuditLog.objects.get(record_id=user.pk, action="DELETE")
    assert row.user_id is None
