"""Every state change of rooms: rooms, membership and roles, and room messages (with live broadcast)."""

from __future__ import annotations

import logging
import re

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Now

from accounts.models import User
from accounts.permissions import require_active
from accounts.serializers import user_ref
from core import metrics, moderated, pagecache, ratelimit
from core.errors import Conflict, NotFound, Throttled
from realtime import dedup, transport
from realtime.events import EventType
from rooms import events, permissions, selectors, sql
from rooms.models import MemberRole, MessageType, Room, RoomMember, RoomMessage
from rooms.selectors import require_open
from rooms.serializers import room_message_data

logger = logging.getLogger(__name__)


class MessageRateLimited(Throttled):
    what = "messages"


class RoomPasswordThrottled(Throttled):
    what = "wrong passwords for this room"


# What sockets receive is what REST answers with: rooms.serializers, accounts.serializers.


def _broadcast(room_id: int, event_type: EventType, **data) -> None:
    transport.broadcast(transport.room_group(room_id), transport.event_message(event_type(**data)))


# --- access --------------------------------------------------------------------------------------


def _require_manager(actor: User, room: Room) -> RoomMember | None:
    """:func:`rooms.permissions.can_manage_room` in an open room, or PermissionDenied; the actor's membership."""
    require_open(actor, room)
    member = permissions.membership(actor, room)
    if not permissions.can_manage_room(actor, room, member):
        raise PermissionDenied("Only the room's owner or admins can do this.")
    return member


def _require_owner(actor: User, room: Room, *, even_closed: bool = False) -> None:
    if not even_closed:
        require_open(actor, room)
    if not permissions.can_administer_room(actor, room):
        raise PermissionDenied("Only the room's owner can do this.")


UNSTORABLE = re.compile("[\x00\ud800-\udfff]")  # PostgreSQL text refuses NUL; UTF-8 refuses lone surrogates


def clean_content(content: str) -> str:
    text = (content or "").strip()
    if not text:
        raise ValidationError({"content": ["A message cannot be empty."]})
    if UNSTORABLE.search(text):
        raise ValidationError({"content": ["A message cannot contain NUL characters or lone surrogates."]})
    if len(text) > 10000:
        raise ValidationError({"content": ["A message has at most 10000 characters."]})
    return text


def _system(room: Room, user: User | None, text: str, kind: str) -> RoomMessage:
    message = RoomMessage.objects.create(room=room, user=user, content=text, message_type=kind)
    _broadcast(room.pk, events.MESSAGE, message=room_message_data(message), client_id=None)
    return message


# --- rooms ---------------------------------------------------------------------------------------


def _check_name_free(name: str, exclude: int | None = None) -> None:
    rooms = Room.objects.filter(name__iexact=name)
    if exclude:
        rooms = rooms.exclude(pk=exclude)
    if rooms.exists():
        raise ValidationError({"name": ["A room with this name already exists."]})


@transaction.atomic
def room_create(
    *, creator: User, name: str, description: str = "", is_private: bool = False, password: str = ""
) -> Room:
    """Create a room; its creator becomes its owner."""
    require_active(creator)
    room = Room(
        name=(name or "").strip(),
        description=(description or "").strip() or None,
        is_private=is_private,
        creator=creator,
        password_hash=make_password(password) if is_private and password else None,
    )
    room.full_clean(exclude=["password_hash"], validate_unique=False, validate_constraints=False)
    _check_name_free(room.name)
    try:
        with transaction.atomic():
            room.save()
            pagecache.changed(pagecache.ROOMS)
    except IntegrityError as exc:
        raise ValidationError({"name": ["A room with this name already exists."]}) from exc
    RoomMember.objects.create(room=room, user=creator, role=MemberRole.OWNER)
    _system(room, creator, f"{creator.username} created the room", MessageType.JOIN)
    return room


@transaction.atomic
def room_update(*, actor: User, room: Room, name=None, description=None, is_private=None, password=None) -> Room:
    """Owner and admins edit the room; an empty password removes it."""
    require_active(actor)
    _require_manager(actor, room)
    if name is not None:
        room.name = name.strip()
        _check_name_free(room.name, exclude=room.pk)
    if description is not None:
        room.description = description.strip() or None
    if is_private is not None:
        room.is_private = is_private
    if password is not None:
        room.password_hash = make_password(password) if password else None
    room.full_clean(exclude=["password_hash"], validate_unique=False, validate_constraints=False)
    room.save()
    pagecache.changed(pagecache.ROOMS)
    _broadcast(room.pk, events.UPDATED, room={"id": room.pk, "name": room.name, "description": room.description})
    return room


