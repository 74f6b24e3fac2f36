"""Uploading tracks: formats, tags, fallbacks, spoofed content, names, size limit, atomicity."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Track
from media.models import File
from tests.media.conftest import FORMATS, TAGS

pytestmark = pytest.mark.django_db


def upload(api, data: bytes, name: str, **fields):
    return api.post("/api/v1/tracks/", {"file": SimpleUploadedFile(name, data), **fields}, format="multipart")


def stored_objects() -> list[str]:
    return default_storage.listdir("audio")[1] if default_storage.exists("audio") else []


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_uploads_with_its_tags_and_duration(api, owner, samples, fmt):
    api.force_authenticate(owner)
    response = upload(api, samples[fmt], FORMATS[fmt][1], is_public="true")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["mime_type"] == FORMATS[fmt][2]
    assert (body["title"], body["artist"], body["album"], body["genre"]) == tuple(TAGS.values())
    assert body["duration"] in (2, 3)
    assert body["is_public"] is True
    file = File.objects.get(pk=body["file_id"])
    assert file.size == len(samples[fmt])
    assert default_storage.open(file.path).read() == samples[fmt]


def test_missing_tags_fall_back_to_the_file_name_and_unknowns(api, owner, untagged_wav):
    api.force_authenticate(owner)
    body = upload(api, untagged_wav, "My First Demo.wav").json()
    assert body["title"] == "My First Demo"
    assert (body["artist"], body["album"], body["genre"]) == ("Unknown artist", "Unknown album", "Unknown genre")
    assert body["duration"] == 2
    assert body["is_public"] is False


def test_given_fields_win_over_tags(api, owner, samples):
    api.force_authenticate(owner)
    body = upload(api, samples["flac"], "x.flac", title="Renamed", genre="Ambient").json()
    assert (body["title"], body["artist"], body["genre"]) == ("Renamed", "Test Artist", "Ambient")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"just some text pretending to be music\n" * 100, "song.mp3"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 2000, "song.mp3"),
        (b"MZ\x90\x00" + b"\x00" * 2000, "song.wav"),
        (b"%PDF-1.4\n" + b"x" * 2000, "song.flac"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 2000, "song.ogg"),
        (b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 100, "song.mp3"),
    ],
)
def test_content_that_is_not_audio_is_refused_whatever_its_name(api, owner, data, name):
    api.force_authenticate(owner)
    response = upload(api, data, name)
    assert response.status_code == 400
    assert "file" in response.json()["error"]["fields"]
    assert not File.objects.exists()
    assert stored_objects() == []


def test_empty_file_is_refused(api, owner):
    api.force_authenticate(owner)
    response = upload(api, b"", "empty.mp3")
    assert response.status_code == 400


def test_path_traversal_and_control_characters_in_names_are_neutralised(api, owner, samples):
    api.force_authenticate(owner)
    body = upload(api, samples["mp3"], "../../etc/\x00pass\nwd.mp3").json()
    file = File.objects.get(pk=body["file_id"])
    assert file.original_name == "passwd.mp3"
    assert file.path.startswith("audio/") and ".." not in file.path
    windows = upload(api, samples["mp3"], "..\\..\\windows\\evil.mp3").json()
    assert File.objects.get(pk=windows["file_id"]).original_name == "evil.mp3"


def test_overlong_name_is_cut_to_255_keeping_the_extension(api, owner, samples):
    api.force_authenticate(owner)
    body = upload(api, samples["mp3"], "x" * 300 + ".mp3").json()
    name = File.objects.get(pk=body["file_id"]).original_name
    assert len(name) == 255 and name.endswith(".mp3")


def test_overlong_fields_are_400(api, owner, samples):
    api.force_authenticate(owner)
    response = upload(api, samples["mp3"], "a.mp3", title="t" * 256)
    assert response.status_code == 400
    assert "title" in response.json()["error"]["fields"]


def test_size_limit_answers_413_and_stores_nothing(api, owner, samples, settings):
    settings.MEDIA_MAX_AUDIO_BYTES = 1000
    api.force_authenticate(owner)
    response = upload(api, samples["wav"], "big.wav")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert not File.objects.exists() and stored_objects() == []


def test_oversized_request_is_refused_from_its_length_alone(api, owner, settings):
    settings.MEDIA_MAX_AUDIO_BYTES = settings.MEDIA_MAX_IMAGE_BYTES = 10
    api.force_authenticate(owner)
    response = api.generic(
        "POST", "/api/v1/tracks/", b"x" * 1_100_100, content_type="multipart/form-data; boundary=zzz"
    )
    assert response.status_code == 413


def test_a_failure_after_storing_leaves_neither_row_nor_object(api, owner, samples, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(Track, "save", explode)
    api.force_authenticate(owner)
    with pytest.raises(RuntimeError):
        upload(api, samples["mp3"], "a.mp3")
    assert not File.objects.exists()
    assert stored_objects() == []


def test_anonymous_cannot_upload(api, samples):
    assert upload(api, samples["mp3"], "a.mp3").status_code == 401
