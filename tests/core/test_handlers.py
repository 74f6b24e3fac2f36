"""core.handlers.ASGIHandler: Django's answers over ASGI, with the middleware and the view in one thread."""

import threading

import pytest
from asgiref.sync import iscoroutinefunction, sync_to_async
from asgiref.testing import ApplicationCommunicator
from django.db import connections

from core.handlers import ASGIHandler
from tests.accounts.factories import UserFactory
from tests.asgi import http_scope

SEEN: list[tuple[str, int]] = []


@pytest.fixture
async def closes_thread_connections():
    """Close the connection that the test's own ``sync_to_async`` calls opened in asgiref's thread."""
    yield
    await sync_to_async(connections.close_all)()


class OutermostProbe:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        SEEN.append(("outermost", threading.get_ident()))
        return self.get_response(request)


class InnermostProbe(OutermostProbe):
    def __call__(self, request):
        SEEN.append(("innermost", threading.get_ident()))
        return self.get_response(request)


def scope(path: str, query: bytes = b"", method: str = "GET", headers=()) -> dict:
    return http_scope(method, path, query=query, headers=headers)


async def call(handler, request_scope: dict, body: bytes = b"") -> tuple[int, dict, bytes]:
    if body:
        request_scope["headers"] = [*request_scope["headers"], (b"content-length", str(len(body)).encode())]
    app = ApplicationCommunicator(handler, request_scope)
    await app.send_input({"type": "http.request", "body": body, "more_body": False})
    start = await app.receive_output(10)
    content = b""
    while True:
        message = await app.receive_output(10)
        content += message.get("body", b"")
        if not message.get("more_body"):
            break
    await app.wait(10)
    return start["status"], {k.decode().lower(): v.decode() for k, v in start["headers"]}, content


@pytest.mark.django_db(transaction=True)
async def test_pages_api_and_errors_are_answered_as_django_answers_them():
    handler = ASGIHandler()
    status, headers, body = await call(handler, scope("/tracks/"))
    assert status == 200 and b'<header class="site-header">' in body
    assert "content-security-policy" in headers
    status, headers, body = await call(handler, scope("/api/v1/tracks/"))
    assert (status, headers["content-type"]) == (200, "application/json")
    assert b'"results":[]' in body
    status, headers, body = await call(handler, scope("/api/v1/tracks/123456/"))
    assert status == 404 and b'"not_found"' in body
    status, _, body = await call(handler, scope("/no/such/page/"))
    assert status == 404 and b"<html" in body
    status, _, body = await call(handler, scope("/tracks/", method="POST"))
    assert status == 403 and b"<html" in body  # no CSRF cookie: the site's 403 page


@pytest.mark.django_db(transaction=True)
async def test_audio_ranges_stream_through_the_handler(closes_thread_connections):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from rest_framework_simplejwt.tokens import AccessToken

    from catalog import services
    from demo.data import tone_wav

    wav = tone_wav([440.0, 660.0], note_seconds=1.0)

    def upload():
        owner = UserFactory()
        track = services.track_upload(creator=owner, upload=SimpleUploadedFile("a.wav", wav), is_public=True)
        return track.pk, str(AccessToken.for_user(owner))

    track_id, token = await sync_to_async(upload)()
    headers = [(b"authorization", f"Bearer {token}".encode()), (b"range", b"bytes=100-4195")]
    status, answer, body = await call(ASGIHandler(), scope(f"/api/v1/tracks/{track_id}/stream", headers=headers))
    assert (status, answer["content-range"], body) == (206, f"bytes 100-4195/{len(wav)}", wav[100:4196])


@pytest.mark.django_db(transaction=True)
async def test_the_middleware_stack_and_the_view_run_in_the_requests_own_thread(settings):
    settings.MIDDLEWARE = [f"{__name__}.OutermostProbe", *settings.MIDDLEWARE, f"{__name__}.InnermostProbe"]
    handler = ASGIHandler()
    assert not iscoroutinefunction(handler._middleware_chain)  # every middleware in its sync mode
    SEEN.clear()
    status, _, _ = await call(handler, scope("/"))
    assert status == 200
    [(_, outer), (_, inner)] = SEEN
    assert outer == inner != threading.get_ident()  # one thread for the whole stack, not the event loop's


@pytest.mark.django_db(transaction=True)
async def test_writes_through_the_handler_are_tagged_with_the_acting_user_for_the_audit(closes_thread_connections):
    from rest_framework_simplejwt.tokens import AccessToken

    from accounts.models import AuditLog

    user = await sync_to_async(UserFactory)()
    token = await sync_to_async(lambda: str(AccessToken.for_user(user)))()
    headers = [(b"authorization", f"Bearer {token}".encode()), (b"content-type", b"application/json")]
    request = scope("/api/v1/users/me", method="PATCH", headers=headers)
    status, _, content = await call(ASGIHandler(), request, b'{"bio": "through the handler"}')
    assert status == 200, content
    row = await AuditLog.objects.filter(table_name="users", record_id=user.pk).alatest("id")
    assert row.new_values["bio"] == "through the handler"
    assert (row.user_id, row.ip_address) == (user.pk, "127.0.0.1")