@transaction.atomic
def room_delete(*, actor: User, room: Room) -> None:
    """The owner (even of a room moderators closed) or a super admin deletes the room and its history."""
    require_active(actor)
    _require_owner(actor, room, even_closed=True)
    room_id = room.pk
    room.delete()
    pagecache.changed(pagecache.ROOMS)
    _broadcast(room_id, events.DELETED, room=room_id)


@transaction.atomic
def room_close(*, actor: User, room: Room, reason: str) -> Room:
    """Site moderators close a room, with a reason its owner reads; only staff reopen it (:func:`room_reopen`).

    Nothing is read, posted, joined or changed in a closed room any more (its owner may still delete
    it); it is listed to its owner and staff only. Members and history stay as they were, so reopening
    gives the room back. Open room pages are told, and every member's sockets stop receiving it.
    """
    moderated.require_staff(actor)
    room = Room.objects.select_for_update().get(pk=room.pk)
    moderated.hide(room, actor=actor, reason=reason)
    pagecache.changed(pagecache.ROOMS)
    _system(room, None, "The moderators closed this room.", MessageType.SYSTEM)
    _broadcast(room.pk, events.CLOSED, room=room.pk, reason=room.moderation_reason)
    for user_id in RoomMember.objects.filter(room=room).values_list("user_id", flat=True):
        _removed(room, user_id)
    return room


@transaction.atomic
def room_reopen(*, actor: User, room: Room) -> Room:
    """Site moderators lift a closing: members find the room, its history and its settings as they were."""
    moderated.require_staff(actor)
    room = Room.objects.select_for_update().get(pk=room.pk)
    if room.moderated_at is None:
        return room
    moderated.restore(room, actor=actor)
    pagecache.changed(pagecache.ROOMS)
    _system(room, None, "The moderators reopened this room.", MessageType.SYSTEM)
    return room


# --- membership ----------------------------------------------------------------------------------


def _member_event(room: Room, user: User, kind: str) -> None:
    event_type = events.MEMBER_JOINED if kind == MessageType.JOIN else events.MEMBER_LEFT
    _broadcast(room.pk, event_type, room=room.pk, user=user_ref(user))


def _password_guess_key(user: User, room_id: int) -> str:
    return f"{user.pk}:{room_id}"


def _password_guess_check(user: User, room_id: int) -> None:
    wait = ratelimit.retry_after(
        "room-password", _password_guess_key(user, room_id), limit=settings.ROOM_PASSWORD_FAILURES
    )
    if wait:
        raise RoomPasswordThrottled(wait)


def _password_guess_failed(user: User, room_id: int) -> NotFound:
    ratelimit.hit("room-password", _password_guess_key(user, room_id), window=settings.ROOM_PASSWORD_WINDOW)
    # The same answer as for a room that does not exist: private rooms stay invisible.
    return NotFound("No such room, or a wrong password.")


def room_join_by_id(*, user: User, room_id: int, password: str = "") -> RoomMember:
    """Join the room ``room_id`` (see :func:`room_join`). A room that does not exist counts as a wrong
    password too, so a private room cannot be told from no room by when the 429 comes."""
    room = selectors.room_by_id(room_id)
    if room is None:
        _password_guess_check(user, room_id)
        raise _password_guess_failed(user, room_id)
    return room_join(user=user, room=room, password=password)


