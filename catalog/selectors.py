"""Reads of tracks: visibility follows the track's file."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from accounts.models import User
from catalog.models import Track
from core.errors import NotFound
from core.moderated import is_moderator, unmoderated
from media.models import File
from media.selectors import StreamState, stream_state_of

# Neither the track nor its file hidden by moderators.
UNMODERATED = unmoderated() & unmoderated("file__")


def tracks_visible(user: User) -> QuerySet[Track]:
    """Tracks of public files nobody hid, the viewer's own (hidden ones flagged), everything for moderators."""
    tracks = Track.objects.select_related("file", "creator")
    if is_moderator(user):
        return tracks
    public = Q(file__is_public=True) & UNMODERATED
    if user.is_authenticated:
        return tracks.filter(public | Q(creator=user))
    return tracks.filter(public)


# The columns TrackSerializer reads from a row (``TrackSerializer.row_representation``).
TRACK_API_COLUMNS = (
    "id", "title", "artist", "album", "genre", "duration", "file_id", "creator_id", "created_at", "updated_at",
    "file__is_public", "file__mime_type", "file__size", "creator__username",
    "moderated_at", "moderation_reason", "file__moderated_at", "file__moderation_reason",
)  # fmt: skip


def tracks_for_api(user: User) -> QuerySet[Track, dict[str, Any]]:
    """What :func:`tracks_visible` gives ``user``, as rows (dicts) of the columns the API's list shows.

    No model instances: building three per track (track, file, creator) would cost more than the query.
    """
    return tracks_visible(user).values(*TRACK_API_COLUMNS)


def track_for_viewer(user: User, track_id: int) -> Track:
    """The track if ``user`` may see it; the same 404 whether it is missing or private."""
    track = tracks_visible(user).filter(pk=track_id).first()
    if track is None:
        raise NotFound("No such track.")
    return track


def albums_of(tracks: QuerySet[Track]) -> list[str]:
    """The distinct albums among ``tracks``, in order."""
    return list(tracks.order_by("album").values_list("album", flat=True).distinct())


def genres(user: User) -> list[str]:
    return list(tracks_visible(user).order_by("genre").values_list("genre", flat=True).distinct())


STREAM_COLUMNS = (
    "moderated_at", "file__path", "file__size", "file__mime_type", "file__filename", "file__created_at",
    "file__user_id", "file__is_public", "file__moderated_at",
)  # fmt: skip


def track_stream_state(track_id: int) -> StreamState | None:
    """The state of a track's file as its ``stream`` route sees it (hidden: the track or its file)."""
    track = Track.objects.filter(pk=track_id).select_related("file").only(*STREAM_COLUMNS).order_by().first()
    if track is None:
        return None
    file = track.file
    return stream_state_of(file, hidden=track.moderated_at is not None or file.moderated_at is not None)


def track_file_for_viewer(user: User, track_id: int) -> File:
    """Only what streaming needs: the file of a track ``user`` may hear, in one lean query.

    404 when the track is missing or not visible to ``user``. Hidden by moderation (the track or its
    file), it plays for moderators only: its owner gets PermissionDenied, everyone else a 404.
    """
    track = Track.objects.filter(pk=track_id).select_related("file").only(*STREAM_COLUMNS).order_by().first()
    if track is None:
        raise NotFound("No such track.")
    file = track.file
    if is_moderator(user):
        return file
    mine = user.is_authenticated and user.pk == file.user_id
    if not (file.is_public or mine):
        raise NotFound("No such track.")
    if track.moderated_at is not None or file.moderated_at is not None:
        if mine:
            raise PermissionDenied("This track is hidden by moderation; only moderators can play it.")
        raise NotFound("No such track.")
    return file
