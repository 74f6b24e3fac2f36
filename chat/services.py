"""Every state change of direct messages (the ``messages`` table), with live delivery."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.functions import Now
from django.http import Http404

from accounts.models import User
from chat import dedup, realtime
from chat.models import Message
from rooms.services import clean_content, rate_limit_sends, user_payload
from veza import metrics


def dm_payload(message: Message) -> dict:
    return {
        "id": message.pk,
        "from_user": user_payload(message.sender),
        "to_user": user_payload(message.recipient),
        "content": message.content,
        "is_read": message.is_read,
        "timestamp": message.timestamp.isoformat(),
        "edited_at": message.edited_at.isoformat() if message.edited_at else None,
    }


def _to_both(message: Message, event: dict) -> None:
    """After commit, to every socket of the sender and of the recipient."""
    for user_id in (message.recipient_id, message.sender_id):
        if user_id is not None:
            realtime.broadcast(realtime.user_group(user_id), realtime.event_message(event))


def _deliver(message: Message, event_type: str, client_id: str | None = None) -> None:
    _to_both(message, {"type": event_type, "message": dm_payload(message), "client_id": client_id})


def dm_send(*, sender: User, recipient: User, content: str, client_id: str | None = None) -> Message:
    """Store a direct message, then deliver it to both people's sockets; a retried ``client_id`` is stored once."""
    text = clean_content(content)
    client_id = dedup.check_client_id(client_id)
    if recipient.pk == sender.pk:
        raise ValidationError({"to_user": ["You cannot send a message to yourself."]})
    if not recipient.is_active:
        raise Http404("No such user.")

    @transaction.atomic
    def create() -> Message:
        rate_limit_sends(sender)
        message = Message.objects.create(sender=sender, recipient=recipient, content=text)
        _deliver(message, "dm.message", client_id)
        metrics.chat_message_sent("direct")
        return message

    def load(pk: int) -> Message:
        return Message.objects.select_related("sender", "recipient").get(pk=pk)

    return dedup.once(f"dm-{recipient.pk}", sender.pk, client_id, create, load)


def _require_author_or_moderator(actor: User, message: Message, verb: str) -> None:
    if message.sender_id != actor.pk and not actor.is_staff:
        raise PermissionDenied(f"You can {verb} only your own messages.")


@transaction.atomic
def dm_edit(*, actor: User, message: Message, content: str) -> Message:
    """Edit my own direct message; site moderators edit anyone's."""
    _require_author_or_moderator(actor, message, "edit")
    message.content = clean_content(content)
    message.edited_at = Now()
    message.save(update_fields=["content", "edited_at", "updated_at"])
    message.refresh_from_db(fields=["edited_at"])
    _deliver(message, "dm.message_edited")
    return message


@transaction.atomic
def dm_delete(*, actor: User, message: Message) -> None:
    """Delete my own direct message, or anyone's as a site moderator; both people's sockets are told."""
    _require_author_or_moderator(actor, message, "delete")
    event = {
        "type": "dm.message_deleted",
        "message_id": message.pk,
        "from_user": message.sender_id,
        "to_user": message.recipient_id,
    }
    message.delete()
    _to_both(message, event)


@transaction.atomic
def dm_mark_read(*, reader: User, peer: User) -> int:
    """Mark every message ``peer`` sent to ``reader`` as read; tell the peer's sockets."""
    count = Message.objects.filter(sender=peer, recipient=reader, is_read=False).update(is_read=True, updated_at=Now())
    if count:
        event = realtime.event_message({"type": "dm.read", "user": user_payload(reader), "count": count})
        realtime.broadcast(realtime.user_group(peer.pk), event)
    return count
