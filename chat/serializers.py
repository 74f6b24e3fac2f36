from rest_framework import serializers

from chat.models import Message
from rooms.serializers import UserRefSerializer


class DirectMessageSerializer(serializers.ModelSerializer):
    from_user = UserRefSerializer(source="sender", read_only=True)
    to_user = UserRefSerializer(source="recipient", read_only=True)

    class Meta:
        model = Message
        fields = ("id", "from_user", "to_user", "content", "is_read", "timestamp", "edited_at")
        read_only_fields = fields


class ConversationSerializer(serializers.Serializer):
    peer = UserRefSerializer()
    last_message = DirectMessageSerializer()
    unread = serializers.IntegerField()


class ReadResultSerializer(serializers.Serializer):
    marked_read = serializers.IntegerField()
