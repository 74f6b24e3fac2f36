"""Every state change of direct messages (the ``messages`` table), with live delivery."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Now

from accounts.models import User
from accounts.permissions import require_active
from accounts.serializers import user_ref
from chat import events, permissions
from chat.models import Message
from chat.serializers import direct_message_data
from core import metrics, ratelimit
from core.errors import NotFound, Throttled
from realtime import dedup, transport
from realtime.events import EventType
from rooms.services import clean_content, rate_limit_sends

logger = logging.getLogger(__name__)


class TypingRateLimited(Throttled):
    what = "typing notifications"


def _to_both(message: Message, event: dict) -> None:
    """After commit, to every socket of the sender and of the recipient."""
    for user_id in (message.recipient_id, message.sender_id):
        if user_id is not None:
            transport.broadcast(transport.user_group(user_id), transport.event_message(event))


def _deliver(message: Message, event_type: EventType, client_id: str | None = None) -> None:
    _to_both(message, event_type(message=direct_message_data(message), client_id=client_id))


def dm_send(*, sender: User, recipient: User, content: str, client_id: str | None = None) -> Message:
    """Store a direct message, then deliver it to both people's sockets; a retried ``client_id`` is stored once."""
    require_active(sender)
    text = clean_content(content)
    client_id = dedup.check_client_id(client_id)
    if recipient.pk == sender.pk:
        raise ValidationError({"to_user": ["You cannot send a message to yourself."]})
    if not recipient.is_active:
        raise NotFound("No such user.")

    @transaction.atomic
    def create() -> Message:
        rate_limit_sends(sender)
        message = Message.objects.create(sender=sender, recipient=recipient, content=text)
        _deliver(message, events.DM_MESSAGE, client_id)
        metrics.chat_message_sent("direct")
        return message

    def load(pk: int) -> Message:
        return Message.objects.select_related("sender", "recipient").get(pk=pk)

    return dedup.once(f"dm-{recipient.pk}", sender.pk, client_id, create, load)


@transaction.atomic
def dm_edit(*, actor: User, message: Message, content: str) -> Message:
    """Edit my own direct message; site moderators edit anyone's."""
    require_active(actor)
    if not permissions.can_edit_message(actor, message):
        raise PermissionDenied("You can edit only your own messages.")
    message.content = clean_content(content)
    message.edited_at = Now()
    message.save(update_fields=["content", "edited_at", "updated_at"])
    message.refresh_from_db(fields=["edited_at"])
    _deliver(message, events.DM_MESSAGE_EDITED)
    return message


@transaction.atomic
def dm_delete(*, actor: User, message: Message) -> None:
    """Delete my own direct message, or anyone's as a site moderator; both people's sockets are told."""
    require_active(actor)
    if not permissions.can_delete_message(actor, message):
        raise PermissionDenied("You can delete only your own messages.")
    event = events.DM_MESSAGE_DELETED(message_id=message.pk, from_user=message.sender_id, to_user=message.recipient_id)
    message.delete()
    _to_both(message, event)


@transaction.atomic
def dm_mark_read(*, reader: User, peer: User) -> int:
    """Mark every message ``peer`` sent to ``reader`` as read; tell the peer's sockets."""
    require_active(reader)
    count = Message.objects.filter(sender=peer, recipient=reader, is_read=False).update(is_read=True, updated_at=Now())
    if count:
        event = transport.event_message(events.DM_READ(user=user_ref(reader), count=count))
        transport.broadcast(transport.user_group(peer.pk), event)
    return count


# --- typing ----------------------------------------------------------------------------------------


def rate_limit_typing(user: User) -> None:
    """Count a typing notification of ``user``; too many in the window raise TypingRateLimited.

    ``TYPING_FRAMES_PER_WINDOW`` per ``TYPING_RATE_WINDOW`` seconds, counted in Redis for every process
    (not counted while Redis is unreachable: the notification then goes nowhere anyway).
    """
    try:
        wait = ratelimit.consume(
            "typing", str(user.pk), limit=settings.TYPING_FRAMES_PER_WINDOW, window=settings.TYPING_RATE_WINDOW
        )
    except transport.REDIS_ERRORS as exc:
        logger.warning("typing not rate limited, Redis is unreachable: %s", exc)
        return
    if wait:
        raise TypingRateLimited(wait)


def typing_send(*, user: User, room_id: int | None = None, peer_id: int | None = None) -> None:
    """Tell a room (the caller checked that ``user`` follows it) or a person that ``user`` is typing.

    Nothing is stored: the notification goes out at once, to the room's sockets or the person's. An
    inactive ``user`` is refused; notifications over the rate limit raise TypingRateLimited.
    """
    require_active(user)
    if (room_id is None) == (peer_id is None):
        raise ValueError("Give a room or a person.")
    rate_limit_typing(user)
    who = user_ref(user)
    if room_id is not None:
        group, event = transport.room_group(room_id), events.TYPING(room=room_id, user=who)
    elif peer_id is not None:
        if not User.objects.filter(pk=peer_id, is_active=True).exists():
            raise NotFound("No such user.")
        group, event = transport.user_group(peer_id), events.TYPING(to_user=peer_id, user=who)
    transport.send_now(group, transport.event_message(event))
