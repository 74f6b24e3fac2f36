"""Every model is in the moderation console, for staff roles only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from tests.accounts.factories import AdminFactory, SuperAdminFactory, UserFactory
from tests.catalog.factories import TrackFactory
from tests.chat.factories import MessageFactory
from tests.marketplace.factories import ListingFactory, ProductFactory
from tests.rooms.factories import RoomMemberFactory, RoomMessageFactory

pytestmark = pytest.mark.django_db

MODELS = sorted(
    (model._meta.app_label, model._meta.model_name)
    for model in admin.site._registry
    if model._meta.app_label in {"accounts", "chat", "rooms", "media", "catalog", "marketplace"}
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
