"""Reads of files: who may see what."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from accounts.models import User
from core.errors import NotFound
from core.moderated import is_moderator
from media.models import File

# A file is out of reach when moderators hid it or one of its tracks (a track is its file's audio).
UNMODERATED = Q(moderated_at__isnull=True) & ~Q(tracks__moderated_at__isnull=False)


def files_visible(user: User) -> QuerySet[File]:
    """Public files nobody hid, the viewer's own (hidden ones flagged), and everything for moderators."""
    files = File.objects.select_related("user")
    if is_moderator(user):
        return files
    public = Q(is_public=True) & UNMODERATED
    if user.is_authenticated:
        return files.filter(public | Q(user=user))
    return files.filter(public)


def file_is_moderated(file: File) -> bool:
    """True when moderators hid the file or one of its tracks (checked now, in the database)."""
    hidden = Q(moderated_at__isnull=False) | Q(tracks__moderated_at__isnull=False)
    return File.objects.filter(hidden, pk=file.pk).exists()


def files_of(user: User) -> QuerySet[File]:
    if not user.is_authenticated:  # the OpenAPI generator asks without a user
        return File.objects.none()
    return File.objects.filter(user=user).select_related("user").order_by("-created_at", "-id")


def file_for_viewer(user: User, file_id: int) -> File:
    """The file if ``user`` may see it; the same 404 whether it is missing or private."""
    file = files_visible(user).filter(pk=file_id).first()
    if file is None:
        raise NotFound("No such file.")
    return file


def file_by_path(path: str) -> File | None:
    """The file stored at ``path`` (looked up by its unique, indexed file name)."""
    return File.objects.filter(filename=path.rsplit("/", 1)[-1], path=path).first()


def paths_in_use(names: list[str]) -> set[str]:
    """Those of the storage ``names`` that a ``files`` row or a user's avatar points to (two queries)."""
    basenames = {name.rsplit("/", 1)[-1] for name in names}
    files = File.objects.filter(filename__in=basenames, path__in=names).values_list("path", flat=True)
    avatars = User.objects.filter(avatar__in=names).values_list("avatar", flat=True)
    return set(files) | {name for name in avatars if name}


@dataclass(frozen=True)
class StreamState:
    """What the stream routes decide on, read in one go: the stored object and who may hear it.

    ``hidden``: moderators hid the file or (as the route counts it) its track.
    """

    path: str
    size: int
    mime_type: str
    filename: str
    created_at: datetime
    is_public: bool
    hidden: bool


def stream_state_of(file: File, *, hidden: bool) -> StreamState:
    return StreamState(
        path=file.path,
        size=file.size,
        mime_type=file.mime_type,
        filename=file.filename,
        created_at=file.created_at,
        is_public=file.is_public,
        hidden=hidden,
    )


def file_stream_state(path: str) -> StreamState | None:
    """The state of the file stored at ``path`` as ``/media/`` sees it (hidden: it or one of its tracks)."""
    file = file_by_path(path)
    if file is None:
        return None
    return stream_state_of(file, hidden=file_is_moderated(file))
