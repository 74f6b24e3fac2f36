from rest_framework import serializers

from media.models import File


class FileSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField()

    class Meta:
        model = File
        fields = ("id", "original_name", "filename", "mime_type", "size", "url", "is_public", "owner", "created_at")
        read_only_fields = fields

    def get_owner(self, file: File) -> dict:
        return {"id": file.user_id, "username": file.user.username}


class FileUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="An audio file or an image; its type is read from its bytes.")
    is_public = serializers.BooleanField(default=False)


class FileUpdateSerializer(serializers.Serializer):
    is_public = serializers.BooleanField()


class StreamUrlSerializer(serializers.Serializer):
    url = serializers.CharField()
    expires_at = serializers.DateTimeField()
