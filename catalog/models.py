"""Audio tracks (``tracks``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from core.db import length_between
from core.moderated import Moderated, moderation_constraints, moderation_index


class Track(Moderated):
    title = models.CharField(max_length=255)
    artist = models.CharField(max_length=255)
    album = models.CharField(max_length=255)
    duration = models.IntegerField(help_text="Duration in seconds.")
    genre = models.CharField(max_length=100)
    file = models.ForeignKey("media.File", on_delete=models.CASCADE, related_name="tracks", db_index=False)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tracks", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        db_table = "tracks"
        ordering = ["-created_at", "-id"]
        constraints = [
            *moderation_constraints("tracks"),
            length_between("title", 1, 255, name="ck_tracks_title_length"),
            length_between("artist", 1, 255, name="ck_tracks_artist_length"),
            length_between("album", 1, 255, name="ck_tracks_album_length"),
            length_between("genre", 1, 100, name="ck_tracks_genre_length"),
            models.CheckConstraint(condition=models.Q(duration__gt=0), name="ck_tracks_duration_positive"),
        ]
        indexes = [
            moderation_index("tracks"),
            models.Index(fields=["file"], name="idx_tracks_file_id"),
            models.Index(fields=["creator"], name="idx_tracks_creator_id"),
            models.Index(fields=["artist"], name="idx_tracks_artist"),
            models.Index(fields=["album"], name="idx_tracks_album"),
            models.Index(fields=["genre"], name="idx_tracks_genre"),
            models.Index(fields=["duration"], name="idx_tracks_duration"),
            models.Index(fields=["genre", "artist", "album"], name="idx_tracks_search"),
        ]

    def __str__(self) -> str:
        return f"{self.artist} - {self.title}"

    @property
    def hidden_by_moderation(self) -> tuple | None:
        """(when, why) moderators hid the track or its file (the track's own state first), else None."""
        for row in (self, self.file):
            if row.moderated_at is not None:
                return row.moderated_at, row.moderation_reason
        return None
