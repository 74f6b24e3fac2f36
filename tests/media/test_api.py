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


def _png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header declares ``width`` x ``height`` pixels (a decompression bomb)."""
    import struct
    import zlib

    data = bytearray(png())
    header = struct.pack(">II", width, height) + bytes(data[24:29])
    data[16:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(b"IHDR" + header))
    return bytes(data)


def test_an_image_declaring_too_many_pixels_is_refused_before_decoding(api, owner):
    bomb = _png_declaring(20000, 20000)
    assert len(bomb) < 1000
    api.force_authenticate(owner)
    response = api.post("/api/v1/files/", {"file": SimpleUploadedFile("bomb.png", bomb)}, format="multipart")
    assert response.status_code == 400, response.content
    assert "too large" in response.json()["error"]["fields"]["file"][0]
    huge = _png_declaring(100000, 100000)  # past Pillow's own bomb limit, which raises its own error
    response = api.post("/api/v1/files/", {"file": SimpleUploadedFile("huge.png", huge)}, format="multipart")
    assert response.status_code == 400, response.content
    assert not File.objects.exists()


def test_the_avatar_upload_refuses_a_decompression_bomb(api, owner):
    api.force_authenticate(owner)
    bomb = SimpleUploadedFile("a.png", _png_declaring(20000, 20000))
    response = api.put("/api/v1/users/me/avatar", {"avatar": bomb}, format="multipart")
    assert response.status_code == 400, response.content
    owner.refresh_from_db()
    assert not owner.avatar


def test_audio_tags_with_nul_bytes_or_control_characters_are_cleaned(api, owner, samples, tmp_path):
    import mutagen

    from media.inspect import clean_tag

    path = tmp_path / "tagged.flac"
    path.write_bytes(samples["flac"])
    audio = mutagen.File(path)
    audio["title"] = "Night\x00Drive\x07"
    audio["artist"] = "Zero\x00"
    audio.save()
    api.force_authenticate(owner)
    response = api.post(
        "/api/v1/tracks/", {"file": SimpleUploadedFile("t.flac", path.read_bytes())}, format="multipart"
    )
    assert response.status_code == 201, response.content
    assert (response.json()["title"], response.json()["artist"]) == ("NightDrive", "Zero")
    assert clean_tag("a\ud800b\udfff\x00c") == "abc"  # a lone surrogate cannot be stored either
