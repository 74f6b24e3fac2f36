"""Reads of tracks: visibility follows the track's file."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import User
from catalog.models import Track
from media.models import File


def tracks_visible(user: User) -> QuerySet[Track]:
    """Tracks of public files, the viewer's own, and everything for moderators."""
    tracks = Track.objects.select_related("file", "creator")
    if user.is_authenticated and user.is_staff:
        return tracks
    if user.is_authenticated:
        return tracks.filter(Q(file__is_public=True) | Q(creator=user))
    return tracks.filter(file__is_public=True)


# The columns TrackSerializer reads from a row (``TrackSerializer.row_representation``).
TRACK_API_COLUMNS = (
    "id", "title", "artist", "album", "genre", "duration", "file_id", "creator_id", "created_at", "updated_at",
    "file__is_public", "file__mime_type", "file__size", "creator__username",
)  # fmt: skip


def tracks_for_api(user: User) -> QuerySet[dict]:
    """What :func:`tracks_visible` gives ``user``, as rows (dicts) of the columns the API's list shows.

    No model instances: building three per track (track, file, creator) would cost more than the query.
    """
    return tracks_visible(user).values(*TRACK_API_COLUMNS)


def track_for_viewer(user: User, track_id: int) -> Track:
    """The track if ``user`` may see it; the same 404 whether it is missing or private."""
    track = tracks_visible(user).filter(pk=track_id).first()
    if track is None:
        raise Http404("No such track.")
    return track


def albums_of(tracks: QuerySet[Track]) -> list[str]:
    """The distinct albums among ``tracks``, in order."""
    return list(tracks.order_by("album").values_list("album", flat=True).distinct())


def genres(user: User) -> list[str]:
    return list(tracks_visible(user).order_by("genre").values_list("genre", flat=True).distinct())


def track_file_for_viewer(user: User, track_id: int) -> File:
    """Only what streaming needs: the file of a track ``user`` may hear, in one lean query (else 404)."""
    files = File.objects.filter(tracks__pk=track_id).only(
        "path", "size", "mime_type", "filename", "created_at", "user_id", "is_public"
    )
    if not (user.is_authenticated and user.is_staff):
        visible = Q(is_public=True) | Q(user_id=user.pk) if user.is_authenticated else Q(is_public=True)
        files = files.filter(visible)
    found = list(files.order_by()[:1])
    if not found:
        raise Http404("No such track.")
    return found[0]
