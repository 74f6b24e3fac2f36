"""Every state change of tracks (upload: file + track, or nothing; edit; delete)."""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import User
from catalog import permissions
from catalog.models import Track
from core import moderated, pagecache
from media import services as media_services
from media.inspect import clean_name

UNKNOWN_ARTIST = "Unknown artist"
UNKNOWN_ALBUM = "Unknown album"
UNKNOWN_GENRE = "Unknown genre"
EDITABLE = ("title", "artist", "album", "genre")


def _pick(given: str | None, tagged: str | None, fallback: str, limit: int) -> str:
    for value in (given, tagged):
        if value and value.strip():
            return value.strip()[:limit]
    return fallback


def track_upload(
    *,
    creator: User,
    upload: UploadedFile,
    is_public: bool = False,
    title: str | None = None,
    artist: str | None = None,
    album: str | None = None,
    genre: str | None = None,
) -> Track:
    """Store an audio file and create its track; metadata comes from the arguments, else the tags.

    Refuses anything that is not audio (ValidationError) or too large (TooLarge); afterwards the
    object, its ``files`` row and its ``tracks`` row all exist, or none does.
    """
    found = media_services.upload_inspect(upload, audio_only=True)
    tags = found.tags or {}
    name_title = PurePosixPath(clean_name(upload.name or "", fallback="Untitled")).stem or "Untitled"
    with media_services.stored(upload, found) as (name, filename), transaction.atomic():
        file = media_services.file_record(
            user=creator, upload=upload, found=found, name=name, filename=filename, is_public=is_public
        )
        track = Track(
            title=_pick(title, tags.get("title"), name_title, 255),
            artist=_pick(artist, tags.get("artist"), UNKNOWN_ARTIST, 255),
            album=_pick(album, tags.get("album"), UNKNOWN_ALBUM, 255),
            genre=_pick(genre, tags.get("genre"), UNKNOWN_GENRE, 100),
            duration=cast(int, found.duration),  # inspect_audio measures every file it accepts
            file=file,
            creator=creator,
        )
        track.full_clean()
        track.save()
        pagecache.changed(pagecache.TRACKS)
    return track


@transaction.atomic
def track_update(*, actor: User, track: Track, is_public: bool | None = None, **changes) -> Track:
    """Edit title, artist, album, genre, and the visibility of the track's file.

    A track hidden by moderators (or whose file is) changes through moderators only.
    """
    if not permissions.can_manage_track(actor, track):
        if not moderated.owner_or_moderator(actor, track.creator_id):
            raise PermissionDenied("Only the creator or a moderator can change this track.")
        _, reason = track.hidden_by_moderation or (None, "")
        raise PermissionDenied(f"This track is hidden by moderation ({reason}); only moderators can change it.")
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError({field: ["This field cannot be changed."] for field in unknown})
    for field, value in changes.items():
        setattr(track, field, (value or "").strip())
    if changes:
        track.full_clean()
        track.save(update_fields=[*changes, "updated_at"])
        pagecache.changed(pagecache.TRACKS)
    if is_public is not None and is_public != track.file.is_public:
        media_services.file_set_public(actor=actor, file=track.file, is_public=is_public)
    return track


def track_delete(*, actor: User, track: Track) -> None:
    """Delete the track with its file and stored object: :func:`catalog.permissions.can_delete_track`.

    Its creator may, even while it is hidden; the file's own rule (``media.permissions.can_delete_file``,
    applied by ``file_delete``) keeps admins out.
    """
    if not moderated.owner_or_moderator(actor, track.creator_id):
        raise PermissionDenied("Only the creator or a moderator can delete this track.")
    media_services.file_delete(actor=actor, file=track.file)


@transaction.atomic
def track_hide(*, actor: User, track: Track, reason: str) -> Track:
    """Moderators hide a track (its audio stops playing, signed links too) with a reason; only staff lift it."""
    moderated.hide(track, actor=actor, reason=reason)
    pagecache.changed(pagecache.TRACKS)
    return track


@transaction.atomic
def track_restore(*, actor: User, track: Track) -> Track:
    """Moderators lift the track's hiding (a hidden file stays hidden: see ``media.services.file_restore``)."""
    moderated.restore(track, actor=actor)
    pagecache.changed(pagecache.TRACKS)
    return track
