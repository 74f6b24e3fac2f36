"""Who may do what in rooms: the one policy that services, views, templates and the console apply.

Each function answers for one user and one room (or message). Those that depend on the user's
membership take it as ``member`` when the caller already read it (``None``: not a member), and read
it otherwise (:func:`membership`). Services raise ``PermissionDenied`` when a rule says no; pages and
the console show or hide what the same rules allow.
"""

from __future__ import annotations

from accounts.models import User
from core.moderated import is_moderator
from rooms.models import MemberRole, MessageType, Room, RoomMember, RoomMessage

MANAGERS = (MemberRole.OWNER, MemberRole.ADMIN)

_READ = object()  # ``member`` not given: read it


def membership(user: User, room: Room) -> RoomMember | None:
    """``user``'s membership of ``room`` (``None``: not a member, or anonymous), what the rules below read."""
    if not user.is_authenticated:
        return None
    return RoomMember.objects.filter(room=room, user=user).first()


def _member(user: User, room: Room, member) -> RoomMember | None:
    return membership(user, room) if member is _READ else member


def is_open_to(user: User, room: Room) -> bool:
    """A room moderators closed is open to moderators only: nobody else reads, posts, joins or changes it."""
    return room.moderated_at is None or is_moderator(user)


def can_manage_room(user: User, room: Room, member: RoomMember | None = _READ) -> bool:  # type: ignore[assignment]
    """The room's owner and admins, and site moderators: edit the room, add and remove members,
    delete anyone's messages."""
    if is_moderator(user):
        return True
    member = _member(user, room, member)
    return member is not None and member.role in MANAGERS


def can_administer_room(user: User, room: Room, member: RoomMember | None = _READ) -> bool:  # type: ignore[assignment]
    """The room's owner, and super admins: delete the room, change roles, hand the ownership over."""
    if user.is_superuser:
        return True
    member = _member(user, room, member)
    return member is not None and member.role == MemberRole.OWNER


def can_remove_member(manager: RoomMember | None, member: RoomMember) -> bool:
    """Whether a manager (``manager``: their membership, ``None`` for a site moderator outside the room)
    may remove ``member`` (the one who can is checked by :func:`can_manage_room`): never the owner,
    and an admin only by the owner."""
    if member.role == MemberRole.OWNER:
        return False
    return not (member.role == MemberRole.ADMIN and manager is not None and manager.role != MemberRole.OWNER)


def can_post_in_room(user: User, room: Room, member: RoomMember | None = _READ) -> bool:  # type: ignore[assignment]
    """Members of a room that is open to them."""
    return _member(user, room, member) is not None and is_open_to(user, room)


def can_edit_room_message(user: User, message: RoomMessage) -> bool:
    """Its author, and site moderators; join, leave and system lines are never edited."""
    return message.message_type == MessageType.MESSAGE and (message.user_id == user.pk or is_moderator(user))


def can_delete_room_message(user: User, message: RoomMessage) -> bool:
    """Its author, and whoever manages the room (:func:`can_manage_room`)."""
    return (user.is_authenticated and message.user_id == user.pk) or can_manage_room(user, message.room)
