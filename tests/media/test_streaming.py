"""Streaming: every Range edge case, validators and 304, privacy, signed URLs, offload modes."""

import re

import pytest
from django.test import Client

from media import streaming

pytestmark = pytest.mark.django_db


@pytest.fixture
def track(private_track):
    return private_track


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def stream(api, track, **headers):
    return api.get(f"/api/v1/tracks/{track.pk}/stream", headers=headers)


def test_full_response_has_validators_and_type(api, owner, track, samples):
    api.force_authenticate(owner)
    response = stream(api, track)
    assert response.status_code == 200
    assert body(response) == samples["flac"]
    assert response["Content-Type"] == "audio/flac"
    assert response["Content-Length"] == str(len(samples["flac"]))
    assert response["Accept-Ranges"] == "bytes"
    assert re.fullmatch(r'"[0-9a-f]{32}"', response["ETag"])
    assert response["Last-Modified"].endswith("GMT")


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),
        ("bytes=100-", 100, None),
        ("bytes=-100", None, None),
        ("bytes=10-10", 10, 10),
        ("bytes=50-999999999", 50, None),
        ("bytes=-999999999", 0, None),
        ("bytes=50-99999999999999999999999", 50, None),  # past any integer column
        ("bytes=-" + "9" * 5000, 0, None),  # past Python's 4300-digit conversion limit
        ("bytes=" + "0" * 5000 + "10-19", 10, 19),
    ],
)
def test_satisfiable_ranges_get_206(api, owner, track, samples, header, first, last):
    data = samples["flac"]
    size = len(data)
    if header == "bytes=-100":
        first, last = size - 100, size - 1
    last = size - 1 if last is None else last
    api.force_authenticate(owner)
    response = stream(api, track, Range=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert response["Content-Length"] == str(last - first + 1)
    assert body(response) == data[first : last + 1]


@pytest.mark.parametrize(
    "header", ["bytes=999999999-", "bytes=-0", "bytes=99999999999999999999999-", "bytes=" + "9" * 5000 + "-"]
)
def test_unsatisfiable_ranges_get_416(api, owner, track, samples, header):
    api.force_authenticate(owner)
    response = stream(api, track, Range=header)
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(samples['flac'])}"


@pytest.mark.parametrize(
    "header", ["bytes=0-1,5-6", "items=0-5", "bytes=abc", "bytes=9-3", "bytes=-", "bytes=\u0663-", "bytes=0-\x00"]
)
def test_ranges_that_cannot_be_honoured_get_the_whole_file(api, owner, track, samples, header):
    api.force_authenticate(owner)
    response = stream(api, track, Range=header)
    assert response.status_code == 200
    assert body(response) == samples["flac"]


def test_conditional_requests_get_304(api, owner, track):
    api.force_authenticate(owner)
    first = stream(api, track)
    assert stream(api, track, **{"If-None-Match": first["ETag"]}).status_code == 304
    assert stream(api, track, **{"If-None-Match": f"W/{first['ETag']}"}).status_code == 304
    assert stream(api, track, **{"If-Modified-Since": first["Last-Modified"]}).status_code == 304
    assert stream(api, track, **{"If-None-Match": '"other"'}).status_code == 200


def test_if_range_honours_the_range_only_for_the_current_version(api, owner, track):
    api.force_authenticate(owner)
    etag = stream(api, track)["ETag"]
    assert stream(api, track, Range="bytes=0-9", **{"If-Range": etag}).status_code == 206
    assert stream(api, track, Range="bytes=0-9", **{"If-Range": '"stale"'}).status_code == 200


def test_head_sends_headers_only(api, owner, track, samples):
    api.force_authenticate(owner)
    response = api.head(f"/api/v1/tracks/{track.pk}/stream", headers={"Range": "bytes=0-9"})
    assert response.status_code == 206
    assert response["Content-Length"] == "10"
    assert response.content == b""


def test_private_track_is_404_for_everyone_but_owner_and_moderators(api, owner, stranger, moderator, track):
    urls = [f"/api/v1/tracks/{track.pk}/", f"/api/v1/tracks/{track.pk}/stream", f"/api/v1/tracks/{track.pk}/stream-url"]
    for who in (None, stranger):
        api.force_authenticate(who)
        for url in urls:
            assert api.get(url).status_code == 404, (who, url)
        assert api.get("/api/v1/tracks/").json()["results"] == []
        assert Client().get(track.file.url).status_code == 404
    for who in (owner, moderator):
        api.force_authenticate(who)
        for url in urls:
            assert api.get(url).status_code == 200, (who, url)


def test_public_track_streams_to_anyone(api, public_track):
    assert stream(api, public_track, Range="bytes=0-0").status_code == 206


def test_signed_url_plays_without_any_header_and_supports_ranges(api, owner, track, samples):
    api.force_authenticate(owner)
    signed = api.get(f"/api/v1/tracks/{track.pk}/stream-url").json()
    assert set(signed) == {"url", "expires_at"}
    path = signed["url"].split("testserver", 1)[1]
    anonymous = Client()
    assert body(anonymous.get(path)) == samples["flac"]
    partial = anonymous.get(path, headers={"Range": "bytes=0-3"})
    assert partial.status_code == 206 and body(partial) == samples["flac"][:4]


def test_tampered_signed_urls_are_403(api, owner, track, public_track):
    api.force_authenticate(owner)
    path = api.get(f"/api/v1/tracks/{track.pk}/stream-url").json()["url"].split("testserver", 1)[1]
    base, query = path.split("?")
    expires = re.search(r"expires=(\d+)", query).group(1)
    signature = re.search(r"signature=(\w+)", query).group(1)
    client = Client()
    assert client.get(f"{base}?expires={int(expires) + 1000}&signature={signature}").status_code == 403
    flipped = signature[:-1] + ("1" if signature[-1] == "0" else "0")
    assert client.get(f"{base}?expires={expires}&signature={flipped}").status_code == 403
    assert client.get(f"{public_track.file.url}?expires={expires}&signature={signature}").status_code == 403
    assert client.get(f"{base}?expires=soon&signature={signature}").status_code == 403


def test_expired_signed_url_is_403(api, owner, track, monkeypatch):
    query, expires = streaming.signed_query(track.file.path, seconds=60)
    monkeypatch.setattr(streaming.time, "time", lambda: expires + 1)
    assert Client().get(f"{track.file.url}?{query}").status_code == 403


def test_accel_mode_hands_the_bytes_to_nginx(api, owner, track, settings):
    settings.MEDIA_SERVE = "accel"
    api.force_authenticate(owner)
    response = stream(api, track, Range="bytes=0-9")
    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/protected-media/{track.file.path}"
    assert response["Content-Type"] == "audio/flac"
    assert response.content == b""


def test_redirect_mode_sends_the_client_to_the_storage_url(api, owner, track, settings):
    settings.MEDIA_SERVE = "redirect"
    api.force_authenticate(owner)
    response = stream(api, track)
    assert response.status_code == 302
    assert response["Location"].endswith(track.file.path)


def test_media_paths_cannot_escape_the_storage(client):
    assert client.get("/media/../veza/settings.py").status_code == 404
    assert client.get("/media/audio/../../veza/settings.py").status_code == 404
    assert client.get("/media/audio/%2e%2e/secret").status_code == 404
