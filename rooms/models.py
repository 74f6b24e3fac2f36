"""Chat rooms (``rooms``), their members (``room_members``) and messages (``room_messages``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower, Now
from django.utils import timezone

from core.db import length_between, one_of
from core.moderated import Moderated, moderation_constraints, moderation_index


class Room(Moderated):
    name = models.CharField(max_length=100)
    description = models.TextField(null=True, blank=True)  # noqa: DJ001
    is_private = models.BooleanField(default=False, db_default=False)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="created_rooms",
        db_index=False,
    )
    password_hash = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        db_table = "rooms"
        ordering = ["name"]
        constraints = [
            *moderation_constraints("rooms"),
            models.UniqueConstraint(fields=["name"], name="uk_rooms_name"),
            models.UniqueConstraint(Lower("name"), name="idx_rooms_name"),
            length_between("name", 3, 100, name="ck_rooms_name_length"),
        ]
        indexes = [
            moderation_index("rooms"),
            models.Index(fields=["creator"], name="idx_rooms_creator_id"),
            models.Index(fields=["is_private"], name="idx_rooms_is_private"),
            models.Index(fields=["created_at"], name="idx_rooms_created_at"),
        ]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MEMBER = "member", "Member"


class RoomMember(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="memberships", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="room_memberships", db_index=False
    )
    role = models.CharField(
        max_length=20, choices=MemberRole.choices, default=MemberRole.MEMBER, db_default=MemberRole.MEMBER
    )
    joined_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        db_table = "room_members"
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="uk_room_members_room_user"),
            models.UniqueConstraint(fields=["room", "user"], include=["role"], name="idx_room_members_unique"),
            one_of("role", MemberRole, name="ck_room_members_role"),
        ]
        indexes = [
            models.Index(fields=["room"], name="idx_room_members_room_id"),
            models.Index(fields=["user"], name="idx_room_members_user_id"),
            models.Index(fields=["role"], name="idx_room_members_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.room_id} ({self.role})"


class MessageType(models.TextChoices):
    MESSAGE = "message", "Message"
    JOIN = "join", "Join"
    LEAVE = "leave", "Leave"
    SYSTEM = "system", "System"


class RoomMessage(models.Model):
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="messages", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="room_messages",
        db_index=False,
        help_text="Empty for system messages and for deleted accounts.",
    )
    content = models.TextField()
    message_type = models.CharField(
        max_length=20, choices=MessageType.choices, default=MessageType.MESSAGE, db_default=MessageType.MESSAGE
    )
    edited_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        db_table = "room_messages"
        ordering = ["-created_at", "-id"]
        constraints = [
            length_between("content", 1, 10000, name="ck_room_messages_content_length"),
            one_of("message_type", MessageType, name="ck_room_messages_message_type"),
        ]
        indexes = [
            models.Index(fields=["room"], name="idx_room_messages_room_id"),
            models.Index(fields=["user"], name="idx_room_messages_user_id"),
            models.Index(fields=["message_type"], name="idx_room_messages_message_type"),
            models.Index(fields=["created_at"], name="idx_room_messages_created_at"),
            models.Index("room", models.F("created_at").desc(), name="idx_room_messages_room_timestamp"),
        ]

    def __str__(self) -> str:
        return f"{self.message_type} #{self.pk} in room #{self.room_id}"
