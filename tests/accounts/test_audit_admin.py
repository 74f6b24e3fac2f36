"""The audit trail in the console: view only for every role, filterable, a side-by-side diff, secrets masked.

``admin_client`` (pytest-django) is signed in as a super admin (``create_superuser``).
"""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLog
from tests.accounts.factories import AdminFactory, UserFactory

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:accounts_auditlog_changelist")


def detail(pk):
    return reverse("admin:accounts_auditlog_change", args=[pk])


@pytest.fixture
def bio_change():
    """A real trigger-written row: a bio changed from ``before`` to a script tag."""
    user = UserFactory(username="melody", bio="before")
    user.bio = '<script>alert("x")</script>'
    user.save()
    return AuditLog.objects.filter(table_name="users", record_id=user.pk).latest("id")


def test_nobody_adds_changes_or_deletes_audit_rows(admin_client, bio_change):
    assert admin_client.get(reverse("admin:accounts_auditlog_add")).status_code == 403
    assert admin_client.post(detail(bio_change.pk), {"table_name": "forged"}).status_code == 403
    assert (
        admin_client.post(reverse("admin:accounts_auditlog_delete", args=[bio_change.pk]), {"post": "yes"}).status_code
        == 403
    )
    page = admin_client.get(CHANGELIST).content.decode()
    assert "delete_selected" not in page and "_selected_action" not in page
    bio_change.refresh_from_db()
    assert bio_change.table_name == "users"


def test_plain_users_cannot_read_the_audit_trail(client, bio_change):
    client.force_login(UserFactory())
    assert client.get(detail(bio_change.pk)).status_code == 302


def test_admins_read_it_too(client, bio_change):
    client.force_login(AdminFactory())
    assert client.get(detail(bio_change.pk)).status_code == 200


def test_detail_shows_old_and_new_side_by_side_with_changes_marked_and_escaped(admin_client, bio_change):
    page = admin_client.get(detail(bio_change.pk)).content.decode()
    assert '<table class="audit-diff">' in page
    assert '<tr class="changed"><th scope="row">bio</th><td>before</td>' in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert '<script>alert("x")</script>' not in page
    assert '<tr class="same"><th scope="row">username</th><td>melody</td><td>melody</td></tr>' in page
    assert f'href="{CHANGELIST}?table_name=users&amp;record_id={bio_change.record_id}"' in page  # its history


def test_secret_columns_are_masked(admin_client):
    user = UserFactory()
    user.set_password("another passphrase 42")
    user.save()
    password_row = AuditLog.objects.filter(record_id=user.pk).latest("id")
    forged = AuditLog.objects.create(
        table_name="refresh_tokens",
        record_id=1,
        action="UPDATE",
        old_values={"token": "aaaa-old-token-hash", "password_hash": "argon2$old", "expires_at": "x"},
        new_values={"token": "bbbb-new-token-hash", "password_hash": "argon2$new", "expires_at": "x"},
    )
    for row in (password_row, forged):
        page = admin_client.get(detail(row.pk)).content.decode()
        assert "(hidden)" in page
        for secret in ("[redacted]", "[changed]", "token-hash", "argon2$"):
            assert secret not in page
    page = admin_client.get(detail(forged.pk)).content.decode()
    assert '<tr class="changed"><th scope="row">token</th>' in page  # masked, still marked as changed


def test_changelist_filters_by_table_action_actor_and_date(admin_client):
    mod, other = AdminFactory(username="mod"), UserFactory(username="other")
    by_mod = AuditLog.objects.create(table_name="users", record_id=1, action="UPDATE", user=mod)
    by_other = AuditLog.objects.create(table_name="users", record_id=2, action="DELETE", user=other)
    anonymous = AuditLog.objects.create(table_name="rooms", record_id=3, action="UPDATE")

    def shown(**params):
        return {row.pk for row in admin_client.get(CHANGELIST, params).context["cl"].result_list}

    assert shown(actor=mod.pk) == {by_mod.pk}
    assert shown(actor=other.pk) == {by_other.pk}  # any user, from the "acting user" link of a row
    assert shown(actor="none") == {anonymous.pk}
    assert shown(action="DELETE") == {by_other.pk}
    assert shown(table_name="rooms") == {anonymous.pk}
    assert shown(table_name="users", record_id=2) == {by_other.pk}
    today = timezone.now()
    assert len(shown(created_at__year=today.year, created_at__month=today.month)) == 3
    assert shown(created_at__year=today.year - 1) == set()
    assert shown(q="other") == {by_other.pk}
    assert shown(q="3") == {anonymous.pk}


def test_changelist_offers_moderators_and_audited_tables_as_filters(admin_client):
    AdminFactory(username="mod-anna")
    UserFactory(username="not-a-mod")
    page = admin_client.get(CHANGELIST).content.decode()
    assert "mod-anna" in page and "not-a-mod" not in page
    assert "?table_name=users" in page


def test_changelist_lists_the_changed_columns(admin_client, bio_change):
    response = admin_client.get(CHANGELIST)
    assert response.status_code == 200
    assert '<td class="field-changed_columns">bio, updated_at</td>' in response.content.decode()


def test_changelist_filters_by_a_date_range(admin_client):
    old = AuditLog.objects.create(table_name="rooms", record_id=1, action="UPDATE")
    AuditLog.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    recent = AuditLog.objects.create(table_name="rooms", record_id=2, action="UPDATE")
    AuditLog.objects.filter(pk=recent.pk).update(created_at=timezone.now() - timedelta(days=5))
    today = AuditLog.objects.create(table_name="files", record_id=3, action="DELETE")

    def day(days_ago):
        return (timezone.localdate() - timedelta(days=days_ago)).isoformat()

    def shown(**params):
        response = admin_client.get(CHANGELIST, params)
        assert response.status_code == 200
        return {row.pk for row in response.context["cl"].result_list}

    assert shown(since=day(10)) == {recent.pk, today.pk}
    assert shown(until=day(10)) == {old.pk}
    assert shown(since=day(40), until=day(5)) == {old.pk, recent.pk}  # both ends included
    assert shown(since=day(5), until=day(5)) == {recent.pk}
    assert shown(since=day(60), table_name="rooms") == {old.pk, recent.pk}
    page = admin_client.get(CHANGELIST, {"since": day(10), "table_name": "rooms"}).content.decode()
    assert f'name="since" value="{day(10)}"' in page
    assert '<input type="hidden" name="table_name" value="rooms">' in page  # the form keeps the other filters


def test_a_date_that_does_not_parse_is_refused_not_a_server_error(admin_client):
    for bad in ("yesterday", "2026-13-45", "9" * 40, "\x00"):
        response = admin_client.get(CHANGELIST, {"since": bad})
        assert response.status_code in (302, 400), bad


def test_table_filter_lists_every_audited_table_and_no_partition(admin_client):
    page = admin_client.get(CHANGELIST).content.decode()
    for table in ("users", "rooms", "room_members", "room_messages", "messages", "files", "tracks", "products"):
        assert f"?table_name={table}" in page, table
    assert "?table_name=listings" in page
    assert "?table_name=messages_" not in page


def test_changelist_queries_do_not_grow_with_the_rows(admin_client):
    from tests.rooms.factories import RoomMessageFactory

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert admin_client.get(CHANGELIST).status_code == 200
        return len(queries)

    RoomMessageFactory()
    few = count()
    for n in range(3):
        AdminFactory(username=f"mod-{n}")
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('veza.actor_id', %s, true)", [str(AdminFactory().pk)])
        RoomMessageFactory.create_batch(20)
    assert AuditLog.objects.filter(user__isnull=False).count() >= 20
    assert count() == few
