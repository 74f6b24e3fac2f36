"""The rooms policy (rooms.permissions): for each rule, a user it allows and one it refuses."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from rooms import permissions
from rooms.models import MemberRole, MessageType
from tests.accounts.factories import AdminFactory, SuperAdminFactory, UserFactory
from tests.rooms.factories import RoomFactory, RoomMemberFactory, RoomMessageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def room():
    return RoomFactory()


def _member(room, role=MemberRole.MEMBER):
    return RoomMemberFactory(room=room, role=role).user


def _close(room):
    room.moderated_at, room.moderation_reason = timezone.now(), "spam"


def test_membership_is_none_for_outsiders_and_anonymous(room):
    member = _member(room)
    assert permissions.membership(member, room).user == member
    assert permissions.membership(UserFactory(), room) is None
    assert permissions.membership(AnonymousUser(), room) is None


def test_a_closed_room_is_open_to_moderators_only(room):
    member = _member(room)
    assert permissions.is_open_to(member, room)
    _close(room)
    assert not permissions.is_open_to(member, room)
    assert not permissions.is_open_to(AnonymousUser(), room)
    assert permissions.is_open_to(AdminFactory(), room)


def test_owner_admins_and_moderators_manage_a_room_members_do_not(room):
    assert permissions.can_manage_room(_member(room, MemberRole.OWNER), room)
    assert permissions.can_manage_room(_member(room, MemberRole.ADMIN), room)
    assert permissions.can_manage_room(AdminFactory(), room)
    assert not permissions.can_manage_room(_member(room), room)
    assert not permissions.can_manage_room(UserFactory(), room)
    assert not permissions.can_manage_room(AnonymousUser(), room)


def test_can_manage_room_uses_the_membership_it_is_given(room, django_assert_num_queries):
    owner = _member(room, MemberRole.OWNER)
    member = permissions.membership(owner, room)
    with django_assert_num_queries(0):
        assert permissions.can_manage_room(owner, room, member)
        assert not permissions.can_manage_room(owner, room, None)


def test_the_owner_and_super_admins_administer_a_room_admins_do_not(room):
    assert permissions.can_administer_room(_member(room, MemberRole.OWNER), room)
    assert permissions.can_administer_room(SuperAdminFactory(), room)
    assert not permissions.can_administer_room(_member(room, MemberRole.ADMIN), room)
    assert not permissions.can_administer_room(AdminFactory(), room)
    assert not permissions.can_administer_room(AnonymousUser(), room)


def test_the_owner_is_never_removed_and_admins_only_by_the_owner(room):
    owner = RoomMemberFactory(room=room, role=MemberRole.OWNER)
    admin = RoomMemberFactory(room=room, role=MemberRole.ADMIN)
    other_admin = RoomMemberFactory(room=room, role=MemberRole.ADMIN)
    member = RoomMemberFactory(room=room)
    assert not permissions.can_remove_member(owner, owner)
    assert not permissions.can_remove_member(None, owner)
    assert permissions.can_remove_member(owner, admin)
    assert permissions.can_remove_member(None, admin)  # a site moderator outside the room
    assert not permissions.can_remove_member(other_admin, admin)
    assert permissions.can_remove_member(admin, member)


def test_members_post_in_an_open_room_outsiders_and_closed_rooms_refuse(room):
    member = _member(room)
    assert permissions.can_post_in_room(member, room)
    assert not permissions.can_post_in_room(UserFactory(), room)
    _close(room)
    assert not permissions.can_post_in_room(member, room)
    moderator = AdminFactory()
    RoomMemberFactory(room=room, user=moderator)
    assert permissions.can_post_in_room(moderator, room)


def test_authors_and_moderators_edit_a_message_others_and_system_lines_refuse(room):
    message = RoomMessageFactory(room=room)
    assert permissions.can_edit_room_message(message.user, message)
    assert permissions.can_edit_room_message(AdminFactory(), message)
    assert not permissions.can_edit_room_message(UserFactory(), message)
    assert not permissions.can_edit_room_message(_member(room, MemberRole.OWNER), message)
    line = RoomMessageFactory(room=room, user=None, message_type=MessageType.SYSTEM)
    assert not permissions.can_edit_room_message(AdminFactory(), line)
    assert not permissions.can_edit_room_message(AnonymousUser(), line)


def test_authors_and_room_managers_delete_a_message_members_do_not(room):
    message = RoomMessageFactory(room=room)
    assert permissions.can_delete_room_message(message.user, message)
    assert permissions.can_delete_room_message(_member(room, MemberRole.ADMIN), message)
    assert permissions.can_delete_room_message(AdminFactory(), message)
    assert not permissions.can_delete_room_message(_member(room), message)
    line = RoomMessageFactory(room=room, user=None, message_type=MessageType.SYSTEM)
    assert not permissions.can_delete_room_message(AnonymousUser(), line)
