"""The rules of tracks, held by the services themselves: upload all or nothing, owners, moderators."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from catalog import services
from catalog.models import Track
from media import services as media_services
from media.models import File
from tests.accounts.factories import SuperAdminFactory
from tests.catalog.factories import TrackFactory

pytestmark = pytest.mark.django_db


def stored_objects(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture
def track(owner):
    return TrackFactory(file__user=owner, title="Night Drive", artist="Owner", album="Demos", genre="Synth")


def row(track) -> Track:
    return Track.objects.select_related("file").get(pk=track.pk)


# --- upload ---------------------------------------------------------------------------------------


def test_an_untagged_upload_takes_its_title_from_the_file_name_and_unknowns_for_the_rest(owner, untagged_wav):
    track = services.track_upload(creator=owner, upload=SimpleUploadedFile("Morning Walk.wav", untagged_wav))
    stored = row(track)
    assert (stored.title, stored.artist, stored.album, stored.genre) == (
        "Morning Walk",
        services.UNKNOWN_ARTIST,
        services.UNKNOWN_ALBUM,
        services.UNKNOWN_GENRE,
    )
    assert stored.duration > 0
    assert (stored.creator_id, stored.file.user_id, stored.file.is_public) == (owner.pk, owner.pk, False)
    assert default_storage.exists(stored.file.path)


def test_given_metadata_wins_and_blank_values_fall_back(owner, untagged_wav):
    track = services.track_upload(
        creator=owner,
        upload=SimpleUploadedFile("file.wav", untagged_wav),
        is_public=True,
        title="  Given Title ",
        artist="   ",
        genre="Ambient",
    )
    stored = row(track)
    assert (stored.title, stored.artist, stored.genre) == ("Given Title", services.UNKNOWN_ARTIST, "Ambient")
    assert stored.file.is_public is True


def test_an_image_is_not_a_track_and_nothing_is_written(owner, settings):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    with pytest.raises(ValidationError):
        services.track_upload(creator=owner, upload=SimpleUploadedFile("song.mp3", buffer.getvalue()))
    assert not Track.objects.exists()
    assert not File.objects.exists()
    assert stored_objects(settings) == []


def test_audio_with_no_playable_length_is_refused_and_nothing_is_written(owner, untagged_wav, settings):
    silence = untagged_wav[:44] + b"\x00" * 8  # a WAV header and less than one frame: no duration to store
    with pytest.raises(ValidationError) as refused:
        services.track_upload(creator=owner, upload=SimpleUploadedFile("song.wav", silence), title="Silence")
    assert "file" in refused.value.message_dict
    assert not Track.objects.exists()
    assert not File.objects.exists()
    assert stored_objects(settings) == []


# --- edits ----------------------------------------------------------------------------------------


def test_a_stranger_cannot_edit_a_track(stranger, track):
    with pytest.raises(PermissionDenied):
        services.track_update(actor=stranger, track=track, title="Stolen")
    assert row(track).title == "Night Drive"


def test_the_creator_edits_trimmed_metadata(owner, track):
    services.track_update(actor=owner, track=track, title="  Day Drive ", genre="Synthwave")
    assert (row(track).title, row(track).genre) == ("Day Drive", "Synthwave")


def test_only_title_artist_album_and_genre_are_editable(owner, stranger, track):
    with pytest.raises(ValidationError) as refused:
        services.track_update(actor=owner, track=track, creator=stranger, duration=1, title="Renamed")
    assert set(refused.value.message_dict) == {"creator", "duration"}
    stored = row(track)
    assert (stored.creator_id, stored.duration, stored.title) == (track.creator_id, 180, "Night Drive")


def test_a_blank_title_is_refused_and_the_track_unchanged(owner, track):
    with pytest.raises(ValidationError) as refused:
        services.track_update(actor=owner, track=track, title="   ", artist="Someone else")
    assert "title" in refused.value.message_dict
    stored = row(track)
    assert (stored.title, stored.artist) == ("Night Drive", "Owner")


def test_the_creator_switches_the_visibility_of_the_tracks_file(owner, track):
    services.track_update(actor=owner, track=track, is_public=False)
    assert row(track).file.is_public is False


def test_the_creator_cannot_edit_a_track_hidden_by_moderators(owner, moderator, track):
    services.track_hide(actor=moderator, track=track, reason="Copyright claim")
    with pytest.raises(PermissionDenied) as refused:
        services.track_update(actor=owner, track=track, title="Renamed", is_public=False)
    assert "Copyright claim" in str(refused.value)
    stored = row(track)
    assert (stored.title, stored.file.is_public) == ("Night Drive", True)


def test_the_creator_cannot_edit_a_track_whose_file_moderators_hid(owner, moderator, track):
    media_services.file_hide(actor=moderator, file=track.file, reason="Malware")
    with pytest.raises(PermissionDenied):
        services.track_update(actor=owner, track=Track.objects.get(pk=track.pk), title="Renamed")
    assert row(track).title == "Night Drive"


def test_moderators_edit_a_hidden_track(moderator, track):
    services.track_hide(actor=moderator, track=track, reason="Offensive title")
    services.track_update(actor=moderator, track=track, title="Untitled")
    assert row(track).title == "Untitled"


def test_restoring_a_track_leaves_its_hidden_file_hidden(moderator, track):
    media_services.file_hide(actor=moderator, file=track.file, reason="Malware")
    services.track_hide(actor=moderator, track=track, reason="Malware")
    services.track_restore(actor=moderator, track=track)
    stored = row(track)
    assert stored.moderated_at is None
    assert stored.hidden_by_moderation[1] == "Malware"  # the file's hiding


# --- deletion -------------------------------------------------------------------------------------


def test_a_stranger_cannot_delete_a_track(stranger, track):
    with pytest.raises(PermissionDenied):
        services.track_delete(actor=stranger, track=track)
    assert Track.objects.filter(pk=track.pk).exists()


def test_an_admin_moderator_cannot_delete_a_track_but_a_super_admin_can(moderator, track):
    with pytest.raises(PermissionDenied):
        services.track_delete(actor=moderator, track=track)
    assert Track.objects.filter(pk=track.pk).exists()
    services.track_delete(actor=SuperAdminFactory(), track=track)
    assert not Track.objects.filter(pk=track.pk).exists()
    assert not File.objects.filter(pk=track.file_id).exists()


def test_the_creator_deletes_a_hidden_track_with_its_file_and_object(
    owner, moderator, untagged_wav, django_capture_on_commit_callbacks
):
    track = services.track_upload(creator=owner, upload=SimpleUploadedFile("gone.wav", untagged_wav))
    path = track.file.path
    services.track_hide(actor=moderator, track=track, reason="Spam")
    with django_capture_on_commit_callbacks(execute=True):
        services.track_delete(actor=owner, track=track)
    assert not Track.objects.filter(pk=track.pk).exists()
    assert not File.objects.filter(pk=track.file_id).exists()
    assert not default_storage.exists(path)
