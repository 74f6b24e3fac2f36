"""The rules of files, held by the services themselves: object and row together, owners, moderators."""

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from core.errors import TooLarge
from media import services
from media.models import File
from tests.accounts.factories import SuperAdminFactory
from tests.media.factories import FileFactory

pytestmark = pytest.mark.django_db


def png(size: int = 4) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (10, 200, 90)).save(buffer, format="PNG")
    return buffer.getvalue()


def stored_objects(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


@pytest.fixture
def stored_file(owner):
    """A file whose object exists in storage."""
    name = default_storage.save("image/kept.png", io.BytesIO(png()))
    return FileFactory(user=owner, path=name, filename=name.rsplit("/", 1)[-1], mime_type="image/png")


# --- upload ---------------------------------------------------------------------------------------


def test_an_upload_writes_the_object_and_its_row_together(owner, settings):
    file = services.file_upload(user=owner, upload=SimpleUploadedFile("../../cover.png", png()), is_public=True)
    stored = File.objects.get(pk=file.pk)
    assert (stored.user_id, stored.mime_type, stored.original_name, stored.is_public) == (
        owner.pk,
        "image/png",
        "cover.png",
        True,
    )
    assert stored.path.startswith("image/") and default_storage.exists(stored.path)
    assert stored_objects(settings) == [Path(settings.MEDIA_ROOT) / stored.path]


def test_an_audio_upload_is_identified_by_its_content_not_its_name(owner, untagged_wav):
    file = services.file_upload(user=owner, upload=SimpleUploadedFile("picture.png", untagged_wav))
    assert file.mime_type == "audio/wav"
    assert file.path.startswith("audio/")


def test_an_empty_upload_is_refused_and_nothing_is_stored(owner, settings):
    with pytest.raises(ValidationError) as refused:
        services.file_upload(user=owner, upload=SimpleUploadedFile("empty.png", b""))
    assert "file" in refused.value.message_dict
    assert not File.objects.exists()
    assert stored_objects(settings) == []


def test_an_upload_that_is_neither_audio_nor_image_is_refused_and_nothing_is_stored(owner, settings):
    with pytest.raises(ValidationError):
        services.file_upload(user=owner, upload=SimpleUploadedFile("song.mp3", b"#!/bin/sh\necho not audio\n"))
    assert not File.objects.exists()
    assert stored_objects(settings) == []


def test_an_image_over_the_image_limit_is_too_large_and_nothing_is_stored(owner, settings):
    image = png(64)
    settings.MEDIA_MAX_IMAGE_BYTES = len(image) - 1
    with pytest.raises(TooLarge) as refused:
        services.file_upload(user=owner, upload=SimpleUploadedFile("big.png", image))
    assert refused.value.limit == len(image) - 1
    assert not File.objects.exists()
    assert stored_objects(settings) == []


def test_an_upload_over_every_limit_is_refused_before_it_is_read(owner, settings):
    settings.MEDIA_MAX_AUDIO_BYTES = settings.MEDIA_MAX_IMAGE_BYTES = 10
    with pytest.raises(TooLarge):
        services.file_upload(user=owner, upload=SimpleUploadedFile("big.bin", b"\x00" * 11))
    assert not File.objects.exists()


def test_the_object_is_deleted_again_when_its_row_cannot_be_written(settings):
    upload = SimpleUploadedFile("cover.png", png())
    found = services.upload_inspect(upload)
    with pytest.raises(RuntimeError), services.stored(upload, found) as (name, _):
        assert default_storage.exists(name)
        raise RuntimeError("the row could not be written")
    assert stored_objects(settings) == []


# --- visibility -----------------------------------------------------------------------------------


def test_a_stranger_cannot_change_a_files_visibility(stranger, stored_file):
    with pytest.raises(PermissionDenied):
        services.file_set_public(actor=stranger, file=stored_file, is_public=False)
    assert File.objects.get(pk=stored_file.pk).is_public is True


def test_the_owner_switches_visibility(owner, stored_file):
    services.file_set_public(actor=owner, file=stored_file, is_public=False)
    assert File.objects.get(pk=stored_file.pk).is_public is False


def test_only_moderators_hide_a_file_and_only_with_a_reason(owner, stranger, moderator, stored_file):
    for actor in (owner, stranger):
        with pytest.raises(PermissionDenied):
            services.file_hide(actor=actor, file=stored_file, reason="Mine to hide")
    with pytest.raises(ValidationError):
        services.file_hide(actor=moderator, file=stored_file, reason=" ")
    assert File.objects.get(pk=stored_file.pk).moderated_at is None
    services.file_hide(actor=moderator, file=stored_file, reason="Copyright")
    stored = File.objects.get(pk=stored_file.pk)
    assert (stored.moderated_by_id, stored.moderation_reason) == (moderator.pk, "Copyright")


def test_a_moderator_changes_the_visibility_of_a_hidden_file(moderator, stored_file):
    services.file_hide(actor=moderator, file=stored_file, reason="Copyright")
    services.file_set_public(actor=moderator, file=stored_file, is_public=False)
    stored = File.objects.get(pk=stored_file.pk)
    assert (stored.is_public, stored.moderation_reason) == (False, "Copyright")


# --- deletion -------------------------------------------------------------------------------------


def test_a_stranger_cannot_delete_a_file(stranger, stored_file):
    with pytest.raises(PermissionDenied):
        services.file_delete(actor=stranger, file=stored_file)
    assert File.objects.filter(pk=stored_file.pk).exists()
    assert default_storage.exists(stored_file.path)


def test_an_admin_moderator_cannot_delete_a_file_but_a_super_admin_can(
    moderator, stored_file, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        services.file_delete(actor=moderator, file=stored_file)
    assert File.objects.filter(pk=stored_file.pk).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.file_delete(actor=SuperAdminFactory(), file=stored_file)
    assert not File.objects.filter(pk=stored_file.pk).exists()
    assert not default_storage.exists(stored_file.path)


def test_the_object_is_deleted_only_once_the_row_deletion_commits(
    owner, stored_file, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.file_delete(actor=owner, file=stored_file)
    assert not File.objects.filter(pk=stored_file.pk).exists()
    assert default_storage.exists(stored_file.path)  # not before the commit
    for callback in callbacks:
        callback()
    assert not default_storage.exists(stored_file.path)


def test_the_owner_deletes_a_file_hidden_by_moderators(owner, moderator, stored_file):
    services.file_hide(actor=moderator, file=stored_file, reason="Copyright")
    services.file_delete(actor=owner, file=stored_file)
    assert not File.objects.filter(pk=stored_file.pk).exists()


def test_an_object_a_row_points_to_is_never_deleted_as_an_orphan(stored_file):
    assert services.orphan_object_delete(name=stored_file.path) is False
    assert default_storage.exists(stored_file.path)


def test_an_object_no_row_points_to_is_deleted_as_an_orphan(db):
    name = default_storage.save("image/orphan.png", io.BytesIO(png()))
    assert services.orphan_object_delete(name=name) is True
    assert not default_storage.exists(name)
