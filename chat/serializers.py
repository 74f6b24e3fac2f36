from rest_framework import serializers

from accounts.serializers import UserRefSerializer, user_ref
from chat.models import Message
from core.api import timestamp


def direct_message_data(message: Message) -> dict:
    """A direct message as REST answers and socket events carry it (built once per event)."""
    return {
        "id": message.pk,
        "from_user": user_ref(message.sender),
        "to_user": user_ref(message.recipient),
        "content": message.content,
        "is_read": message.is_read,
        "timestamp": timestamp(message.timestamp),
        "edited_at": timestamp(message.edited_at),
    }


class DirectMessageSerializer(serializers.ModelSerializer):
    """:func:`direct_message_data` for DRF (the fields are the schema's)."""

    from_user = UserRefSerializer(source="sender", read_only=True)
    to_user = UserRefSerializer(source="recipient", read_only=True)

    class Meta:
        model = Message
        fields = ("id", "from_user", "to_user", "content", "is_read", "timestamp", "edited_at")
        read_only_fields = fields

    def to_representation(self, instance: Message) -> dict:
        return direct_message_data(instance)


class ConversationSerializer(serializers.Serializer):
    peer = UserRefSerializer()
    last_message = DirectMessageSerializer()
    unread = serializers.IntegerField()


class ReadResultSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()
