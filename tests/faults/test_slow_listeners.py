"""Listeners who read slowly (or not at all) hold no database connection while their audio streams."""

import json
import socket
import time
import urllib.request
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from tests.catalog.factories import TrackFactory
from tests.e2e.conftest import start_server, stop_servers
from tests.media.factories import FileFactory

pytestmark = [pytest.mark.timeout(120), pytest.mark.django_db(transaction=True)]
SIZE = 32 * 1024 * 1024  # far more than the socket buffers hold: the stream stays open


def test_streams_to_stalled_listeners_leave_the_pool_free(settings):
    name = "audio/stalled.wav"
    default_storage.save(name, ContentFile(b"\0" * SIZE))
    track = TrackFactory(file=FileFactory(path=name, size=SIZE, is_public=True))
    # Two connections in the pool, and four listeners who never read what they asked for.
    server = start_server(settings, DATABASE_POOL_MIN="1", DATABASE_POOL_MAX="2", DATABASE_POOL_TIMEOUT="3")
    address = urlsplit(server.url)
    stalled = []
    try:
        for _ in range(4):
            listener = socket.create_connection((address.hostname, address.port), timeout=10)
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            listener.sendall(
                f"GET /api/v1/tracks/{track.pk}/stream HTTP/1.1\r\nHost: {address.netloc}\r\n\r\n".encode()
            )
            assert b"200 OK" in listener.recv(4096)  # the headers came; the body waits for us
            stalled.append(listener)
        started = time.monotonic()
        with urllib.request.urlopen(f"{server.url}/api/v1/tracks/", timeout=20) as response:  # noqa: S310
            assert response.status == 200
            assert json.load(response)["results"][0]["id"] == track.pk
        assert time.monotonic() - started < 2.5, "the request waited for a pooled connection"
    finally:
        for listener in stalled:
            listener.close()
        stop_servers(server)
