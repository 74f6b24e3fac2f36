"""Every state change of files: upload (object and row together, or neither), visibility, deletion."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from accounts.models import User
from core import moderated, pagecache
from core.errors import TooLarge
from media import permissions, selectors
from media.inspect import Inspected, Kind, clean_name, inspect, inspect_audio
from media.models import File


def max_bytes(kind: str) -> int:
    return settings.MEDIA_MAX_AUDIO_BYTES if kind == Kind.AUDIO else settings.MEDIA_MAX_IMAGE_BYTES


def largest_upload() -> int:
    return max(settings.MEDIA_MAX_AUDIO_BYTES, settings.MEDIA_MAX_IMAGE_BYTES)


def upload_inspect(upload: UploadedFile, *, audio_only: bool = False) -> Inspected:
    """Identify ``upload`` by content and check its size limit (ValidationError, TooLarge)."""
    if not upload.size:
        raise ValidationError({"file": ["The file is empty."]})
    if upload.size > largest_upload():
        raise TooLarge(largest_upload())
    found = inspect_audio(upload) if audio_only else inspect(upload)
    limit = max_bytes(found.kind)
    if upload.size > limit:
        raise TooLarge(limit, what=f"{found.kind} file")
    return found


@contextmanager
def stored(upload: UploadedFile, found: Inspected) -> Iterator[tuple[str, str]]:
    """Store the object; if the block fails, delete it again. Yields (storage name, file name)."""
    filename = f"{uuid.uuid4().hex}{found.extension}"
    name = default_storage.save(f"{found.kind}/{filename}", upload)
    try:
        yield name, filename
    except BaseException:
        default_storage.delete(name)
        raise


def file_record(
    *, user: User, upload: UploadedFile, found: Inspected, name: str, filename: str, is_public: bool
) -> File:
    """The ``files`` row of an object stored by :func:`stored` (call inside its block and a transaction)."""
    file = File(
        user=user,
        filename=filename,
        original_name=clean_name(upload.name or "", fallback=f"upload{found.extension}"),
        mime_type=found.mime_type,
        size=cast(int, upload.size),  # upload_inspect refused an upload without a size
        path=name,
        url=f"{settings.MEDIA_URL}{name}",
        is_public=is_public,
    )
    file.full_clean(validate_unique=False)
    file.save()
    return file


def file_upload(*, user: User, upload: UploadedFile, is_public: bool = False) -> File:
    """Store an audio file or image: the object and its row both exist afterwards, or neither does."""
    found = upload_inspect(upload)
    with stored(upload, found) as (name, filename), transaction.atomic():
        return file_record(user=user, upload=upload, found=found, name=name, filename=filename, is_public=is_public)


@transaction.atomic
def file_set_public(*, actor: User, file: File, is_public: bool) -> File:
    """The owner's visibility switch; it cannot lift a moderator's hiding (:func:`file_hide`)."""
    if not permissions.can_manage_file(actor, file):
        if not moderated.owner_or_moderator(actor, file.user_id):
            raise PermissionDenied("Only the owner or a moderator can change this file.")
        moderated.refuse_if_moderated(actor, file, what="This file")
    file.is_public = is_public
    file.save(update_fields=["is_public", "updated_at"])
    pagecache.changed(pagecache.TRACKS)
    return file


@transaction.atomic
def file_hide(*, actor: User, file: File, reason: str) -> File:
    """Moderators hide a file (and so its tracks) with a reason its owner reads; only staff lift it."""
    moderated.hide(file, actor=actor, reason=reason)
    pagecache.changed(pagecache.TRACKS)
    return file


@transaction.atomic
def file_restore(*, actor: User, file: File) -> File:
    """Moderators lift the hiding: the file is again what its owner's ``is_public`` says."""
    moderated.restore(file, actor=actor)
    pagecache.changed(pagecache.TRACKS)
    return file


@transaction.atomic
def file_delete(*, actor: User, file: File) -> None:
    """Delete the row (and its tracks), then the stored object once the transaction commits.

    The owner deletes their file; among moderators only super admins hard-delete (admins hide it).
    """
    if not permissions.can_delete_file(actor, file):
        raise PermissionDenied("Only the owner or a super admin can delete this file.")
    name = file.path
    file.delete()
    pagecache.changed(pagecache.TRACKS)
    transaction.on_commit(lambda: default_storage.delete(name))


@transaction.atomic
def file_forget(*, file: File) -> None:
    """Delete the row (and its tracks) of a file whose stored object is gone: maintenance, no access check."""
    file.delete()
    pagecache.changed(pagecache.TRACKS)


def orphan_object_delete(*, name: str) -> bool:
    """Delete a stored object that no row points to (checked again now); False, and kept, if one does."""
    if selectors.paths_in_use([name]):
        return False
    default_storage.delete(name)
    return True