@transaction.atomic
def room_join(*, user: User, room: Room, password: str = "") -> RoomMember:
    """Join a public room, or a private room with its password. Joining twice changes nothing.

    Wrong passwords are counted per (user, room): past ``ROOM_PASSWORD_FAILURES`` within
    ``ROOM_PASSWORD_WINDOW`` seconds, :class:`RoomPasswordThrottled` (429) before the password is checked.
    A room closed by moderators cannot be joined (the same 404 as for no room).
    """
    require_active(user)
    if room.moderated_at is not None or Room.objects.filter(pk=room.pk, moderated_at__isnull=False).exists():
        raise NotFound("No such room, or a wrong password.")
    existing = permissions.membership(user, room)
    if existing is not None:
        return existing
    if room.is_private:
        _password_guess_check(user, room.pk)
        if not (room.password_hash and check_password(password or "", room.password_hash)):
            raise _password_guess_failed(user, room.pk)
    try:
        with transaction.atomic():
            member = RoomMember.objects.create(room=room, user=user, role=MemberRole.MEMBER)
    except IntegrityError:
        return RoomMember.objects.get(room=room, user=user)
    _system(room, user, f"{user.username} joined", MessageType.JOIN)
    _member_event(room, user, MessageType.JOIN)
    return member


def _removed(room: Room, user_id: int) -> None:
    """The user's sockets stop receiving the room at once."""
    transport.broadcast(transport.user_group(user_id), transport.removed_message(room.pk, events.REMOVED(room=room.pk)))


@transaction.atomic
def room_leave(*, user: User, room: Room) -> None:
    require_active(user)
    member = permissions.membership(user, room)
    if member is None:
        return
    if member.role == MemberRole.OWNER:
        raise ValidationError({"room": ["Hand the ownership over to another member before leaving."]})
    member.delete()
    _system(room, user, f"{user.username} left", MessageType.LEAVE)
    _member_event(room, user, MessageType.LEAVE)
    _removed(room, user.pk)


@transaction.atomic
def member_add(*, actor: User, room: Room, user: User) -> RoomMember:
    """Owner and admins add a user (the way into a private room without its password)."""
    require_active(actor)
    _require_manager(actor, room)
    member, created = RoomMember.objects.get_or_create(room=room, user=user, defaults={"role": MemberRole.MEMBER})
    if created:
        _system(room, user, f"{user.username} was added by {actor.username}", MessageType.JOIN)
        _member_event(room, user, MessageType.JOIN)
    return member


@transaction.atomic
def member_remove(*, actor: User, room: Room, user: User) -> None:
    """Owner and admins remove a member; admins cannot remove the owner or other admins."""
    require_active(actor)
    manager = _require_manager(actor, room)
    member = RoomMember.objects.filter(room=room, user=user).first()
    if member is None:
        raise NotFound("This user is not a member.")
    if not permissions.can_remove_member(manager, member):
        owner = member.role == MemberRole.OWNER
        raise PermissionDenied("The owner cannot be removed." if owner else "Only the owner can remove an admin.")
    member.delete()
    _system(room, user, f"{user.username} was removed", MessageType.LEAVE)
    _member_event(room, user, MessageType.LEAVE)
    _removed(room, user.pk)


@transaction.atomic
def member_set_role(*, actor: User, room: Room, user: User, role: str) -> RoomMember:
    """The owner makes members admins or members; ownership moves only with :func:`room_transfer`."""
    require_active(actor)
    _require_owner(actor, room)
    if role not in (MemberRole.ADMIN, MemberRole.MEMBER):
        raise ValidationError({"role": ["Choose admin or member; use transfer to change the owner."]})
    member = RoomMember.objects.filter(room=room, user=user).first()
    if member is None:
        raise NotFound("This user is not a member.")
    if member.role == MemberRole.OWNER:
        raise ValidationError({"role": ["Transfer the ownership first."]})
    member.role = role
    member.save(update_fields=["role"])
    _broadcast(room.pk, events.MEMBER_ROLE, room=room.pk, user=user_ref(user), role=role)
    return member


@transaction.atomic
def room_transfer(*, actor: User, room: Room, user: User) -> None:
    """The owner hands the room over to another member, and becomes an admin."""
    require_active(actor)
    _require_owner(actor, room)
    new_owner = RoomMember.objects.select_for_update().filter(room=room, user=user).first()
    if new_owner is None:
        raise ValidationError({"user": ["The new owner must be a member of the room."]})
    RoomMember.objects.filter(room=room, role=MemberRole.OWNER).update(role=MemberRole.ADMIN)
    new_owner.role = MemberRole.OWNER
    new_owner.save(update_fields=["role"])
    _system(room, None, f"{user.username} is the new owner", MessageType.SYSTEM)


