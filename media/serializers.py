from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.moderated_api import ModerationSerializer, moderation_of
from media.models import File


class FileSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()
    moderation = serializers.SerializerMethodField(help_text="Hidden by moderation: when and why (else null).")

    class Meta:
        model = File
        fields = (
            "id", "original_name", "filename", "mime_type", "size", "url", "is_public", "moderation", "owner",
            "created_at",
        )  # fmt: skip
        read_only_fields = fields

    def get_owner(self, file: File) -> dict:
        return {"id": file.user_id, "username": file.user.username}

    @extend_schema_field(ModerationSerializer(allow_null=True))
    def get_moderation(self, file: File) -> dict | None:
        return moderation_of(file)


class FileUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An audio file or an image; its type is read from its bytes.")
    is_public = serializers.BooleanField(default=False)


class FileUpdateSerializer(serializers.Serializer):
    is_public = serializers.BooleanField()


class StreamUrlSerializer(serializers.Serializer):
    url = serializers.CharField()
    expires_at = serializers.DateTimeField()
