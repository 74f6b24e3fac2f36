"""Storage faults: a stored object that is missing (404) or that the store cannot give (503) is answered in the
JSON error shape before any header of a success, logged once, and listed by ``check_storage``."""

import json
import logging
from io import StringIO
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connections

from catalog import services
from media import streaming
from tests.media.factories import FileFactory

pytestmark = pytest.mark.django_db


class UnreadableStorage(FileSystemStorage):
    """The local disk, where every object exists and reading any of them is refused."""

    def _open(self, name, mode="rb"):
        raise PermissionError(13, "Permission denied", self.path(name))


class S3LikeStorage(FileSystemStorage):
    """Answers every open as S3 (botocore) answers it, with the error code ``error``."""

    error = "404"

    def _open(self, name, mode="rb"):
        from botocore.exceptions import ClientError

        raise ClientError({"Error": {"Code": self.error, "Message": "..."}}, "HeadObject")


@pytest.fixture
def track(owner, samples):
    return services.track_upload(creator=owner, upload=SimpleUploadedFile("s.flac", samples["flac"]), is_public=True)


def object_path(file) -> Path:
    return Path(default_storage.path(file.path))


def assert_error(response, status: int, code: str):
    assert response.status_code == status
    assert response["Content-Type"] == "application/json"
    assert not response.streaming
    assert "Content-Range" not in response and "ETag" not in response
    if not response.content:  # HEAD
        return None
    body = json.loads(response.content)
    assert body["error"]["code"] == code
    if code == "not_found":  # the object's fault, not the access rule's 404
        assert body["error"]["detail"] == "The stored object of this file is missing."
    return body


@pytest.mark.parametrize("headers", [{}, {"Range": "bytes=0-99"}, {"Range": "bytes=100-"}])
def test_a_track_whose_object_was_deleted_streams_404_not_206(api, owner, track, headers):
    object_path(track.file).unlink()
    api.force_authenticate(owner)
    response = api.get(f"/api/v1/tracks/{track.pk}/stream", headers=headers)
    assert_error(response, 404, "not_found")


def test_a_signed_url_to_a_deleted_object_answers_404_json(client, api, owner, track):
    api.force_authenticate(owner)
    url = api.get(f"/api/v1/tracks/{track.pk}/stream-url").json()["url"]
    object_path(track.file).unlink()
    response = client.get(url.removeprefix("http://testserver"), headers={"Range": "bytes=0-"})
    assert_error(response, 404, "not_found")


def test_head_and_conditional_requests_check_the_object_too(api, owner, track):
    api.force_authenticate(owner)
    etag = api.get(f"/api/v1/tracks/{track.pk}/stream")["ETag"]
    object_path(track.file).unlink()
    assert_error(api.head(f"/api/v1/tracks/{track.pk}/stream"), 404, "not_found")
    assert_error(api.get(f"/api/v1/tracks/{track.pk}/stream", headers={"If-None-Match": etag}), 404, "not_found")


@pytest.mark.django_db(transaction=True)
async def test_the_asgi_path_answers_404_before_streaming(async_client, owner, samples):
    from asgiref.sync import sync_to_async

    upload = SimpleUploadedFile("s.flac", samples["flac"])
    track = await sync_to_async(services.track_upload)(creator=owner, upload=upload, is_public=True)
    response = await async_client.get(f"/api/v1/tracks/{track.pk}/stream", headers={"Range": "bytes=0-99"})
    assert response.status_code == 206
    await sync_to_async(object_path(track.file).unlink)()
    response = await async_client.get(f"/api/v1/tracks/{track.pk}/stream", headers={"Range": "bytes=0-99"})
    await sync_to_async(connections.close_all)()  # the views' thread keeps its connection otherwise
    assert_error(response, 404, "not_found")


