from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.serializers import UserRefSerializer, user_ref
from core.api import timestamp
from core.moderated_api import ModerationSerializer, moderation_of
from rooms.models import MemberRole, Room, RoomMember, RoomMessage


def room_message_data(message: RoomMessage) -> dict:
    """A room message as REST answers and socket events carry it (built once per event, not per socket)."""
    return {
        "id": message.pk,
        "room": message.room_id,
        "user": user_ref(message.user),
        "content": message.content,
        "message_type": message.message_type,
        "created_at": timestamp(message.created_at),
        "edited_at": timestamp(message.edited_at),
    }


class RoomSerializer(serializers.ModelSerializer):
    creator = UserRefSerializer(read_only=True, allow_null=True)
    member_count = serializers.IntegerField(read_only=True)
    is_member = serializers.BooleanField(read_only=True, default=False)
    has_password = serializers.SerializerMethodField()
    moderation = serializers.SerializerMethodField(help_text="Closed by moderation: when and why (else null).")

    class Meta:
        model = Room
        fields = ("id", "name", "description", "is_private", "has_password", "moderation", "creator", "member_count",
                  "is_member", "created_at", "updated_at")  # fmt: skip
        read_only_fields = fields

    def get_has_password(self, room: Room) -> bool:
        return bool(room.password_hash)

    @extend_schema_field(ModerationSerializer(allow_null=True))
    def get_moderation(self, room: Room) -> dict | None:
        return moderation_of(room)


class RoomWriteSerializer(serializers.Serializer):
    name = serializers.CharField(min_length=3, max_length=100)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    is_private = serializers.BooleanField(required=False, default=False)
    password = serializers.CharField(max_length=128, required=False, allow_blank=True, write_only=True)


class RoomUpdateSerializer(RoomWriteSerializer):
    name = serializers.CharField(min_length=3, max_length=100, required=False)
    is_private = serializers.BooleanField(required=False)


class JoinSerializer(serializers.Serializer):
    password = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")


class MemberSerializer(serializers.ModelSerializer):
    user = UserRefSerializer(read_only=True)

    class Meta:
        model = RoomMember
        fields = ("user", "role", "joined_at")
        read_only_fields = fields


class MemberAddSerializer(serializers.Serializer):
    user = serializers.IntegerField(min_value=1)


class MemberRoleSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=[MemberRole.ADMIN, MemberRole.MEMBER])


class RoomMessageSerializer(serializers.ModelSerializer):
    """:func:`room_message_data` for DRF (the fields are the schema's)."""

    user = UserRefSerializer(read_only=True, allow_null=True)
    room = serializers.IntegerField(source="room_id", read_only=True)

    class Meta:
        model = RoomMessage
        fields = ("id", "room", "user", "content", "message_type", "created_at", "edited_at")
        read_only_fields = fields

    def to_representation(self, instance: RoomMessage) -> dict:
        return room_message_data(instance)


class MessageWriteSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=20000, trim_whitespace=False)
    client_id = serializers.CharField(max_length=64, required=False, allow_blank=True)


class MessageEditSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=20000, trim_whitespace=False)
