"""Every model is in the moderation console, for staff roles only."""

import uuid
from datetime import timedelta

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLog, RefreshToken
from chat.models import Message
from console.moderation import EstimatedCountPaginator, table_estimate
from tests.accounts.factories import AdminFactory, SuperAdminFactory, UserFactory
from tests.catalog.factories import TrackFactory
from tests.chat.factories import MessageFactory
from tests.marketplace.factories import ListingFactory, ProductFactory
from tests.media.factories import FileFactory
from tests.rooms.factories import RoomFactory, RoomMemberFactory, RoomMessageFactory

pytestmark = pytest.mark.django_db

MODELS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in {"accounts", "chat", "rooms", "media", "catalog", "marketplace", "search"}
)


def test_every_schema_table_is_registered():
    tables = {model._meta.db_table for model in admin.site._registry}
    assert {
        "users",
        "refresh_tokens",
        "audit_logs",
        "messages",
        "rooms",
        "room_members",
        "room_messages",
        "files",
        "tracks",
        "search_index",
        "products",
        "listings",
    } <= tables


@pytest.fixture
def populated():
    TrackFactory()
    MessageFactory()
    RoomMemberFactory()
    RoomMessageFactory()
    ProductFactory()
    ListingFactory()
    UserFactory(bio="updated").save()  # writes an audit row


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_changelist_and_change_pages_render_for_staff(client, populated, app, model):
    client.force_login(AdminFactory())
    response = client.get(reverse(f"admin:{app}_{model}_changelist"))
    assert response.status_code == 200
    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.model_name == model)
    obj = model_admin.model.objects.first()
    if obj is not None:
        assert client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk])).status_code == 200


@pytest.mark.parametrize(("app", "model"), MODELS)
def test_changelist_search_works(client, populated, app, model):
    client.force_login(SuperAdminFactory())
    assert client.get(reverse(f"admin:{app}_{model}_changelist"), {"q": "x"}).status_code == 200


def test_regular_user_cannot_enter_the_console(client):
    client.force_login(UserFactory())
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_deactivated_admin_cannot_enter_the_console(client):
    client.force_login(AdminFactory(is_active=False))
    assert client.get(reverse("admin:index")).status_code == 302


def test_message_list_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    client.force_login(AdminFactory())
    for _ in range(15):
        MessageFactory()
    with django_assert_max_num_queries(12):
        client.get(reverse("admin:chat_message_changelist"))


# --- changelists stay fast: the same queries for 3 rows as for 30 ------------------------------------


def _refresh_token():
    user = UserFactory()
    return RefreshToken.objects.create(user=user, token=uuid.uuid4().hex, expires_at=timezone.now() + timedelta(days=1))


def _audit_row():
    return AuditLog.objects.create(table_name="users", record_id=1, action="UPDATE", user=AdminFactory(),
                                   old_values={"bio": "a"}, new_values={"bio": "b"})  # fmt: skip


ROWS = {
    "accounts.user": UserFactory,
    "accounts.refreshtoken": _refresh_token,
    "accounts.auditlog": _audit_row,
    "chat.message": MessageFactory,
    "rooms.room": RoomFactory,
    "rooms.roommember": RoomMemberFactory,
    "rooms.roommessage": RoomMessageFactory,
    "media.file": FileFactory,
    "catalog.track": TrackFactory,
    "marketplace.product": ProductFactory,
    "marketplace.listing": ListingFactory,
    "search.searchindex": ProductFactory,  # each product brings its index row
}


def _changelist_queries(client, name: str, rows: int) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse(name))
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) >= rows
    return len(queries)


@pytest.mark.parametrize("label", sorted(ROWS))
def test_changelist_runs_the_same_queries_for_3_and_30_rows(client, label):
    app, model = label.split(".")
    name = f"admin:{app}_{model}_changelist"
    client.force_login(SuperAdminFactory())
    for _ in range(3):
        ROWS[label]()
    few = _changelist_queries(client, name, 3)
    for _ in range(27):
        ROWS[label]()
    assert _changelist_queries(client, name, 30) == few


def test_every_moderated_changelist_has_its_query_count_pinned():
    assert {f"{app}.{model}" for app, model in MODELS} == set(ROWS)


def test_large_unfiltered_lists_are_not_counted_but_filtered_ones_are():
    for _ in range(5):
        MessageFactory()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE messages")
    assert table_estimate(Message) == 5  # summed over the monthly partitions
    paginator = EstimatedCountPaginator(Message.objects.order_by("-id"), 2)
    paginator.estimate_from = 5
    with CaptureQueriesContext(connection) as queries:
        assert paginator.count == 5
    assert "count(" not in queries[0]["sql"].lower()
    filtered = EstimatedCountPaginator(Message.objects.filter(is_read=False).order_by("-id"), 2)
    filtered.estimate_from = 1
    with CaptureQueriesContext(connection) as queries:
        assert filtered.count == 5
    assert "count(" in queries[-1]["sql"].lower()


def test_search_index_is_read_only_even_for_super_admins(client):
    from search.models import SearchIndex

    product = ProductFactory(name="Indexed product")
    row = SearchIndex.objects.get(entity_type="product", entity_id=product.pk)
    client.force_login(SuperAdminFactory())
    change = reverse("admin:search_searchindex_change", args=[row.pk])
    page = client.get(change)
    assert page.status_code == 200 and "Indexed product" in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change, {"title": "forged"}).status_code == 403
    assert client.post(reverse("admin:search_searchindex_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert row.title == "Indexed product"


def test_message_search_uses_words_usernames_and_room_names(client):
    alice, bob = UserFactory(username="Alice"), UserFactory(username="bob")
    room = RoomFactory(name="Jazz-Club")
    RoomMessageFactory(room=room, user=alice, content="Les répétitions commencent lundi")
    RoomMessageFactory(room=RoomFactory(), user=bob, content="Rien à voir")
    MessageFactory(sender=alice, recipient=bob, content="Concert demain soir")
    MessageFactory(sender=bob, recipient=UserFactory(), content="Autre chose")
    client.force_login(AdminFactory())

    def found(model, q):
        response = client.get(reverse(f"admin:{model}_changelist"), {"q": q})
        assert response.status_code == 200
        return sorted(obj.content for obj in response.context["cl"].result_list)

    assert found("rooms_roommessage", "répétition") == ["Les répétitions commencent lundi"]
    assert found("rooms_roommessage", "alice") == ["Les répétitions commencent lundi"]
    assert found("rooms_roommessage", "jazz-club") == ["Les répétitions commencent lundi"]
    assert found("chat_message", "concerts") == ["Concert demain soir"]
    assert found("chat_message", "ALICE") == ["Concert demain soir"]
    assert found("chat_message", "bob") == ["Autre chose", "Concert demain soir"]
    assert found("chat_message", '"unbalanced & | !') == []


def test_message_search_reads_the_full_text_index(rf):
    from console.admin.rooms import RoomMessageAdmin
    from rooms.models import RoomMessage

    admin_view = RoomMessageAdmin(RoomMessage, admin.site)
    queryset, _ = admin_view.get_search_results(rf.get("/"), RoomMessage.objects.all(), "concert")
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        sql, params = queryset.order_by().query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
    assert "idx_room_messages_content_fts" in plan, plan
