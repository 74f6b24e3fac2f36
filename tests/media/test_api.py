"""/api/v1/files/: my files, uploads of audio and images, privacy, deletion."""

import io

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from media.models import File

pytestmark = pytest.mark.django_db


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_upload_an_image_and_an_audio_file(api, owner, samples):
    api.force_authenticate(owner)
    image = api.post("/api/v1/files/", {"file": SimpleUploadedFile("cover.png", png())}, format="multipart")
    assert image.status_code == 201, image.json()
    assert image.json()["mime_type"] == "image/png"
    audio = api.post(
        "/api/v1/files/", {"file": SimpleUploadedFile("a.ogg", samples["ogg"]), "is_public": True}, format="multipart"
    )
    assert audio.json()["mime_type"] == "audio/ogg"
    assert audio.json()["is_public"] is True


def test_other_kinds_of_files_are_refused(api, owner):
    api.force_authenticate(owner)
    response = api.post("/api/v1/files/", {"file": SimpleUploadedFile("a.png", b"plain text")}, format="multipart")
    assert response.status_code == 400


def test_image_size_limit(api, owner, settings):
    settings.MEDIA_MAX_IMAGE_BYTES = 10
    api.force_authenticate(owner)
    response = api.post("/api/v1/files/", {"file": SimpleUploadedFile("a.png", png())}, format="multipart")
    assert response.status_code == 413


def test_list_shows_only_my_files(api, owner, stranger, samples):
    api.force_authenticate(stranger)
    api.post("/api/v1/files/", {"file": SimpleUploadedFile("b.png", png()), "is_public": True}, format="multipart")
    api.force_authenticate(owner)
    assert api.get("/api/v1/files/").json()["results"] == []
    assert api.get("/api/v1/files/").status_code == 200
    api.force_authenticate(None)
    assert api.get("/api/v1/files/").status_code == 401


def test_private_file_detail_is_404_to_others(api, owner, stranger):
    api.force_authenticate(owner)
    file_id = api.post("/api/v1/files/", {"file": SimpleUploadedFile("c.png", png())}, format="multipart").json()["id"]
    api.force_authenticate(stranger)
    assert api.get(f"/api/v1/files/{file_id}/").status_code == 404
    assert api.delete(f"/api/v1/files/{file_id}/").status_code == 404
    api.force_authenticate(owner)
    assert api.patch(f"/api/v1/files/{file_id}/", {"is_public": True}, format="json").json()["is_public"] is True
    api.force_authenticate(stranger)
    assert api.get(f"/api/v1/files/{file_id}/").status_code == 200
    assert api.delete(f"/api/v1/files/{file_id}/").status_code == 403


def test_delete_removes_row_and_object(api, owner, django_capture_on_commit_callbacks):
    api.force_authenticate(owner)
    file_id = api.post("/api/v1/files/", {"file": SimpleUploadedFile("d.png", png())}, format="multipart").json()["id"]
    path = File.objects.get(pk=file_id).path
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/v1/files/{file_id}/").status_code == 204
    assert not File.objects.filter(pk=file_id).exists()
    assert not default_storage.exists(path)