def test_a_store_that_refuses_to_read_answers_503(api, owner, track, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.UnreadableStorage"}}
    api.force_authenticate(owner)
    response = api.get(f"/api/v1/tracks/{track.pk}/stream", headers={"Range": "bytes=0-99"})
    assert_error(response, 503, "storage_unavailable")


@pytest.mark.parametrize(("error", "status", "code"), [("404", 404, "not_found"), ("NoSuchKey", 404, "not_found"),
                                                     ("AccessDenied", 503, "storage_unavailable")])  # fmt: skip
def test_s3_errors_are_told_apart(api, owner, track, settings, monkeypatch, error, status, code):
    monkeypatch.setattr(S3LikeStorage, "error", error)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.S3LikeStorage"}}
    api.force_authenticate(owner)
    assert_error(api.get(f"/api/v1/tracks/{track.pk}/stream"), status, code)


def test_an_unreachable_store_answers_503(api, owner, track, settings, tmp_path):
    # The media folder's place is taken by a plain file: every open fails with NotADirectoryError.
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    settings.MEDIA_ROOT = blocker / "media"
    api.force_authenticate(owner)
    assert_error(api.get(f"/api/v1/tracks/{track.pk}/stream"), 503, "storage_unavailable")


def test_an_object_that_is_a_folder_or_of_another_size_answers_503(api, owner, track, samples):
    path = object_path(track.file)
    api.force_authenticate(owner)
    path.write_bytes(samples["flac"][:1000])  # truncated: its Content-Length would be a lie
    assert_error(api.get(f"/api/v1/tracks/{track.pk}/stream"), 503, "storage_unavailable")
    path.unlink()
    path.mkdir()
    assert_error(api.get(f"/api/v1/tracks/{track.pk}/stream"), 503, "storage_unavailable")


def test_a_fault_is_logged_once_without_a_traceback(api, owner, track, caplog):
    object_path(track.file).unlink()
    api.force_authenticate(owner)
    with caplog.at_level(logging.INFO):
        api.get(f"/api/v1/tracks/{track.pk}/stream", headers={"Range": "bytes=0-"})
    records = [record for record in caplog.records if record.levelno >= logging.WARNING]
    assert len(records) == 1
    assert records[0].name == "veza.media"
    assert track.file.path in records[0].getMessage() and "missing" in records[0].getMessage()
    assert records[0].exc_info is None


def test_accel_mode_checks_that_the_object_exists(api, owner, track, settings):
    settings.MEDIA_SERVE = "accel"
    api.force_authenticate(owner)
    assert api.get(f"/api/v1/tracks/{track.pk}/stream")["X-Accel-Redirect"]
    object_path(track.file).unlink()
    response = api.get(f"/api/v1/tracks/{track.pk}/stream")
    assert_error(response, 404, "not_found")
    assert "X-Accel-Redirect" not in response


def test_a_missing_avatar_is_a_404_and_an_unreachable_one_a_503(client, settings, tmp_path):
    assert client.get("/media/avatars/nobody.png").status_code == 404
    blocker = tmp_path / "not-a-folder"
    blocker.write_bytes(b"")
    settings.MEDIA_ROOT = blocker / "media"
    response = client.get("/media/avatars/nobody.png")
    assert response.status_code == 503
    assert json.loads(response.content)["error"]["code"] == "storage_unavailable"


def test_open_stored_checks_the_size(track, samples):
    streaming.open_stored(track.file.path, len(samples["flac"])).close()
    with pytest.raises(streaming.StorageFault) as fault:
        streaming.open_stored(track.file.path, len(samples["flac"]) + 1)
    assert not fault.value.missing


# --- check_storage ---------------------------------------------------------------------------------------


@pytest.fixture
def broken_rows(owner, samples):
    """Five tracks: the second's object deleted, the fourth's truncated, the others sound."""
    tracks = [
        services.track_upload(creator=owner, upload=SimpleUploadedFile(f"t{i}.flac", samples["flac"]), is_public=True)
        for i in range(5)
    ]
    object_path(tracks[1].file).unlink()
    object_path(tracks[3].file).write_bytes(b"short")
    orphan_row = FileFactory(user=owner)  # a row whose object never existed, and no track
    return tracks, orphan_row


def run_check(*args):
    out = StringIO()
    try:
        call_command("check_storage", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue()
    return 0, out.getvalue()


def test_check_storage_lists_exactly_the_broken_rows_as_json(broken_rows):
    tracks, orphan_row = broken_rows
    code, out = run_check("--json", "--batch-size", "2")
    assert code == 1
    report = json.loads(out)
    assert [(row["file_id"], row["problem"], row["track_ids"]) for row in report["broken"]] == [
        (tracks[1].file_id, "missing", [tracks[1].pk]),
        (tracks[3].file_id, "unavailable", [tracks[3].pk]),
        (orphan_row.pk, "missing", []),
    ]
    assert report["broken"][0]["path"] == tracks[1].file.path
    assert "5 bytes" in report["broken"][1]["detail"]


def test_check_storage_prints_a_table_of_the_broken_rows(broken_rows):
    tracks, orphan_row = broken_rows
    code, out = run_check()
    assert code == 1
    lines = out.strip().splitlines()
    assert lines[0].split()[:4] == ["file", "problem", "tracks", "path"]
    assert [line.split()[:4] for line in lines[1:]] == [
        [str(tracks[1].file_id), "missing", str(tracks[1].pk), tracks[1].file.path],
        [str(tracks[3].file_id), "unavailable", str(tracks[3].pk), tracks[3].file.path],
        [str(orphan_row.pk), "missing", "-", orphan_row.path],
    ]


def test_check_storage_exits_0_when_every_object_is_there(track):
    assert run_check() == (0, "Every files row has its stored object.\n")
    code, out = run_check("--json")
    assert (code, json.loads(out)) == (0, {"broken": []})
