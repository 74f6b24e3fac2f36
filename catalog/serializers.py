from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import Track
from core import moderated
from core.api import timestamp
from core.moderated_api import ModerationSerializer


def stream_path(track_id: int) -> str:
    return f"/api/v1/tracks/{track_id}/stream"


def track_moderation(*states: tuple) -> dict | None:
    """The first of the (moderated_at, reason) states that is set (the track's, then its file's)."""
    for moderated_at, reason in states:
        if moderated_at is not None:
            return ModerationSerializer(moderated.payload(moderated_at, reason)).data
    return None


class TrackSerializer(serializers.ModelSerializer):
    creator = serializers.SerializerMethodField()
    is_public = serializers.BooleanField(source="file.is_public", read_only=True)
    mime_type = serializers.CharField(source="file.mime_type", read_only=True)
    size = serializers.IntegerField(source="file.size", read_only=True)
    file_id = serializers.IntegerField(read_only=True)
    stream = serializers.SerializerMethodField(help_text="GET with your Bearer token; supports Range.")
    moderation = serializers.SerializerMethodField(
        help_text="Hidden by moderation (the track or its file): when and why; else null."
    )

    class Meta:
        model = Track
        fields = (
            "id", "title", "artist", "album", "genre", "duration", "is_public", "moderation", "mime_type", "size",
            "file_id", "creator", "stream", "created_at", "updated_at",
        )  # fmt: skip
        read_only_fields = fields

    def to_representation(self, track: Track | dict) -> dict:
        return self.row_representation(track) if isinstance(track, dict) else super().to_representation(track)

    @staticmethod
    def row_representation(row: dict) -> dict:
        """The same as the fields above give, from a row of ``catalog.selectors.tracks_for_api``.

        Lists take this path: no model instances, none of DRF's per-field work for every row
        (``tests/catalog/test_api.py`` checks that both paths give the same output).
        """
        zone = timezone.get_current_timezone()
        return {
            "id": row["id"],
            "title": row["title"],
            "artist": row["artist"],
            "album": row["album"],
            "genre": row["genre"],
            "duration": row["duration"],
            "is_public": row["file__is_public"],
            "moderation": track_moderation(
                (row["moderated_at"], row["moderation_reason"]),
                (row["file__moderated_at"], row["file__moderation_reason"]),
            ),
            "mime_type": row["file__mime_type"],
            "size": row["file__size"],
            "file_id": row["file_id"],
            "creator": {"id": row["creator_id"], "username": row["creator__username"]},
            "stream": stream_path(row["id"]),
            "created_at": timestamp(row["created_at"], zone),
            "updated_at": timestamp(row["updated_at"], zone),
        }

    def get_creator(self, track: Track) -> dict:
        return {"id": track.creator_id, "username": track.creator.username}

    def get_stream(self, track: Track) -> str:
        return stream_path(track.pk)

    @extend_schema_field(ModerationSerializer(allow_null=True))
    def get_moderation(self, track: Track) -> dict | None:
        return track_moderation(
            (track.moderated_at, track.moderation_reason), (track.file.moderated_at, track.file.moderation_reason)
        )


class TrackUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="MP3, FLAC, OGG (Vorbis/Opus), WAV or M4A/AAC; identified by content.")
    title = serializers.CharField(max_length=255, required=False, allow_blank=True)
    artist = serializers.CharField(max_length=255, required=False, allow_blank=True)
    album = serializers.CharField(max_length=255, required=False, allow_blank=True)
    genre = serializers.CharField(max_length=100, required=False, allow_blank=True)
    is_public = serializers.BooleanField(default=False)


class TrackUpdateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=255, required=False)
    artist = serializers.CharField(max_length=255, required=False)
    album = serializers.CharField(max_length=255, required=False)
    genre = serializers.CharField(max_length=100, required=False)
    is_public = serializers.BooleanField(required=False)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = set(data) - set(self.fields)
            if unknown:
                raise serializers.ValidationError({f: ["This field cannot be changed."] for f in sorted(unknown)})
        return super().to_internal_value(data)
