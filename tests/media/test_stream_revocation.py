"""A track hidden by moderation, made private or deleted stops playing within STREAM_ACCESS_SECONDS,
through URLs issued before: on the lean path (its cached decision) and through nginx (the answer of
``/internal/stream-access`` that nginx keeps for the ``X-Accel-Expires`` it is given)."""

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import services
from media import fastpath, streaming
from tests.media.asgi import call

pytestmark = pytest.mark.django_db(transaction=True)

WINDOW = 0.3  # STREAM_ACCESS_SECONDS, shortened


@pytest.fixture(autouse=True)
def _short_window(settings):
    settings.STREAM_ACCESS_SECONDS = WINDOW
    fastpath.forget_decisions()
    yield
    fastpath.forget_decisions()


@pytest.fixture
def track(owner, samples):
    return services.track_upload(creator=owner, upload=SimpleUploadedFile("p.mp3", samples["mp3"]), is_public=True)


def hide(track, moderator, owner):
    services.track_hide(actor=moderator, track=track, reason="Reported.")


def make_private(track, moderator, owner):
    services.track_update(actor=owner, track=track, is_public=False)


def delete(track, moderator, owner):
    services.track_delete(actor=owner, track=track)


REVOCATIONS = [hide, make_private, delete]


def urls(track) -> list[tuple[str, str]]:
    """Every way a stranger plays a public track: a signed link, the file's URL, the API's stream route."""
    query, _ = streaming.signed_query(track.file.path, public=True)
    return [(track.file.url, query), (track.file.url, ""), (f"/api/v1/tracks/{track.pk}/stream", "")]


@pytest.mark.parametrize("revoke", REVOCATIONS)
async def test_the_lean_path_stops_playing_within_the_window(lean_app, track, moderator, owner, revoke):
    issued = urls(track)
    for path, query in issued:
        assert (await call(lean_app, path, query=query, range="bytes=0-9")).status == 206
    await sync_to_async(revoke)(track, moderator, owner)
    revoked = time.monotonic()
    await asyncio.sleep(WINDOW + 0.05)
    for path, query in issued:
        answer = await call(lean_app, path, query=query, range="bytes=0-9")
        assert answer.status == 404, (revoke.__name__, path, query)
    assert time.monotonic() - revoked < 5


async def test_a_decision_is_reused_within_the_window_only(lean_app, django_app, track, moderator, owner, settings):
    settings.STREAM_ACCESS_SECONDS = 60  # capped at 5 s
    path, query = urls(track)[0]
    assert (await call(lean_app, path, query=query)).status == 200
    await sync_to_async(hide)(track, moderator, owner)
    assert (await call(lean_app, path, query=query)).status == 200  # the decision made before, reused
    assert django_app.calls == 0
    assert fastpath.access_seconds() == 5
    fastpath.forget_decisions()  # as 5 s later
    assert (await call(lean_app, path, query=query)).status == 404


def access_request(path, query):
    return {"x_original_uri": f"{path}?{query}"}


@pytest.mark.parametrize("revoke", REVOCATIONS)
async def test_nginxs_question_is_answered_from_the_database_each_time(
    lean_app, track, moderator, owner, revoke, settings
):
    settings.STREAM_ACCESS_SECONDS = 5
    path, query = urls(track)[0]
    allowed = await call(lean_app, "/internal/stream-access", **access_request(path, query))
    assert allowed.status == 200
    # nginx counts whole seconds and keeps an answer up to a second past what it is told: told 4, under 5 s.
    assert allowed.headers["x-accel-expires"] == "4"
    await sync_to_async(revoke)(track, moderator, owner)
    refused = await call(lean_app, "/internal/stream-access", **access_request(path, query))
    assert refused.status == 403
    assert refused.headers["x-accel-expires"] == "4"
    # nginx then hands the request to Veza, whose answer is the usual one.
    assert (await call(lean_app, path, query=query)).status == 404


async def test_nginx_keeps_no_answer_past_the_links_expiry(lean_app, track, settings):
    settings.STREAM_ACCESS_SECONDS = 5
    query, _ = streaming.signed_query(track.file.path, seconds=2, public=True)
    answer = await call(lean_app, "/internal/stream-access", **access_request(track.file.url, query))
    assert answer.status == 200
    assert int(answer.headers["x-accel-expires"]) <= 1  # kept under 2 s: gone before the link expires


async def test_nginxs_question_refuses_what_is_not_a_valid_signed_url(lean_app, track):
    path, query = urls(track)[0]
    for uri in (path, f"{path}?{query.replace('expires=', 'expires=1')}", "/api/v1/tracks/1/stream", ""):
        answer = await call(lean_app, "/internal/stream-access", x_original_uri=uri)
        assert answer.status == 403, uri
