"""Chromium plays a track from its page and seeks: the playback position moves past the seek point."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import services
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import log_in, wait_for
from tests.media.conftest import make_audio

pytestmark = pytest.mark.django_db(transaction=True)


def test_track_plays_and_seeks_in_chromium(server, browser_page, tmp_path):
    page = browser_page
    user = UserFactory(username="listener")
    audio = make_audio(tmp_path, "ogg", seconds=20, tags=None)
    track = services.track_upload(
        creator=user, upload=SimpleUploadedFile("long tone.ogg", audio), is_public=False, title="Long tone"
    )
    log_in(page, server, "listener", PASSWORD)
    page.goto(f"{server.url}/tracks/{track.pk}/")
    assert page.inner_text("h1") == "Long tone"
    wait_for(page, "document.getElementById('player').readyState >= 1", timeout=15000)
    assert page.evaluate("Math.round(document.getElementById('player').duration)") == 20
    page.evaluate("document.getElementById('player').play()")
    page.evaluate("document.getElementById('player').currentTime = 12")
    wait_for(page, "document.getElementById('player').currentTime > 12.5", timeout=15000)
    assert not page.evaluate("document.getElementById('player').error")
    assert page.errors == []


def test_upload_page_shows_progress_and_lands_on_the_track(server, browser_page, tmp_path):
    page = browser_page
    UserFactory(username="uploader")
    path = tmp_path / "demo.mp3"
    path.write_bytes(make_audio(tmp_path, "mp3", seconds=3))
    log_in(page, server, "uploader", PASSWORD)
    page.goto(f"{server.url}/tracks/upload/")
    page.set_input_files("input[name=file]", str(path))
    page.fill("input[name=title]", "From the browser")
    page.click("#upload-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/tracks/\d+/$"), timeout=15000)
    assert page.inner_text("h1") == "From the browser"
    assert page.errors == []
