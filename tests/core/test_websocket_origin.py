"""The socket's origin check compares scheme, host and port with the site's own origin."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

from core.websocket import origin_allowed
from tests.accounts.factories import UserFactory


def scope(origin: str | None, host: str | None = "veza.example.org", scheme: str = "ws", **headers) -> dict:
    pairs = [(name.replace("_", "-").encode(), value.encode()) for name, value in headers.items()]
    if origin is not None:
        pairs.append((b"origin", origin.encode()))
    if host is not None:
        pairs.append((b"host", host.encode()))
    return {"type": "websocket", "scheme": scheme, "headers": pairs}


@pytest.fixture(autouse=True)
def site(settings):
    settings.ALLOWED_HOSTS = ["veza.example.org", "localhost"]
    settings.SITE_URL = "https://veza.example.org"
    settings.CSRF_TRUSTED_ORIGINS = []


@pytest.mark.parametrize(
    ("origin", "host", "scheme"),
    [
        ("http://veza.example.org", "veza.example.org", "ws"),
        ("http://veza.example.org:80", "veza.example.org", "ws"),
        ("https://veza.example.org", "veza.example.org", "wss"),
        ("http://localhost:8000", "localhost:8000", "ws"),
        ("HTTP://LOCALHOST:8000", "localhost:8000", "ws"),
    ],
)
def test_same_origin_is_accepted(origin, host, scheme):
    assert origin_allowed(scope(origin, host, scheme))


@pytest.mark.parametrize(
    ("origin", "host", "scheme"),
    [
        ("https://localhost:8000", "localhost:8000", "ws"),  # another scheme
        ("http://localhost:8001", "localhost:8000", "ws"),  # another port
        ("http://localhost", "localhost:8000", "ws"),  # another port (80)
        ("http://veza.example.org", "veza.example.org", "wss"),  # http page, TLS socket
        ("http://evil.example", "veza.example.org", "ws"),  # another host
        ("http://veza.example.org.evil.example", "veza.example.org", "ws"),
        ("http://evil.example", "evil.example", "ws"),  # a host the site does not serve
        ("null", "veza.example.org", "ws"),
        ("file://", "veza.example.org", "ws"),
        ("http://localhost:99999", "localhost:99999", "ws"),
        ("http://localhost:port", "localhost", "ws"),
        ("http://localhost:8000", None, "ws"),  # no Host header
        (None, "veza.example.org", "ws"),  # no Origin header
    ],
)
def test_other_origins_are_refused(origin, host, scheme):
    assert not origin_allowed(scope(origin, host, scheme))


def test_an_origin_sent_twice_is_refused():
    twice = scope("http://localhost:8000", "localhost:8000")
    twice["headers"].append((b"origin", b"http://evil.example"))
    assert not origin_allowed(twice)


def test_behind_a_proxy_the_forwarded_scheme_counts_as_for_http_requests():
    forwarded = {"x_forwarded_proto": "https"}
    assert origin_allowed(scope("https://localhost:8443", "localhost:8443", **forwarded))
    assert not origin_allowed(scope("http://localhost:8443", "localhost:8443", **forwarded))


def test_site_url_and_trusted_origins_are_accepted_with_their_scheme_and_port(settings):
    settings.CSRF_TRUSTED_ORIGINS = ["https://*.veza.example.org", "https://chat.example.net:8443"]
    internal = "app.internal:8000"  # the Host a proxy might send
    assert origin_allowed(scope("https://veza.example.org", internal))  # SITE_URL
    assert origin_allowed(scope("https://eu.veza.example.org", internal))
    assert origin_allowed(scope("https://chat.example.net:8443", internal))
    assert not origin_allowed(scope("http://veza.example.org", internal))
    assert not origin_allowed(scope("https://veza.example.org:8443", internal))
    assert not origin_allowed(scope("https://chat.example.net", internal))
    assert not origin_allowed(scope("https://evilveza.example.org", internal))


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("origin", "accepted"),
    [(b"http://localhost:8000", True), (b"https://localhost:8000", False), (b"http://localhost:9000", False)],
)
async def test_handshake_is_refused_before_the_app_for_another_scheme_or_port(origin, accepted):
    from veza.asgi import application

    token = str(await sync_to_async(AccessToken.for_user)(await sync_to_async(UserFactory)()))
    headers = [(b"origin", origin), (b"host", b"localhost:8000")]
    communicator = WebsocketCommunicator(application, f"/ws/?token={token}", headers=headers)
    connected, _ = await communicator.connect()
    assert connected is accepted
    await communicator.disconnect()
