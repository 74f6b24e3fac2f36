import subprocess

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import services as catalog_services
from tests.accounts.factories import AdminFactory, UserFactory

TAGS = {"title": "Sine Song", "artist": "Test Artist", "album": "Test Album", "genre": "Electro"}
# format -> (ffmpeg output options, file name, expected MIME type)
FORMATS = {
    "mp3": (["-c:a", "libmp3lame", "-b:a", "64k"], "song.mp3", "audio/mpeg"),
    "flac": (["-c:a", "flac"], "song.flac", "audio/flac"),
    "ogg": (["-c:a", "libvorbis", "-q:a", "2"], "song.ogg", "audio/ogg"),
    "opus": (["-c:a", "libopus", "-b:a", "32k", "-f", "ogg"], "song.opus", "audio/ogg"),
    "wav": (["-c:a", "pcm_s16le"], "song.wav", "audio/wav"),
    "m4a": (["-c:a", "aac", "-b:a", "64k", "-f", "ipod"], "song.m4a", "audio/mp4"),
}


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def make_audio(directory, fmt: str, *, seconds: float = 2.0, tags: dict | None = TAGS) -> bytes:
    options, name, _ = FORMATS[fmt]
    target = directory / f"{fmt}-{seconds}-{bool(tags)}-{name}"
    metadata = [arg for key, value in (tags or {}).items() for arg in ("-metadata", f"{key}={value}")]
    command = [ffmpeg(), "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
               f"sine=frequency=440:duration={seconds}", *metadata, *options, str(target)]  # fmt: skip
    subprocess.run(command, check=True, timeout=60)  # noqa: S603
    return target.read_bytes()


@pytest.fixture(scope="session")
def samples(tmp_path_factory):
    """Two-second tagged sine tones in every supported format, made with ffmpeg."""
    directory = tmp_path_factory.mktemp("audio")
    return {fmt: make_audio(directory, fmt) for fmt in FORMATS}


@pytest.fixture(scope="session")
def untagged_wav(tmp_path_factory):
    return make_audio(tmp_path_factory.mktemp("plain"), "wav", seconds=1.5, tags=None)


@pytest.fixture
def owner(db):
    return UserFactory(username="owner")


@pytest.fixture
def stranger(db):
    return UserFactory(username="stranger")


@pytest.fixture
def moderator(db):
    return AdminFactory(username="moderator")


@pytest.fixture
def django_app():
    """Django's ASGI application, counting the requests it gets."""
    from django.core.handlers.asgi import ASGIHandler

    from tests.media.asgi import Counted

    return Counted(ASGIHandler())


@pytest.fixture
def lean_app(django_app):
    """The HTTP application of ``veza.asgi``: the lean path of stream requests in front of Django."""
    from catalog.fastpath import track_stream_route
    from media import fastpath, headers
    from media.fastpath import StreamFastPath, media_route

    fastpath.forget_decisions()
    headers.forget()
    yield StreamFastPath(django_app, routes=(media_route, track_stream_route))
    fastpath.forget_decisions()
    headers.forget()


@pytest.fixture
def public_track(owner, samples):
    """A public MP3 track of ``owner``."""
    return catalog_services.track_upload(
        creator=owner, upload=SimpleUploadedFile("p.mp3", samples["mp3"]), is_public=True
    )


@pytest.fixture
def private_track(owner, samples):
    """A private FLAC track of ``owner``."""
    return catalog_services.track_upload(
        creator=owner, upload=SimpleUploadedFile("s.flac", samples["flac"]), is_public=False
    )
