"""The moderation console by role: what plain users, admins and super admins can see and do.

Every write of the console goes through the apps' services, so the same rules hold through the API.
"""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import services as account_services
from accounts.models import AuditLog, RefreshToken, Role, User
from accounts.tokens import token_pair_issue
from catalog import services as catalog_services
from catalog.models import Track
from chat import services as chat_services
from chat.models import Message
from core.errors import NotFound
from marketplace import services as market_services
from marketplace.models import Listing, ListingStatus, Product
from media import services as media_services
from media.models import File
from realtime.testing import capture_events
from rooms import services as room_services
from rooms.models import MemberRole, MessageType, Room, RoomMember, RoomMessage
from tests.accounts.factories import AdminFactory, SuperAdminFactory, UserFactory
from tests.catalog.factories import TrackFactory
from tests.chat.factories import MessageFactory
from tests.marketplace.factories import ListingFactory, ProductFactory
from tests.media.factories import FileFactory
from tests.rooms.factories import RoomFactory, RoomMemberFactory

pytestmark = pytest.mark.django_db

APPS = {"accounts", "chat", "rooms", "media", "catalog", "marketplace", "search"}
CHANGELISTS = sorted(
    f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
    for model in admin.site._registry
    if model._meta.app_label in APPS
)


def url(model, view="changelist", *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def act(client, model, action, objects, data_extra=None, **extra):
    """Run the changelist action ``action`` on ``objects`` (``data_extra``: more form fields, e.g. a reason)."""
    data = {"action": action, "_selected_action": [obj.pk for obj in objects], **(data_extra or {})}
    return client.post(url(model), data, **extra)


def bulk_delete(client, model, objects):
    """Django's "delete selected" action, confirmed."""
    data = {"action": "delete_selected", "_selected_action": [obj.pk for obj in objects], "post": "yes"}
    return client.post(url(model), data)


def flash(response) -> list[str]:
    return [str(message) for message in response.wsgi_request._messages]


@pytest.fixture
def moderator(client):
    user = AdminFactory(username="mod")
    client.force_login(user)
    return user


@pytest.fixture
def boss(client):
    user = SuperAdminFactory(username="boss")
    client.force_login(user)
    return user


@pytest.fixture
def room():
    owner = UserFactory(username="owner")
    room = room_services.room_create(creator=owner, name="lobby")
    room_services.room_join(user=UserFactory(username="member"), room=room)
    return room


# --- who gets in -------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [*CHANGELISTS, "admin:index"])
def test_plain_user_is_refused_every_page_of_the_console(client, name):
    client.force_login(UserFactory())
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_plain_user_cannot_run_actions(client):
    target = UserFactory()
    client.force_login(UserFactory())
    response = act(client, User, "deactivate", [target])
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    target.refresh_from_db()
    assert target.is_active


@pytest.mark.parametrize("model", [Room, RoomMessage, Message, File, Track, Product, Listing, User])
def test_content_is_not_added_through_the_console(client, moderator, model):
    assert client.get(url(model, "add")).status_code == 403


# --- accounts ------------------------------------------------------------------------------------------


def test_admin_deactivates_and_reactivates_accounts(client, moderator):
    target = UserFactory()
    token_pair_issue(user=target)
    response = act(client, User, "deactivate", [target])
    assert response.status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert not RefreshToken.objects.filter(user=target).live().exists()
    assert LogEntry.objects.filter(object_id=str(target.pk), user=moderator, change_message="Deactivated").exists()
    act(client, User, "reactivate", [target])
    target.refresh_from_db()
    assert target.is_active


def test_admin_marks_accounts_verified(client, moderator):
    target = UserFactory(is_verified=False)
    act(client, User, "mark_verified", [target])
    target.refresh_from_db()
    assert target.is_verified


def test_admin_bulk_action_skips_super_admins_and_says_so(client, moderator):
    boss, target = SuperAdminFactory(username="chief"), UserFactory()
    response = act(client, User, "deactivate", [boss, target], follow=True)
    boss.refresh_from_db()
    target.refresh_from_db()
    assert boss.is_active and not target.is_active
    assert any("chief" in text and "super admin" in text for text in flash(response))


def test_admin_actions_are_audited_with_the_admins_id_and_ip(client, moderator):
    target = UserFactory()
    act(client, User, "deactivate", [target], REMOTE_ADDR="198.51.100.23")
    row = AuditLog.objects.filter(table_name="users", record_id=target.pk).latest("id")
    assert (row.old_values["is_active"], row.new_values["is_active"]) == (True, False)
    assert (row.user_id, row.ip_address) == (moderator.pk, "198.51.100.23")


def test_admin_cannot_see_the_role_field_nor_delete_accounts(client, moderator):
    target = UserFactory()
    page = client.get(url(User, "change", target.pk)).content.decode()
    assert 'name="role"' not in page
    assert "delete_selected" not in client.get(url(User)).content.decode()
    assert client.post(url(User, "delete", target.pk), {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=target.pk).exists()


def test_super_admin_sees_delete_on_every_moderated_model(client, boss):
    for model in (User, Room, File, Track, Product, Listing, RoomMessage, Message, RoomMember):
        assert "delete_selected" in client.get(url(model)).content.decode(), model


# --- hard deletion: super admins only -------------------------------------------------------------------


def _room():
    return RoomFactory()


HARD_DELETES = [
    (Room, _room),
    (File, FileFactory),
    (Track, TrackFactory),
    (Product, ProductFactory),
    (Listing, ListingFactory),
]


@pytest.mark.parametrize(("model", "make"), HARD_DELETES)
def test_admin_cannot_hard_delete(client, moderator, model, make):
    obj = make()
    assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    bulk_delete(client, model, [obj])
    assert model.objects.filter(pk=obj.pk).exists()
    assert "delete_selected" not in client.get(url(model)).content.decode()


@pytest.mark.parametrize(("model", "make"), HARD_DELETES)
def test_super_admin_hard_deletes(client, boss, model, make, django_capture_on_commit_callbacks):
    obj = make()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(model, "delete", obj.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize(("model", "make"), [(Room, _room), (File, FileFactory), (Product, ProductFactory)])
def test_super_admin_bulk_deletes_through_the_services(client, boss, model, make):
    objects = [make(), make()]
    assert bulk_delete(client, model, objects).status_code == 302
    assert not model.objects.filter(pk__in=[o.pk for o in objects]).exists()


def test_services_refuse_hard_deletes_by_admins_but_not_by_owners():
    moderator, product, listing, file = AdminFactory(), ProductFactory(), ListingFactory(), FileFactory()
    for call in (
        lambda: market_services.product_delete(actor=moderator, product=product),
        lambda: market_services.listing_delete(actor=moderator, listing=listing),
        lambda: media_services.file_delete(actor=moderator, file=file),
    ):
        with pytest.raises(PermissionDenied):
            call()
    market_services.product_delete(actor=product.creator, product=product)
    market_services.listing_delete(actor=SuperAdminFactory(), listing=listing)
    assert not Product.objects.exists() and not Listing.objects.exists()


# --- rooms ---------------------------------------------------------------------------------------------


def test_admin_deletes_a_room_message(client, moderator, room):
    message = room_services.room_message_send(user=room.creator, room=room, content="spam")
    with capture_events() as sent:
        response = client.post(url(RoomMessage, "delete", message.pk), {"post": "yes"})
    assert response.status_code == 302
    assert not RoomMessage.objects.filter(pk=message.pk).exists()
    assert [event.event for event in sent] == [
        {"type": "room.message_deleted", "room": room.pk, "message_id": message.pk}
    ]


def test_admin_bulk_deletes_room_messages(client, moderator, room):
    messages = [room_services.room_message_send(user=room.creator, room=room, content=f"spam {i}") for i in range(3)]
    assert act(client, RoomMessage, "delete_selected", messages).status_code == 200  # the confirmation page
    assert bulk_delete(client, RoomMessage, messages).status_code == 302
    assert not RoomMessage.objects.filter(pk__in=[m.pk for m in messages]).exists()


def test_admin_edits_a_room_message(client, moderator, room):
    message = room_services.room_message_send(user=room.creator, room=room, content="rude words")
    response = client.post(url(RoomMessage, "change", message.pk), {"content": "[removed by the moderators]"})
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.content == "[removed by the moderators]" and message.edited_at is not None


def test_system_lines_are_not_editable(client, moderator, room):
    line = RoomMessage.objects.filter(room=room, message_type=MessageType.JOIN).first()
    assert 'name="content"' not in client.get(url(RoomMessage, "change", line.pk)).content.decode()


def test_room_owner_who_is_not_a_moderator_still_cannot_edit_others_messages(room):
    message = room_services.room_message_send(user=RoomMember.objects.get(room=room, role="member").user,
                                              room=room, content="mine")  # fmt: skip
    with pytest.raises(PermissionDenied):
        room_services.room_message_edit(actor=room.creator, message=message, content="yours")


def test_admin_removes_a_member_but_not_the_owner(client, moderator, room):
    member = RoomMember.objects.get(room=room, role=MemberRole.MEMBER)
    owner = RoomMember.objects.get(room=room, role=MemberRole.OWNER)
    RoomMemberFactory()  # in another room
    assert f"?room__id__exact={room.pk}" in client.get(url(Room, "change", room.pk)).content.decode()
    listed = client.get(url(RoomMember), {"room__id__exact": room.pk}).context["cl"].result_list
    assert {m.pk for m in listed} == {member.pk, owner.pk}
    assert client.post(url(RoomMember, "delete", member.pk), {"post": "yes"}).status_code == 302
    assert not RoomMember.objects.filter(pk=member.pk).exists()
    response = client.post(url(RoomMember, "delete", owner.pk), {"post": "yes"}, follow=True)
    assert RoomMember.objects.filter(pk=owner.pk).exists()
    assert "The owner cannot be removed." in flash(response)
    assert RoomMessage.objects.filter(room=room, content="member was removed").exists()


def test_admin_adds_a_member_through_the_service(client, moderator, room):
    newcomer = UserFactory(username="newcomer")
    response = client.post(url(RoomMember, "add"), {"room": room.pk, "user": newcomer.pk})
    assert response.status_code == 302
    assert RoomMember.objects.get(room=room, user=newcomer).role == MemberRole.MEMBER
    assert RoomMessage.objects.filter(room=room, content="newcomer was added by mod").exists()


def test_only_super_admins_change_member_roles(client, room):
    member = RoomMember.objects.get(room=room, role=MemberRole.MEMBER)
    client.force_login(AdminFactory())
    assert 'name="role"' not in client.get(url(RoomMember, "change", member.pk)).content.decode()
    client.force_login(SuperAdminFactory())
    assert client.post(url(RoomMember, "change", member.pk), {"role": "admin"}).status_code == 302
    member.refresh_from_db()
    assert member.role == MemberRole.ADMIN


def test_admin_closes_a_room_with_a_reason(client, moderator, room, api):
    former = RoomMember.objects.get(room=room, role=MemberRole.MEMBER).user
    history = RoomMessage.objects.filter(room=room).count()
    response = act(client, Room, "close", [room])  # first the page asking for the reason
    assert response.status_code == 200 and "reason" in response.content.decode()
    response = act(client, Room, "close", [room], data_extra={"apply": "1", "reason": "Spam ring"})
    assert response.status_code == 302
    room.refresh_from_db()
    assert room.moderated_at and room.moderated_by == moderator and room.moderation_reason == "Spam ring"
    assert RoomMember.objects.filter(room=room).count() == 2  # members stay, for a reopening
    assert RoomMessage.objects.filter(room=room).count() == history + 1  # the history stays, with a notice
    api.force_authenticate(former)
    assert api.get(f"/api/v1/rooms/{room.pk}/").status_code == 404
    with pytest.raises(NotFound):  # a closed room cannot be joined
        room_services.room_join(user=former, room=room, password="")


def test_admin_edits_a_room_through_the_service(client, moderator, room):
    response = client.post(url(Room, "change", room.pk), {"name": "renamed", "description": "", "is_private": ""})
    assert response.status_code == 302
    room.refresh_from_db()
    assert room.name == "renamed" and room.description is None


def test_a_taken_room_name_is_a_form_error(client, moderator, room):
    RoomFactory(name="taken")
    response = client.post(url(Room, "change", room.pk), {"name": "TAKEN", "description": "", "is_private": ""})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    room.refresh_from_db()
    assert room.name == "lobby"


def test_a_service_refusal_in_a_change_form_is_shown_and_rolled_back(client, boss, room):
    member = RoomMember.objects.get(room=room, role=MemberRole.MEMBER)
    response = client.post(url(RoomMember, "change", member.pk), {"role": "owner"}, follow=True)
    assert any("use transfer" in text for text in flash(response))
    member.refresh_from_db()
    assert member.role == MemberRole.MEMBER
    assert not LogEntry.objects.filter(object_id=str(member.pk)).exists()


def test_plain_users_cannot_close_rooms(room):
    with pytest.raises(PermissionDenied):
        room_services.room_close(actor=room.creator, room=room, reason="Mine")
    room.refresh_from_db()
    assert room.moderated_at is None


# --- direct messages ------------------------------------------------------------------------------------


def test_admin_edits_and_deletes_direct_messages(client, moderator):
    message = MessageFactory(content="rude")
    assert client.post(url(Message, "change", message.pk), {"content": "[removed]"}).status_code == 302
    message.refresh_from_db()
    assert message.content == "[removed]" and message.edited_at is not None
    assert client.post(url(Message, "delete", message.pk), {"post": "yes"}).status_code == 302
    assert not Message.objects.filter(pk=message.pk).exists()


def test_only_the_sender_or_a_moderator_edits_or_deletes_a_direct_message():
    message = MessageFactory()
    for actor in (message.recipient, UserFactory()):
        with pytest.raises(PermissionDenied):
            chat_services.dm_edit(actor=actor, message=message, content="changed")
        with pytest.raises(PermissionDenied):
            chat_services.dm_delete(actor=actor, message=message)
    chat_services.dm_delete(actor=message.sender, message=message)
    assert not Message.objects.exists()


# --- media, tracks, marketplace -------------------------------------------------------------------------


def test_admin_hides_a_track_and_it_disappears(client, moderator, api):
    track = TrackFactory()
    assert act(client, Track, "hide", [track], data_extra={"apply": "1", "reason": "Stolen"}).status_code == 302
    track.refresh_from_db()
    assert track.moderation_reason == "Stolen" and track.file.is_public  # the owner's switch is untouched
    api.force_authenticate(UserFactory())
    assert api.get(f"/api/v1/tracks/{track.pk}/").status_code == 404


def test_admin_edits_a_track_but_not_its_owners_switch(client, moderator):
    track = TrackFactory(title="Old")
    data = {"title": "New", "artist": track.artist, "album": track.album, "genre": track.genre, "is_public": ""}
    assert client.post(url(Track, "change", track.pk), data).status_code == 302
    track.refresh_from_db()
    track.file.refresh_from_db()
    assert track.title == "New" and track.file.is_public


def test_admin_hides_files(client, moderator):
    shown, other = FileFactory(), FileFactory()
    act(client, File, "hide", [shown, other], data_extra={"apply": "1", "reason": "Malware"})
    assert File.objects.filter(moderation_reason="Malware").count() == 2
    assert client.post(url(File, "change", other.pk), {"is_public": ""}).status_code == 302  # nothing to edit
    assert File.objects.filter(is_public=True).count() == 2


def test_admin_hides_and_edits_products(client, moderator):
    product, edited = ProductFactory(), ProductFactory()
    act(client, Product, "hide", [product], data_extra={"apply": "1", "reason": "Counterfeit"})
    data = {"name": "Renamed", "description": "d", "price": "5.00", "category": "Beats", "is_active": ""}
    assert client.post(url(Product, "change", edited.pk), data).status_code == 302
    assert list(Product.objects.filter(moderated_at__isnull=False)) == [product]
    assert Product.objects.filter(is_active=True).count() == 2  # the owner's switch is not the console's
    edited.refresh_from_db()
    assert (edited.name, edited.price) == ("Renamed", Decimal("5.00"))


def test_admin_archives_listings_and_final_ones_are_read_only(client, moderator):
    listing = ListingFactory(status=ListingStatus.ACTIVE)
    act(client, Listing, "archive", [listing])
    listing.refresh_from_db()
    assert listing.status == ListingStatus.ARCHIVED
    assert 'name="title"' not in client.get(url(Listing, "change", listing.pk)).content.decode()
    response = act(client, Listing, "archive", [listing], follow=True)  # archived is final
    assert any("cannot become archived" in text for text in flash(response))


def test_admin_cannot_move_a_listings_status_by_hand(client, moderator):
    listing = ListingFactory(status=ListingStatus.DRAFT)
    data = {"title": "T", "description": "D", "price": "1.00", "status": "sold"}
    assert client.post(url(Listing, "change", listing.pk), data).status_code == 302
    listing.refresh_from_db()
    assert (listing.title, listing.status) == ("T", ListingStatus.DRAFT)


# --- the services behind the console refuse plain users ---------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        lambda actor, target: account_services.user_set_active(actor=actor, user=target, active=False),
        lambda actor, target: account_services.user_mark_verified(actor=actor, user=target),
        lambda actor, target: account_services.user_moderate(actor=actor, user=target, changed=["bio"]),
    ],
)
def test_account_moderation_services_refuse_plain_users(call):
    target = UserFactory()
    with pytest.raises(PermissionDenied):
        call(UserFactory(), target)
    with pytest.raises(PermissionDenied):
        call(AdminFactory(), SuperAdminFactory())
    call(AdminFactory(), target)


def test_admins_see_but_cannot_touch_a_super_admin(client, moderator):
    boss = SuperAdminFactory()
    response = client.get(url(User, "change", boss.pk))
    assert response.status_code == 200
    assert 'name="is_active"' not in response.content.decode()
    assert User.objects.get(pk=boss.pk).role == Role.SUPER_ADMIN


def test_super_admin_deletes_an_account_with_everything_it_owns(client, boss):
    target = UserFactory()
    token_pair_issue(user=target)
    TrackFactory(file=FileFactory(user=target), creator=target)
    MessageFactory(sender=target)
    ProductFactory(creator=target)
    room_services.room_create(creator=target, name="theirs")
    assert "Are you sure" in client.get(url(User, "delete", target.pk)).content.decode()
    assert client.post(url(User, "delete", target.pk), {"post": "yes"}).status_code == 302
    assert not User.objects.filter(pk=target.pk).exists()
    assert not RefreshToken.objects.filter(user_id=target.pk).exists()


def test_admins_cannot_delete_refresh_tokens(client, moderator):
    token_pair_issue(user=UserFactory())
    token = RefreshToken.objects.get()
    assert client.post(url(RefreshToken, "delete", token.pk), {"post": "yes"}).status_code == 403
    assert 'name="token"' not in client.get(url(RefreshToken, "change", token.pk)).content.decode()
    assert token.token not in client.get(url(RefreshToken, "change", token.pk)).content.decode()


def test_history_records_only_the_deletions_that_happened(client):
    from django.contrib.admin.models import DELETION, LogEntry

    from rooms.models import RoomMember

    owner = UserFactory()
    room = room_services.room_create(creator=owner, name="history-room")
    member = UserFactory()
    room_services.room_join(user=member, room=room)
    memberships = list(RoomMember.objects.filter(room=room))
    client.force_login(SuperAdminFactory())
    response = client.post(
        reverse("admin:rooms_roommember_changelist"),
        {"action": "delete_selected", "_selected_action": [m.pk for m in memberships], "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    logged = set(LogEntry.objects.filter(action_flag=DELETION).values_list("object_id", flat=True))
    remaining = set(RoomMember.objects.filter(room=room).values_list("pk", flat=True))
    assert remaining  # the owner cannot be removed
    assert logged == {str(m.pk) for m in memberships} - {str(pk) for pk in remaining}


# --- hiding with a reason (a moderation state the owner cannot lift) ---------------------------------------

HIDEABLE = [
    (File, FileFactory, "hide", "restore"),
    (Track, TrackFactory, "hide", "restore"),
    (Product, ProductFactory, "hide", "restore"),
    (Listing, ListingFactory, "hide", "restore"),
    (Room, RoomFactory, "close", "reopen"),
]


@pytest.mark.parametrize(("model", "make", "hide", "restore"), HIDEABLE, ids=lambda v: getattr(v, "__name__", v))
def test_admin_hides_with_a_reason_filters_by_state_and_restores(client, moderator, model, make, hide, restore):
    target, other = make(), make()
    page = act(client, model, hide, [target])  # the intermediate page asks for the reason
    assert page.status_code == 200 and 'name="reason"' in page.content.decode()
    refused = act(client, model, hide, [target], data_extra={"apply": "1", "reason": "  "})
    assert refused.status_code == 200 and "This field is required" in refused.content.decode()
    assert not model.objects.filter(moderated_at__isnull=False).exists()
    assert act(client, model, hide, [target], data_extra={"apply": "1", "reason": "Spam"}).status_code == 302
    target.refresh_from_db()
    assert (target.moderated_by, target.moderation_reason) == (moderator, "Spam") and target.moderated_at
    hidden = client.get(url(model), {"moderated": "yes"}).context["cl"].result_list
    assert list(hidden) == [target]
    assert other in client.get(url(model), {"moderated": "no"}).context["cl"].result_list
    assert LogEntry.objects.filter(object_id=str(target.pk)).exists()
    assert act(client, model, restore, [target]).status_code == 302
    target.refresh_from_db()
    assert (target.moderated_at, target.moderated_by, target.moderation_reason) == (None, None, None)


@pytest.mark.parametrize(("model", "make", "hide", "restore"), HIDEABLE, ids=lambda v: getattr(v, "__name__", v))
def test_the_moderation_state_is_not_a_form_field_of_the_console(client, moderator, model, make, hide, restore):
    target = make()
    fields = client.get(url(model, "change", target.pk)).context["adminform"].form.fields
    assert not {"moderated_at", "moderated_by", "moderation_reason"} & set(fields)


def test_the_home_page_shows_nothing_moderators_hid(client):
    staff = AdminFactory()
    track = TrackFactory(title="Zanzibar track")
    product = ProductFactory(name="Zanzibar product")
    listing = ListingFactory(title="Zanzibar listing", status=ListingStatus.ACTIVE)
    room = RoomFactory(name="zanzibar-room")
    assert client.get("/").content.decode().count("anzibar") == 4
    catalog_services.track_hide(actor=staff, track=track, reason="x")
    market_services.product_hide(actor=staff, product=product, reason="x")
    market_services.listing_hide(actor=staff, listing=listing, reason="x")
    room_services.room_close(actor=staff, room=room, reason="x")
    assert "anzibar" not in client.get("/").content.decode()
