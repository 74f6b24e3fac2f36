"""Stored objects and ``files`` rows that lost each other.

An upload writes the object first, then commits its rows (``media.services.stored``): a process killed
in between leaves an object that no row points to. A deletion removes the row, then the object after
commit: a crash in between leaves one too. A row whose object is missing only comes from outside
(a lost disk, a restore from an older backup of the media). Everything goes through the configured
storage backend, so the same code serves the local disk and S3.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice

from django.core.files.storage import Storage, default_storage
from django.utils import timezone

from media import selectors
from media.inspect import Kind
from media.models import File
from media.streaming import StorageFault, open_stored

# The folders Veza writes: uploads by kind (media.services) and avatars (accounts.services).
FOLDERS = (Kind.AUDIO, Kind.IMAGE, "avatars")
BATCH = 500


@dataclass(frozen=True)
class Orphan:
    name: str
    size: int
    modified: datetime


def stored_names(folder: str, storage: Storage = default_storage) -> Iterator[str]:
    """Every object name under ``folder``, sub-folders included."""
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:  # the local disk has no such folder yet
        return
    for name in sorted(files):
        yield f"{folder}/{name}"
    for sub in sorted(folders):
        yield from stored_names(f"{folder}/{sub}", storage)


def _batches(names: Iterator[str]) -> Iterator[list[str]]:
    while batch := list(islice(names, BATCH)):
        yield batch


def orphan_objects(*, older_than: timedelta, storage: Storage = default_storage) -> Iterator[Orphan]:
    """Objects that no row points to, last written more than ``older_than`` ago.

    Younger ones are left alone: their upload may still be about to commit its row.
    """
    cutoff = timezone.now() - older_than
    for folder in FOLDERS:
        for names in _batches(stored_names(folder, storage)):
            in_use = selectors.paths_in_use(names)
            for name in names:
                if name in in_use:
                    continue
                modified = storage.get_modified_time(name)
                if modified <= cutoff:
                    yield Orphan(name, storage.size(name), modified)


def rows_without_object(storage: Storage = default_storage) -> Iterator[File]:
    """``files`` rows whose object is missing (a row is committed only after its object is written)."""
    for file in File.objects.select_related("user").order_by("pk").iterator(chunk_size=BATCH):
        if not storage.exists(file.path):
            yield file


@dataclass(frozen=True)
class Broken:
    """A ``files`` row whose object cannot be served: ``missing`` (404) or ``unavailable`` (503)."""

    file_id: int
    path: str
    size: int
    problem: str
    detail: str
    track_ids: tuple[int, ...]


def broken_files(*, batch: int = BATCH) -> Iterator[Broken]:
    """Every ``files`` row whose object is missing, unreadable or of another size, in id order.

    The rows are read in batches of ``batch`` (by id, one query for the rows and one for their tracks per
    batch), and each object is opened the way streaming opens it (:func:`media.streaming.open_stored`).
    """
    last = 0
    while rows := list(File.objects.filter(pk__gt=last).order_by("pk").values_list("pk", "path", "size")[:batch]):
        last = rows[-1][0]
        faults = []
        for pk, path, size in rows:
            try:
                open_stored(path, size).close()
            except StorageFault as fault:
                faults.append((pk, path, size, fault))
        if not faults:
            continue
        tracks: dict[int, list[int]] = {}
        pairs = File.objects.filter(pk__in=[pk for pk, *_ in faults], tracks__isnull=False)
        for pk, track_id in pairs.values_list("pk", "tracks__id").order_by("pk", "tracks__id"):
            tracks.setdefault(pk, []).append(track_id)
        for pk, path, size, fault in faults:
            problem = "missing" if fault.missing else "unavailable"
            yield Broken(pk, path, size, problem, fault.reason, tuple(tracks.get(pk, ())))
