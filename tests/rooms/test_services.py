"""The rules of rooms, held by the services themselves: whoever calls them (a view, a socket, the console)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from core.errors import NotFound
from realtime.testing import capture_events
from rooms import services
from rooms.models import MemberRole, MessageType, Room, RoomMember, RoomMessage
from tests.accounts.factories import SuperAdminFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def room_admin(public_room):
    admin = UserFactory(username="roomadmin")
    services.room_join(user=admin, room=public_room)
    services.member_set_role(actor=public_room.creator, room=public_room, user=admin, role=MemberRole.ADMIN)
    return admin


def role_of(room, user):
    return RoomMember.objects.get(room=room, user=user).role


# --- creating and editing rooms -------------------------------------------------------------------


def test_creating_a_room_makes_its_creator_the_owner_and_writes_the_join_line(owner):
    room = services.room_create(creator=owner, name="  studio  ", description="  ")
    assert (room.name, room.description) == ("studio", None)
    assert list(RoomMember.objects.filter(room=room).values_list("user_id", "role")) == [(owner.pk, MemberRole.OWNER)]
    line = RoomMessage.objects.get(room=room)
    assert (line.user_id, line.message_type) == (owner.pk, MessageType.JOIN)


def test_a_private_room_stores_only_a_hash_of_its_password(owner):
    room = services.room_create(creator=owner, name="vault", is_private=True, password="open sesame")
    assert room.password_hash and "open sesame" not in room.password_hash


def test_a_room_name_taken_in_another_case_is_refused_and_nothing_is_written(owner, public_room):
    rooms, members, lines = Room.objects.count(), RoomMember.objects.count(), RoomMessage.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.room_create(creator=owner, name="LOBBY")
    assert "name" in refused.value.message_dict
    assert (Room.objects.count(), RoomMember.objects.count(), RoomMessage.objects.count()) == (rooms, members, lines)


def test_an_empty_room_name_is_refused(owner):
    with pytest.raises(ValidationError) as refused:
        services.room_create(creator=owner, name="   ")
    assert "name" in refused.value.message_dict
    assert not Room.objects.exists()


def test_a_member_cannot_edit_the_room(member, public_room):
    with pytest.raises(PermissionDenied):
        services.room_update(actor=member, room=public_room, name="mine now")
    public_room.refresh_from_db()
    assert public_room.name == "lobby"


def test_an_outsider_cannot_edit_the_room(outsider, public_room):
    with pytest.raises(PermissionDenied):
        services.room_update(actor=outsider, room=public_room, description="defaced")
    public_room.refresh_from_db()
    assert public_room.description == "Everyone"


def test_room_admins_and_site_moderators_edit_the_room(room_admin, moderator, public_room):
    services.room_update(actor=room_admin, room=public_room, description="Admins wrote this")
    services.room_update(actor=moderator, room=Room.objects.get(pk=public_room.pk), name="hall")
    public_room.refresh_from_db()
    assert (public_room.name, public_room.description) == ("hall", "Admins wrote this")


def test_renaming_a_room_to_a_taken_name_leaves_it_unchanged(owner, public_room, private_room):
    with pytest.raises(ValidationError):
        services.room_update(actor=owner, room=public_room, name="Backstage", description="changed too")
    public_room.refresh_from_db()
    assert (public_room.name, public_room.description) == ("lobby", "Everyone")


def test_a_deactivated_owner_cannot_edit_the_room(owner, public_room):
    owner.is_active = False
    owner.save(update_fields=["is_active"])
    with pytest.raises(PermissionDenied):
        services.room_update(actor=owner, room=public_room, name="renamed")
    public_room.refresh_from_db()
    assert public_room.name == "lobby"


def test_an_empty_password_makes_the_room_open_to_no_password(owner, private_room):
    services.room_update(actor=owner, room=private_room, password="")
    private_room.refresh_from_db()
    assert private_room.password_hash is None


def test_editing_a_room_tells_its_sockets(owner, public_room):
    with capture_events() as sent:
        services.room_update(actor=owner, room=public_room, description="News")
    assert [(event.group, event.type) for event in sent] == [(f"room-{public_room.pk}", "room.updated")]
    assert sent[0].event["room"]["description"] == "News"


# --- deleting, closing and reopening --------------------------------------------------------------


def test_a_room_admin_cannot_delete_the_room(room_admin, public_room):
    with pytest.raises(PermissionDenied):
        services.room_delete(actor=room_admin, room=public_room)
    assert Room.objects.filter(pk=public_room.pk).exists()


def test_an_admin_moderator_cannot_delete_a_room_but_a_super_admin_can(moderator, public_room):
    with pytest.raises(PermissionDenied):
        services.room_delete(actor=moderator, room=public_room)
    assert Room.objects.filter(pk=public_room.pk).exists()
    services.room_delete(actor=SuperAdminFactory(), room=public_room)
    assert not Room.objects.filter(pk=public_room.pk).exists()


def test_deleting_a_room_deletes_its_members_and_history(owner, public_room):
    room_id = public_room.pk
    services.room_delete(actor=owner, room=public_room)
    assert not RoomMember.objects.filter(room_id=room_id).exists()
    assert not RoomMessage.objects.filter(room_id=room_id).exists()


def test_only_site_moderators_close_a_room(owner, public_room):
    with pytest.raises(PermissionDenied):
        services.room_close(actor=owner, room=public_room, reason="I want it closed")
    public_room.refresh_from_db()
    assert public_room.moderated_at is None


def test_a_room_is_not_closed_without_a_reason(moderator, public_room):
    with pytest.raises(ValidationError) as refused:
        services.room_close(actor=moderator, room=public_room, reason="   ")
    assert "reason" in refused.value.message_dict
    public_room.refresh_from_db()
    assert public_room.moderated_at is None


def test_closing_a_room_records_who_and_why_and_cuts_every_member_off(moderator, owner, member, public_room):
    with capture_events() as sent:
        services.room_close(actor=moderator, room=public_room, reason="Spam")
    public_room.refresh_from_db()
    assert (public_room.moderated_by_id, public_room.moderation_reason) == (moderator.pk, "Spam")
    assert public_room.moderated_at is not None
    assert {event.type for event in sent if event.group == f"room-{public_room.pk}"} == {"room.message", "room.closed"}
    cut_off = {event.group for event in sent if event.group.startswith("user-")}
    assert cut_off == {f"user-{owner.pk}", f"user-{member.pk}"}
    assert RoomMember.objects.filter(room=public_room).count() == 2  # members stay, for a reopening


def test_nothing_is_posted_joined_or_changed_in_a_closed_room(moderator, owner, member, outsider, public_room):
    services.room_close(actor=moderator, room=public_room, reason="Spam")
    public_room.refresh_from_db()
    lines = RoomMessage.objects.count()
    with pytest.raises(PermissionDenied):
        services.room_message_send(user=member, room=public_room, content="still here?")
    with pytest.raises(NotFound):
        services.room_join(user=outsider, room=public_room)
    with pytest.raises(PermissionDenied):
        services.room_update(actor=owner, room=public_room, name="reopened by me")
    assert RoomMessage.objects.count() == lines
    assert not RoomMember.objects.filter(room=public_room, user=outsider).exists()


def test_authors_neither_edit_nor_delete_their_messages_in_a_closed_room(moderator, member, public_room):
    message = services.room_message_send(user=member, room=public_room, content="before the closing")
    services.room_close(actor=moderator, room=public_room, reason="Spam")
    message = RoomMessage.objects.select_related("room").get(pk=message.pk)
    with pytest.raises(PermissionDenied):
        services.room_message_edit(actor=member, message=message, content="after the closing")
    with pytest.raises(PermissionDenied):
        services.room_message_delete(actor=member, message=message)
    assert RoomMessage.objects.get(pk=message.pk).content == "before the closing"


def test_staff_still_post_in_a_closed_room(moderator, public_room):
    services.room_join(user=moderator, room=public_room)
    services.room_close(actor=moderator, room=public_room, reason="Spam")
    public_room.refresh_from_db()
    message = services.room_message_send(user=moderator, room=public_room, content="Closed for review.")
    assert message.pk


def test_the_owner_may_still_delete_a_closed_room(moderator, owner, public_room):
    services.room_close(actor=moderator, room=public_room, reason="Spam")
    public_room.refresh_from_db()
    services.room_delete(actor=owner, room=public_room)
    assert not Room.objects.filter(pk=public_room.pk).exists()


def test_only_site_moderators_reopen_a_room_and_members_find_it_as_it_was(moderator, owner, member, public_room):
    services.room_close(actor=moderator, room=public_room, reason="Spam")
    with pytest.raises(PermissionDenied):
        services.room_reopen(actor=owner, room=public_room)
    assert Room.objects.get(pk=public_room.pk).moderated_at is not None
    services.room_reopen(actor=moderator, room=public_room)
    public_room.refresh_from_db()
    assert (public_room.moderated_at, public_room.moderated_by_id, public_room.moderation_reason) == (None, None, None)
    assert services.room_message_send(user=member, room=public_room, content="back").pk


# --- membership -----------------------------------------------------------------------------------


def test_joining_twice_keeps_one_membership(member, public_room):
    again = services.room_join(user=member, room=public_room)
    assert RoomMember.objects.filter(room=public_room, user=member).count() == 1
    assert again.role == MemberRole.MEMBER


def test_a_wrong_password_answers_like_no_room_and_adds_no_member(outsider, private_room):
    with pytest.raises(NotFound):
        services.room_join(user=outsider, room=private_room, password="guess")
    assert not RoomMember.objects.filter(room=private_room, user=outsider).exists()


def test_joining_an_unknown_room_answers_like_a_wrong_password(outsider, db):
    with pytest.raises(NotFound) as refused:
        services.room_join_by_id(user=outsider, room_id=987654)
    assert str(refused.value) == "No such room, or a wrong password."


def test_joining_writes_the_join_line_and_tells_the_room(outsider, public_room):
    with capture_events() as sent:
        services.room_join(user=outsider, room=public_room)
    assert RoomMessage.objects.filter(room=public_room, user=outsider, message_type=MessageType.JOIN).exists()
    assert [event.type for event in sent] == ["room.message", "room.member_joined"]


def test_the_owner_cannot_leave_without_handing_the_room_over(owner, public_room):
    with pytest.raises(ValidationError):
        services.room_leave(user=owner, room=public_room)
    assert role_of(public_room, owner) == MemberRole.OWNER


def test_leaving_removes_the_membership_and_the_sockets_subscription(member, public_room):
    with capture_events() as sent:
        services.room_leave(user=member, room=public_room)
    assert not RoomMember.objects.filter(room=public_room, user=member).exists()
    assert f"user-{member.pk}" in {event.group for event in sent}


def test_leaving_a_room_i_am_not_in_changes_nothing(outsider, public_room):
    lines = RoomMessage.objects.count()
    services.room_leave(user=outsider, room=public_room)
    assert RoomMessage.objects.count() == lines


def test_a_member_cannot_add_people_to_a_private_room(member, outsider, private_room):
    with pytest.raises(PermissionDenied):
        services.member_add(actor=member, room=private_room, user=outsider)
    assert not RoomMember.objects.filter(room=private_room, user=outsider).exists()


def test_the_owner_adds_people_to_a_private_room_without_its_password(owner, outsider, private_room):
    services.member_add(actor=owner, room=private_room, user=outsider)
    assert role_of(private_room, outsider) == MemberRole.MEMBER


def test_a_member_cannot_remove_another_member(member, outsider, public_room):
    services.room_join(user=outsider, room=public_room)
    with pytest.raises(PermissionDenied):
        services.member_remove(actor=member, room=public_room, user=outsider)
    assert RoomMember.objects.filter(room=public_room, user=outsider).exists()


def test_nobody_removes_the_owner(room_admin, moderator, owner, public_room):
    for actor in (room_admin, moderator):
        with pytest.raises(PermissionDenied):
            services.member_remove(actor=actor, room=public_room, user=owner)
    assert role_of(public_room, owner) == MemberRole.OWNER


def test_a_room_admin_cannot_remove_another_admin_but_the_owner_can(room_admin, owner, member, public_room):
    services.member_set_role(actor=owner, room=public_room, user=member, role=MemberRole.ADMIN)
    with pytest.raises(PermissionDenied):
        services.member_remove(actor=room_admin, room=public_room, user=member)
    assert role_of(public_room, member) == MemberRole.ADMIN
    services.member_remove(actor=owner, room=public_room, user=member)
    assert not RoomMember.objects.filter(room=public_room, user=member).exists()


def test_removing_someone_who_is_not_a_member_is_not_found(owner, outsider, public_room):
    with pytest.raises(NotFound):
        services.member_remove(actor=owner, room=public_room, user=outsider)


def test_a_room_admin_cannot_change_roles(room_admin, member, public_room):
    with pytest.raises(PermissionDenied):
        services.member_set_role(actor=room_admin, room=public_room, user=member, role=MemberRole.ADMIN)
    assert role_of(public_room, member) == MemberRole.MEMBER


def test_ownership_is_not_given_by_a_role_change(owner, member, public_room):
    with pytest.raises(ValidationError) as refused:
        services.member_set_role(actor=owner, room=public_room, user=member, role=MemberRole.OWNER)
    assert "role" in refused.value.message_dict
    assert (role_of(public_room, owner), role_of(public_room, member)) == (MemberRole.OWNER, MemberRole.MEMBER)


def test_the_room_goes_only_to_a_member(owner, outsider, public_room):
    with pytest.raises(ValidationError):
        services.room_transfer(actor=owner, room=public_room, user=outsider)
    assert role_of(public_room, owner) == MemberRole.OWNER
    assert not RoomMember.objects.filter(room=public_room, user=outsider).exists()


def test_handing_the_room_over_makes_the_old_owner_an_admin(owner, member, public_room):
    services.room_transfer(actor=owner, room=public_room, user=member)
    assert (role_of(public_room, owner), role_of(public_room, member)) == (MemberRole.ADMIN, MemberRole.OWNER)
    assert RoomMember.objects.filter(room=public_room, role=MemberRole.OWNER).count() == 1


def test_a_room_admin_cannot_hand_the_room_over(room_admin, owner, public_room):
    with pytest.raises(PermissionDenied):
        services.room_transfer(actor=room_admin, room=public_room, user=room_admin)
    assert role_of(public_room, owner) == MemberRole.OWNER


# --- messages -------------------------------------------------------------------------------------


def test_a_non_member_cannot_post_in_a_public_room(outsider, public_room):
    lines = RoomMessage.objects.count()
    with pytest.raises(PermissionDenied):
        services.room_message_send(user=outsider, room=public_room, content="let me in")
    assert RoomMessage.objects.count() == lines


def test_a_non_member_cannot_post_in_a_private_room(outsider, private_room):
    with pytest.raises(PermissionDenied):
        services.room_message_send(user=outsider, room=private_room, content="hello?")
    assert not RoomMessage.objects.filter(room=private_room, user=outsider).exists()


@pytest.mark.parametrize("content", ["", "   \n ", "nul\x00byte", "x" * 10001])
def test_an_empty_unstorable_or_too_long_message_is_refused(member, public_room, content):
    lines = RoomMessage.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.room_message_send(user=member, room=public_room, content=content)
    assert "content" in refused.value.message_dict
    assert RoomMessage.objects.count() == lines


def test_a_message_is_stored_trimmed(member, public_room):
    message = services.room_message_send(user=member, room=public_room, content="  hello  ")
    assert RoomMessage.objects.get(pk=message.pk).content == "hello"


def test_sends_past_the_rate_limit_are_refused_and_not_stored(member, public_room, settings):
    settings.CHAT_MESSAGES_PER_WINDOW = 2
    services.room_message_send(user=member, room=public_room, content="one")
    services.room_message_send(user=member, room=public_room, content="two")
    with pytest.raises(services.MessageRateLimited) as refused:
        services.room_message_send(user=member, room=public_room, content="three")
    assert refused.value.wait > 0
    sent = RoomMessage.objects.filter(room=public_room, user=member, message_type=MessageType.MESSAGE)
    assert sorted(sent.values_list("content", flat=True)) == ["one", "two"]


def test_a_retried_client_id_stores_the_message_once(member, public_room):
    first = services.room_message_send(user=member, room=public_room, content="once", client_id="c-1")
    again = services.room_message_send(user=member, room=public_room, content="once", client_id="c-1")
    assert again.pk == first.pk
    assert RoomMessage.objects.filter(room=public_room, content="once").count() == 1


def test_a_member_cannot_edit_someone_elses_message(owner, member, public_room):
    message = services.room_message_send(user=owner, room=public_room, content="original")
    with pytest.raises(PermissionDenied):
        services.room_message_edit(actor=member, message=message, content="forged")
    message.refresh_from_db()
    assert (message.content, message.edited_at) == ("original", None)


def test_a_room_admin_cannot_edit_someone_elses_message(room_admin, member, public_room):
    message = services.room_message_send(user=member, room=public_room, content="original")
    with pytest.raises(PermissionDenied):
        services.room_message_edit(actor=room_admin, message=message, content="forged")
    message.refresh_from_db()
    assert message.content == "original"


def test_nobody_edits_a_join_line_not_even_a_moderator(moderator, member, public_room):
    line = RoomMessage.objects.get(room=public_room, user=member, message_type=MessageType.JOIN)
    with pytest.raises(PermissionDenied):
        services.room_message_edit(actor=moderator, message=line, content="rewritten")
    line.refresh_from_db()
    assert line.content == "member joined"


def test_editing_my_message_records_when(member, public_room):
    message = services.room_message_send(user=member, room=public_room, content="typo")
    services.room_message_edit(actor=member, message=message, content="  fixed  ")
    message.refresh_from_db()
    assert message.content == "fixed"
    assert message.edited_at is not None


def test_a_member_cannot_delete_someone_elses_message(owner, member, public_room):
    message = services.room_message_send(user=owner, room=public_room, content="keep me")
    with pytest.raises(PermissionDenied):
        services.room_message_delete(actor=member, message=message)
    assert RoomMessage.objects.filter(pk=message.pk).exists()


def test_room_admins_delete_anyones_message(room_admin, member, public_room):
    message = services.room_message_send(user=member, room=public_room, content="off topic")
    message_id = message.pk
    with capture_events() as sent:
        services.room_message_delete(actor=room_admin, message=message)
    assert not RoomMessage.objects.filter(pk=message.pk).exists()
    assert [event.event for event in sent] == [
        {"type": "room.message_deleted", "room": public_room.pk, "message_id": message_id}
    ]
