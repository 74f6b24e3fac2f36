"""The lean path of stream requests (media/fastpath.py), called as the ASGI application it is.

Each answer is compared with Django's own answer to the same request (the application behind it), and
the application behind counts the requests that reach it: a lean answer never does.
"""

import re

import pytest
from django.urls import resolve

from media import streaming
from tests.media.asgi import call

pytestmark = pytest.mark.django_db(transaction=True)


def signed_url(track) -> tuple[str, str]:
    query, _ = streaming.signed_query(track.file.path, public=track.file.is_public)
    return track.file.url, query


@pytest.fixture
def session_cookie(stranger):
    """The session cookie of a signed-in visitor."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(stranger)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def lean_cases(public_track, private_track, session_cookie):
    """(path, query, headers) of requests the lean path answers."""
    signed_public, signed_private = signed_url(public_track), signed_url(private_track)
    stream = f"/api/v1/tracks/{public_track.pk}/stream"
    return [
        (*signed_private, {}),
        (*signed_private, {"range": "bytes=0-99"}),
        (*signed_private, {"range": "bytes=-10"}),
        (*signed_public, {"range": "bytes=100-"}),
        (public_track.file.url, "", {"range": "bytes=0-0"}),
        (public_track.file.url, "", {"cookie": session_cookie}),
        (*signed_public, {"cookie": session_cookie}),
        (stream, "", {"range": "bytes=5-20"}),
        (stream + "/", "", {"accept": "*/*", "range": "bytes=5-20"}),
        (stream, "", {}),
        (stream, "", {"cookie": session_cookie, "range": "bytes=0-0"}),
    ]


async def test_lean_answers_are_djangos_answers_without_django(
    lean_app, django_app, public_track, private_track, session_cookie
):
    for path, query, request_headers in lean_cases(public_track, private_track, session_cookie):
        for method in ("GET", "HEAD"):
            lean = await call(lean_app, path, method=method, query=query, **request_headers)
            assert django_app.calls == 0, (path, query, request_headers)
            django = await call(django_app.app, path, method=method, query=query, **request_headers)
            assert lean.status == django.status in (200, 206)
            assert lean.header_list == django.header_list, (path, query, request_headers)
            assert lean.body == django.body


async def test_ranges_and_validators(lean_app, django_app, private_track, samples):
    path, query = signed_url(private_track)
    data = samples["flac"]
    whole = await call(lean_app, path, query=query)
    assert whole.status == 200 and whole.body == data
    assert whole.headers["content-type"] == "audio/flac"
    assert whole.headers["content-length"] == str(len(data))
    assert whole.headers["accept-ranges"] == "bytes"
    assert re.fullmatch(r'"[0-9a-f]{32}"', whole.headers["etag"])
    part = await call(lean_app, path, query=query, range="bytes=10-19")
    assert part.status == 206 and part.body == data[10:20]
    assert part.headers["content-range"] == f"bytes 10-19/{len(data)}"
    etag = whole.headers["etag"]
    assert (await call(lean_app, path, query=query, if_none_match=etag)).status == 304
    modified = whole.headers["last-modified"]
    assert (await call(lean_app, path, query=query, if_modified_since=modified)).status == 304
    # If-Range with another version: the whole file.
    stale = await call(lean_app, path, query=query, range="bytes=0-9", if_range='"other"')
    assert stale.status == 200 and stale.body == data
    assert django_app.calls == 0
    # Past the end: Django's 416 (and its log record).
    assert (await call(lean_app, path, query=query, range=f"bytes={len(data)}-")).status == 416
    assert django_app.calls == 1


async def test_requests_the_lean_path_cannot_decide_alone_get_djangos_answer(
    lean_app, django_app, public_track, private_track
):
    path, query = signed_url(private_track)
    expires = re.search(r"expires=(\d+)", query).group(1)
    signature = re.search(r"signature=(\w+)", query).group(1)
    flipped = signature[:-1] + ("1" if signature[-1] == "0" else "0")
    stream = f"/api/v1/tracks/{public_track.pk}/stream"
    cases = [
        (path, f"expires={expires}&signature={flipped}", {}, 403),  # altered
        (path, f"expires={int(expires) + 1}&signature={signature}", {}, 403),
        (path, f"expires={expires}&scope=public&signature={signature}", {}, 403),  # a scope it was not signed with
        (path, "", {}, 404),  # private, unsigned
        (path, f"{query}&x=1", {}, 200),  # another query: Django reads it
        (stream, "", {"authorization": "Bearer nonsense"}, 401),
        (stream, "", {"accept": "audio/mpeg"}, 406),
        (f"/api/v1/tracks/{private_track.pk}/stream", "", {}, 404),
        (stream, "", {"host": "evil.example"}, 400),
        ("/media/audio/missing.mp3", "", {}, 404),
    ]
    for number, (target, target_query, request_headers, status) in enumerate(cases, start=1):
        answer = await call(lean_app, target, query=target_query, **request_headers)
        assert answer.status == status, (target, target_query, request_headers)
        assert django_app.calls == number
    assert (await call(lean_app, stream, method="POST")).status == 401  # the API's answer to anonymous writes
    assert django_app.calls == len(cases) + 1


async def test_expired_signed_url_goes_to_django(lean_app, django_app, private_track, monkeypatch):
    path, query = signed_url(private_track)
    assert (await call(lean_app, path, query=query)).status == 200
    expires = int(re.search(r"expires=(\d+)", query).group(1))
    monkeypatch.setattr(streaming.time, "time", lambda: expires + 1)
    answer = await call(lean_app, path, query=query)
    assert answer.status == 403
    assert answer.headers["content-type"] == "application/json"
    assert django_app.calls == 1


async def test_a_server_with_zero_copy_gets_the_file_and_its_range(lean_app, private_track, samples):
    path, query = signed_url(private_track)
    answer = await call(lean_app, path, query=query, range="bytes=3-12", extensions={"http.response.zerocopysend": {}})
    assert answer.status == 206
    zerocopy = answer.messages[1]
    assert zerocopy["type"] == "http.response.zerocopysend"
    assert (zerocopy["offset"], zerocopy["count"]) == (3, 10)
    assert zerocopy["file"].closed  # the lean path closes its copy once the server has sent it


async def test_accel_mode_answers_with_x_accel_redirect(lean_app, django_app, settings, public_track):
    settings.MEDIA_SERVE = "accel"
    stream = f"/api/v1/tracks/{public_track.pk}/stream"
    lean = await call(lean_app, stream, range="bytes=0-9")
    django = await call(django_app.app, stream, range="bytes=0-9")
    assert django_app.calls == 0
    assert lean.status == django.status == 200
    assert lean.headers["x-accel-redirect"] == f"/protected-media/{public_track.file.path}"
    assert lean.header_list == django.header_list
    assert lean.body == b""


async def test_lean_answers_are_counted_under_their_route(lean_app, public_track):
    from core.metrics import HTTP_REQUESTS

    def count(route, status):
        return HTTP_REQUESTS.labels("GET", route, status)._value.get()

    stream_route = "/" + resolve(f"/api/v1/tracks/{public_track.pk}/stream").route
    before = count(stream_route, "206"), count("/media/<path:path>", "200")
    await call(lean_app, f"/api/v1/tracks/{public_track.pk}/stream", range="bytes=0-1")
    await call(lean_app, public_track.file.url)
    assert (count(stream_route, "206"), count("/media/<path:path>", "200")) == (before[0] + 1, before[1] + 1)


async def test_the_fast_path_can_be_turned_off(lean_app, django_app, settings, public_track):
    settings.STREAM_FAST_PATH = False
    assert (await call(lean_app, f"/api/v1/tracks/{public_track.pk}/stream", range="bytes=0-1")).status == 206
    assert django_app.calls == 1
