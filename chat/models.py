"""Direct messages: the ``messages`` table, partitioned by month on ``timestamp``.

The table is created by raw SQL in ``chat/migrations/0001_initial.py`` with
PRIMARY KEY (id, timestamp), as PostgreSQL requires for a partitioned table;
the model keys on ``id``, which one sequence keeps unique across partitions.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from core.db import length_between


class Message(models.Model):
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        db_column="from_user",
        related_name="sent_messages",
        db_index=False,
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        db_column="to_user",
        null=True,
        blank=True,
        related_name="received_messages",
        db_index=False,
    )
    room = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    content = models.TextField()
    is_read = models.BooleanField(default=False, db_default=False)
    edited_at = models.DateTimeField(null=True, blank=True)
    timestamp = models.DateTimeField(default=timezone.now, db_default=Now())
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        db_table = "messages"
        ordering = ["-timestamp", "-id"]
        constraints = [
            length_between("content", 1, 10000, name="ck_messages_content_length"),
            models.CheckConstraint(
                condition=models.Q(recipient__isnull=False) | models.Q(room__isnull=False),
                name="ck_messages_target",
            ),
        ]
        indexes = [
            models.Index(fields=["sender"], name="idx_messages_from_user"),
            models.Index(fields=["recipient"], name="idx_messages_to_user"),
            models.Index(fields=["room"], name="idx_messages_room"),
            models.Index(fields=["timestamp"], name="idx_messages_timestamp"),
            models.Index("sender", "recipient", models.F("timestamp").desc(), name="idx_messages_conversation"),
        ]

    def __str__(self) -> str:
        return f"message #{self.pk} from #{self.sender_id}"