# --- messages ------------------------------------------------------------------------------------


def rate_limit_sends(user: User) -> None:
    """Count a send of ``user``; too many in the window raise MessageRateLimited (not while Redis is down)."""
    try:
        wait = ratelimit.consume(
            "chat-send", str(user.pk), limit=settings.CHAT_MESSAGES_PER_WINDOW, window=settings.CHAT_RATE_WINDOW
        )
    except transport.REDIS_ERRORS as exc:
        logger.warning("chat send not rate limited, Redis is unreachable: %s", exc)
        return
    if wait:
        raise MessageRateLimited(wait)


def room_message_send(*, user: User, room: Room | int, content: str, client_id: str | None = None) -> RoomMessage:
    """Store a message of a member, then broadcast it; a retried ``client_id`` is stored once.

    ``room`` is the room, or only its id (a socket frame names the id). The membership and the room's
    moderation state are checked by the statement that stores the message (``rooms.sql``: one round
    trip, its audit actor included); when it stores nothing, the ORM tells why: sent by id, a room that
    is missing or private to the sender is a 404, as for any other frame naming it. A send refused for
    these reasons still counts towards the sender's rate limit.
    """
    require_active(user)
    text = clean_content(content)
    client_id = dedup.check_client_id(client_id)
    room_id = room if isinstance(room, int) else room.pk

    def create() -> RoomMessage:
        rate_limit_sends(user)
        with connection.cursor() as cursor:
            cursor.execute(
                sql.INSERT_MEMBER_MESSAGE, [text, MessageType.MESSAGE, room_id, user.pk, moderated.is_moderator(user)]
            )
            row = cursor.fetchone()
        if row is None:
            raise _refused(user, room)
        message = RoomMessage(
            pk=row[0], room_id=room_id, user=user, content=text, message_type=MessageType.MESSAGE, created_at=row[1]
        )
        message._state.adding, message._state.db = False, connection.alias  # as if read from the database
        if isinstance(room, Room):
            message.room = room
        _broadcast(room_id, events.MESSAGE, message=room_message_data(message), client_id=client_id)
        metrics.chat_message_sent("room")
        return message

    return dedup.once(
        f"room-{room_id}", user.pk, client_id, create, lambda pk: RoomMessage.objects.select_related("user").get(pk=pk)
    )


def _refused(user: User, room: Room | int) -> Exception:
    """Why ``user`` may not post in ``room``: NotFound or PermissionDenied."""
    room_id = room if isinstance(room, int) else room.pk
    member = RoomMember.objects.filter(room_id=room_id, user_id=user.pk).select_related("room").first()
    if member is None:
        if isinstance(room, int):
            try:
                selectors.room_of_member(user, room_id)
            except (NotFound, PermissionDenied) as exc:
                return exc
        return PermissionDenied("Join the room to post in it.")
    if not permissions.can_post_in_room(user, member.room, member):
        return PermissionDenied(f"This room is closed by moderation ({member.room.moderation_reason}).")
    return Conflict("The room changed while the message was sent: send it again.")


@transaction.atomic
def room_message_edit(*, actor: User, message: RoomMessage, content: str) -> RoomMessage:
    """Edit my own message; site moderators edit anyone's (join, leave and system lines stay as they are)."""
    require_active(actor)
    if not permissions.can_edit_room_message(actor, message):
        raise PermissionDenied("You can edit only your own messages.")
    require_open(actor, message.room)
    message.content = clean_content(content)
    message.edited_at = Now()
    message.save(update_fields=["content", "edited_at"])
    message.refresh_from_db(fields=["edited_at"])
    _broadcast(message.room_id, events.MESSAGE_EDITED, message=room_message_data(message))
    return message


@transaction.atomic
def room_message_delete(*, actor: User, message: RoomMessage) -> None:
    """Delete my own message; the room's owner, its admins and site moderators delete anyone's."""
    require_active(actor)
    require_open(actor, message.room)
    if not permissions.can_delete_room_message(actor, message):
        raise PermissionDenied("Only the room's owner or admins can do this.")
    room_id, message_id = message.room_id, message.pk
    message.delete()
    _broadcast(room_id, events.MESSAGE_DELETED, room=room_id, message_id=message_id)
