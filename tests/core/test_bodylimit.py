"""Bodies over the limit are refused before they are read: the ASGI protocol, driven with a fake ``receive``
(the client's side of the connection) against the real application."""

import asyncio
import json
from io import BytesIO

import pytest

from core import bodylimit
from tests.asgi import http_scope

CHUNK = 64 * 1024


class Client:
    """The client's side of one ASGI HTTP connection: the body goes out in chunks, as fast as it is asked for."""

    def __init__(self, chunks, *, endless=False):
        self.chunks = list(chunks)
        self.endless = endless
        self.reads = 0
        self.bytes_read = 0
        self.messages = []

    async def receive(self):
        if not self.endless and self.reads >= len(self.chunks):
            await asyncio.sleep(3600)  # the client waits for the answer
        chunk = self.chunks[self.reads % len(self.chunks)] if self.chunks else b""
        self.reads += 1
        self.bytes_read += len(chunk)
        more = self.endless or self.reads < len(self.chunks)
        return {"type": "http.request", "body": chunk, "more_body": more}

    async def send(self, message):
        self.messages.append(message)

    @property
    def status(self):
        return next(m["status"] for m in self.messages if m["type"] == "http.response.start")

    @property
    def headers(self):
        start = next(m for m in self.messages if m["type"] == "http.response.start")
        return {name.decode(): value.decode() for name, value in start["headers"]}

    @property
    def body(self):
        return b"".join(m.get("body", b"") for m in self.messages if m["type"] == "http.response.body")


def scope(method, path, *, length=None, content_type=b"application/octet-stream"):
    size = (b"content-length", str(length).encode()) if length is not None else (b"transfer-encoding", b"chunked")
    return http_scope(method, path, headers=[(b"content-type", content_type), size], client_port=40000)


async def run(app, request_scope, client):
    await asyncio.wait_for(app(request_scope, client.receive, client.send), timeout=30)
    return client


@pytest.fixture
def app():
    from veza.asgi import application  # imported by the first test: it checks the backends at import

    return application


@pytest.fixture
def small_limits(settings):
    settings.REQUEST_MAX_BYTES = 256 * 1024
    settings.UPLOAD_REQUEST_MAX_BYTES = 1024 * 1024
    settings.AVATAR_REQUEST_MAX_BYTES = 512 * 1024


@pytest.mark.django_db(transaction=True)
async def test_a_declared_length_over_the_limit_is_answered_413_without_reading_the_body(app, small_limits):
    client = await run(app, scope("POST", "/api/v1/auth/login", length=256 * 1024 + 1), Client([b"x" * CHUNK]))
    assert client.status == 413
    assert client.reads == 0
    assert json.loads(client.body) == {
        "error": {"code": "too_large", "detail": "The request body is larger than the limit of 0.3 MB."}
    }
    assert client.headers["connection"] == "close"


@pytest.mark.django_db(transaction=True)
async def test_a_page_route_gets_a_plain_413_page(app, small_limits):
    client = await run(app, scope("POST", "/accounts/login/", length=10**12), Client([b"x"]))
    assert client.status == 413
    assert client.reads == 0
    assert client.headers["content-type"].startswith("text/html")
    assert b"Request too large" in client.body


@pytest.mark.django_db(transaction=True)
async def test_an_endless_chunked_body_is_cut_at_the_limit(app, small_limits):
    client = await run(app, scope("POST", "/api/v1/rooms/"), Client([b"x" * CHUNK], endless=True))
    assert client.status == 413
    # The chunk that passed the limit is the last one read; nothing after it.
    assert client.bytes_read == 256 * 1024 + CHUNK
    assert json.loads(client.body)["error"]["code"] == "too_large"
    assert len([m for m in client.messages if m["type"] == "http.response.start"]) == 1


@pytest.mark.django_db(transaction=True)
async def test_a_chunked_body_within_the_limit_reaches_the_application(app, small_limits):
    client = await run(app, scope("POST", "/healthz"), Client([b"x" * CHUNK] * 4))
    assert client.status == 200
    assert client.bytes_read == 4 * CHUNK


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("method", "path", "setting"),
    [
        ("POST", "/api/v1/files/", "UPLOAD_REQUEST_MAX_BYTES"),
        ("POST", "/api/v1/tracks/", "UPLOAD_REQUEST_MAX_BYTES"),
        ("POST", "/api/v1/tracks", "UPLOAD_REQUEST_MAX_BYTES"),
        ("POST", "/tracks/upload/", "UPLOAD_REQUEST_MAX_BYTES"),
        ("PUT", "/api/v1/users/me/avatar", "AVATAR_REQUEST_MAX_BYTES"),
        ("POST", "/accounts/profile/", "AVATAR_REQUEST_MAX_BYTES"),
    ],
)
async def test_upload_routes_take_their_larger_limit_and_no_more(app, small_limits, settings, method, path, setting):
    limit = getattr(settings, setting)
    over = await run(app, scope(method, path, length=limit + 1), Client([b"x"]))
    assert over.status == 413
    assert over.reads == 0
    within = await run(app, scope(method, path, length=limit), Client([b"x" * CHUNK] * (limit // CHUNK)))
    assert within.status != 413  # read whole, then refused or accepted by the view (here: not signed in)
    assert within.bytes_read == limit


def test_the_larger_limit_is_for_uploading_methods_only(small_limits, settings):
    assert bodylimit.limit_for("POST", "/api/v1/files/") == settings.UPLOAD_REQUEST_MAX_BYTES
    assert bodylimit.limit_for("GET", "/api/v1/files/") == settings.REQUEST_MAX_BYTES
    assert bodylimit.limit_for("POST", "/api/v1/files/1/") == settings.REQUEST_MAX_BYTES
    assert bodylimit.limit_for("POST", "/no/such/route\x00") == settings.REQUEST_MAX_BYTES
    assert bodylimit.limit_for("POST", "/api/v1/files/\ud800") == settings.REQUEST_MAX_BYTES
    assert bodylimit.limit_for("POST", f"/api/v1/files/{10**100}/") == settings.REQUEST_MAX_BYTES


def test_the_default_limits_come_from_the_media_limits(settings):
    from django.conf import settings as live

    assert live.REQUEST_MAX_BYTES == 2_621_440
    assert live.UPLOAD_REQUEST_MAX_BYTES == live.MEDIA_MAX_AUDIO_BYTES + live.UPLOAD_FORM_OVERHEAD
    assert live.AVATAR_REQUEST_MAX_BYTES == live.AVATAR_MAX_BYTES + live.UPLOAD_FORM_OVERHEAD


def test_wsgi_refuses_a_declared_length_over_the_limit_without_reading(small_limits):
    from veza.wsgi import application

    class Unreadable(BytesIO):
        def read(self, *args):
            raise AssertionError("the body was read")

    answers = []
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/v1/rooms/",
        "CONTENT_LENGTH": str(10**9),
        "CONTENT_TYPE": "application/json",
        "wsgi.input": Unreadable(),
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "wsgi.url_scheme": "http",
    }
    body = b"".join(application(environ, lambda status, headers: answers.append((status, dict(headers)))))
    assert answers[0][0].startswith("413")
    assert json.loads(body)["error"]["code"] == "too_large"


@pytest.mark.django_db
def test_the_wsgi_entry_point_starts_in_a_fresh_process():
    import subprocess
    import sys

    from tests.veza.test_settings import ROOT, manage_env

    code = "import veza.wsgi; print(type(veza.wsgi.application).__name__)"
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=manage_env(DEBUG="true"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "WsgiBodyLimit"
