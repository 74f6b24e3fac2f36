"""Reads of rooms: visibility, membership, history with cursors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Lower

from accounts.models import User
from core.errors import NotFound
from core.moderated import is_moderator, unmoderated
from rooms import permissions
from rooms.models import MemberRole, Room, RoomMember, RoomMessage


def room_ids_named(name: str) -> list[int]:
    """Ids of the room called ``name``, whatever its case (through ``idx_rooms_name``)."""
    return list(Room.objects.annotate(folded=Lower("name")).filter(folded=name.lower()).values_list("pk", flat=True))


def rooms_visible(user: User) -> QuerySet[Room]:
    """Public rooms and the rooms ``user`` belongs to, with member counts, ``is_member`` and ``is_owner``.

    A room closed by moderators is listed to its owner (flagged, with the reason) and to staff only.
    """
    rooms = Room.objects.annotate(member_count=Count("memberships", distinct=True))
    if user.is_authenticated:
        mine = RoomMember.objects.filter(room=OuterRef("pk"), user=user)
        rooms = rooms.annotate(is_member=Exists(mine), is_owner=Exists(mine.filter(role=MemberRole.OWNER)))
        rooms = rooms.filter(Q(is_private=False) | Q(is_member=True))
        if not is_moderator(user):
            rooms = rooms.filter(unmoderated() | Q(is_owner=True))
    else:
        rooms = rooms.filter(unmoderated(), is_private=False)
    return rooms.select_related("creator").order_by("name")


def room_for_viewer(user: User, room_id: int) -> Room:
    """A public room, or a private room ``user`` belongs to; the same 404 for missing and hidden rooms."""
    room = rooms_visible(user).filter(pk=room_id).first()
    if room is None:
        raise NotFound("No such room.")
    return room


def require_open(user: User, room: Room) -> None:
    """PermissionDenied when moderators closed ``room`` (staff excepted): nothing is read, sent or joined."""
    if not permissions.is_open_to(user, room):
        raise PermissionDenied(f"This room is closed by moderation ({room.moderation_reason}).")


def room_of_member(user: User, room_id: int) -> Room:
    """The room if ``user`` belongs to it, in one light query (the socket's check on every frame).

    Otherwise: 404 when the room is missing or private, PermissionDenied when it is public. A room
    closed by moderators is refused to its members (PermissionDenied) and is a 404 to everyone else.
    """
    room = Room.objects.filter(pk=room_id, memberships__user=user).first() if user.is_authenticated else None
    if room is not None:
        require_open(user, room)
        return room
    if Room.objects.filter(unmoderated(), pk=room_id, is_private=False).exists():
        raise PermissionDenied("Join the room first.")
    raise NotFound("No such room.")


def room_by_id(room_id: int) -> Room | None:
    return Room.objects.filter(pk=room_id).first()


def members(room: Room) -> QuerySet[RoomMember]:
    return RoomMember.objects.filter(room=room).select_related("user").order_by("joined_at", "id")


def messages(room: Room) -> QuerySet[RoomMessage]:
    """The room's messages, newest first (see :func:`require_open` for who may read them)."""
    return RoomMessage.objects.filter(room=room).select_related("user").order_by("-id")


def message_in_room(room: Room, message_id: int) -> RoomMessage:
    message = RoomMessage.objects.select_related("user", "room").filter(room=room, pk=message_id).first()
    if message is None:
        raise NotFound("No such message.")
    return message


def message_for_member(user: User, message_id: int) -> RoomMessage:
    """A message of a room ``user`` belongs to (404 otherwise)."""
    message = (
        RoomMessage.objects.select_related("user", "room").filter(pk=message_id, room__memberships__user=user).first()
    )
    if message is None:
        raise NotFound("No such message.")
    return message


def online_users(room_id: int) -> list[User]:
    """The users with a live socket in the room (presence kept in Redis)."""
    from realtime import transport

    ids = transport.presence_users(room_id)
    return list(User.objects.filter(pk__in=ids).only("id", "username", "avatar").order_by("username"))
