"""Who may do what with direct messages: the one policy that services, views and the console apply."""

from __future__ import annotations

from accounts.models import User
from chat.models import Message
from core.moderated import is_moderator


def can_edit_message(user: User, message: Message) -> bool:
    """Its sender, and site moderators."""
    return (user.is_authenticated and message.sender_id == user.pk) or is_moderator(user)


def can_delete_message(user: User, message: Message) -> bool:
    """Its sender, and site moderators (both people's sockets are told)."""
    return can_edit_message(user, message)
