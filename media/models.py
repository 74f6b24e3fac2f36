"""Uploaded files (``files``)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from core.db import length_between
from core.moderated import Moderated, moderation_constraints, moderation_index


class File(Moderated):
    """A stored object: ``filename`` is the generated unique name, ``path`` its storage key."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="files", db_index=False)
    filename = models.CharField(max_length=255)
    original_name = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=255)
    size = models.BigIntegerField(help_text="Size in bytes.")
    path = models.CharField(max_length=500)
    url = models.CharField(max_length=500)
    is_public = models.BooleanField(default=False, db_default=False)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        db_table = "files"
        ordering = ["-created_at", "-id"]
        constraints = [
            *moderation_constraints("files"),
            models.UniqueConstraint(fields=["filename"], name="uk_files_filename"),
            # A covering twin of uk_files_filename: access checks by name read the index only.
            models.UniqueConstraint(fields=["filename"], include=["user", "is_public"], name="idx_files_filename"),
            length_between("original_name", 1, 255, name="ck_files_original_name_length"),
            length_between("filename", 1, 255, name="ck_files_filename_length"),
            models.CheckConstraint(
                condition=models.Q(mime_type__regex=r"^[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*$"),
                name="ck_files_mime_type_format",
            ),
            models.CheckConstraint(condition=models.Q(size__gt=0), name="ck_files_size_positive"),
            models.CheckConstraint(
                condition=models.Q(path__regex=r"^[^/\s][^\s]*$") & ~models.Q(path__contains=".."),
                name="ck_files_path_format",
            ),
            models.CheckConstraint(
                condition=models.Q(url__regex=r"^(https?://[^\s/]+)?/[^\s]*$"),
                name="ck_files_url_format",
            ),
        ]
        indexes = [
            moderation_index("files"),
            models.Index(fields=["user"], name="idx_files_user_id"),
            models.Index(fields=["mime_type"], name="idx_files_mime_type"),
            models.Index(fields=["is_public"], name="idx_files_is_public"),
            models.Index(fields=["created_at"], name="idx_files_created_at"),
        ]

    def __str__(self) -> str:
        return self.original_name
