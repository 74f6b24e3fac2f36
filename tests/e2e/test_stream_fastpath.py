"""The lean path of stream requests in a real uvicorn process: a signed link plays its ranges, and stops
within the access window once moderators hide the track."""

import time
import urllib.error
import urllib.request

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import services
from media import streaming
from tests.accounts.factories import AdminFactory, UserFactory
from tests.e2e.conftest import start_server, stop_servers
from tests.media.conftest import make_audio

pytestmark = pytest.mark.django_db(transaction=True)


def get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (a local URL)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status, lower(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, lower(error.headers), error.read()


def lower(headers) -> dict:
    return {name.lower(): value for name, value in headers.items()}


def test_a_signed_link_plays_through_uvicorn_and_stops_within_the_window_once_hidden(settings, tmp_path):
    owner, moderator = UserFactory(username="singer"), AdminFactory(username="warden")
    audio = make_audio(tmp_path, "mp3", seconds=3, tags=None)
    track = services.track_upload(creator=owner, upload=SimpleUploadedFile("tone.mp3", audio), is_public=True)
    query, _ = streaming.signed_query(track.file.path, public=True)
    server = start_server(settings, STREAM_ACCESS_SECONDS="0.5")
    try:
        url = f"{server.url}{track.file.url}?{query}"
        status, headers, body = get(url, Range="bytes=100-199")
        assert (status, body) == (206, audio[100:200])
        assert headers["content-range"] == f"bytes 100-199/{len(audio)}"
        assert headers["x-frame-options"] == "DENY"
        assert "default-src 'self'" in headers["content-security-policy"]
        status, _, body = get(f"{server.url}/api/v1/tracks/{track.pk}/stream")
        assert (status, body) == (200, audio)

        services.track_hide(actor=moderator, track=track, reason="Reported.")
        hidden = time.monotonic()
        while get(url, Range="bytes=0-9")[0] != 404:
            assert time.monotonic() - hidden < 5, "the hidden track still plays"
            time.sleep(0.05)
        status, headers, body = get(f"{server.url}/api/v1/tracks/{track.pk}/stream")
        assert status == 404
        assert headers["content-type"] == "application/json"
    finally:
        stop_servers(server)
