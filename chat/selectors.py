"""Reads of direct messages: conversations, history, unread counts."""

from __future__ import annotations

from django.db import connection
from django.db.models import Q, QuerySet

from accounts.models import User
from chat.models import Message


def dm_history(*, user: User, peer: User) -> QuerySet[Message]:
    """The messages between ``user`` and ``peer``, newest first."""
    return (
        Message.objects.filter(Q(sender=user, recipient=peer) | Q(sender=peer, recipient=user))
        .select_related("sender", "recipient")
        .order_by("-id")
    )


CONVERSATIONS_SQL = """
WITH mine AS (
    SELECT id, from_user, to_user, content, is_read, "timestamp", edited_at,
           CASE WHEN from_user = %(me)s THEN to_user ELSE from_user END AS peer
    FROM messages
    WHERE (from_user = %(me)s OR to_user = %(me)s) AND to_user IS NOT NULL
),
latest AS (
    SELECT DISTINCT ON (peer) peer, id FROM mine ORDER BY peer, id DESC
),
unread AS (
    SELECT peer, count(*) AS unread FROM mine WHERE to_user = %(me)s AND NOT is_read GROUP BY peer
)
SELECT latest.peer, latest.id, coalesce(unread.unread, 0)
FROM latest LEFT JOIN unread USING (peer)
ORDER BY latest.id DESC
"""


def conversations(*, user: User) -> list[dict]:
    """One row per person ``user`` exchanged messages with: the last message and the unread count.

    Three queries whatever the number of conversations.
    """
    with connection.cursor() as cursor:
        cursor.execute(CONVERSATIONS_SQL, {"me": user.pk})
        rows = cursor.fetchall()
    peers = User.objects.in_bulk([peer for peer, _, _ in rows])
    messages = Message.objects.select_related("sender", "recipient").in_bulk([mid for _, mid, _ in rows])
    return [
        {"peer": peers[peer], "last_message": messages[mid], "unread": unread}
        for peer, mid, unread in rows
        if peer in peers and mid in messages
    ]
