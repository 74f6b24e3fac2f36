"""Prometheus metrics: what they count, who may read them, and several worker processes added up."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.db import transaction
from prometheus_client import REGISTRY
from prometheus_client.multiprocess import mark_process_dead
from prometheus_client.parser import text_string_to_metric_families
from rest_framework_simplejwt.tokens import AccessToken

from chat import services as chat_services
from rooms import services as room_services
from tests.accounts.factories import UserFactory

ROOT = Path(__file__).resolve().parents[2]
OUTSIDER = "203.0.113.9"


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


# --- HTTP requests -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_request_is_counted_and_timed_under_its_route_not_its_path(client):
    labels = {"method": "GET", "route": "/api/v1/rooms/<int:pk>/"}
    before = sample("veza_http_requests_total", **labels, status="401")
    timed_before = sample("veza_http_request_duration_seconds_count", **labels)
    assert client.get("/api/v1/rooms/424242/").status_code == 401
    assert sample("veza_http_requests_total", **labels, status="401") == before + 1
    assert sample("veza_http_request_duration_seconds_count", **labels) == timed_before + 1
    assert REGISTRY.get_sample_value("veza_http_requests_total", {**labels, "route": "/api/v1/rooms/424242/"}) is None


@pytest.mark.django_db
def test_unknown_paths_and_methods_share_one_label(client):
    before = sample("veza_http_requests_total", method="other", route="unmatched", status="404")
    client.generic("BREW", "/no/such/page-1")
    client.generic("BREW", "/no/such/page-2")
    assert sample("veza_http_requests_total", method="other", route="unmatched", status="404") == before + 2


# --- who may read /metrics ---------------------------------------------------------------------------


def test_metrics_are_served_to_localhost_by_default(client):
    client.get("/healthz")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert 'veza_http_requests_total{method="GET",route="/healthz",status="200"}' in response.content.decode()


@pytest.mark.django_db
def test_a_client_outside_the_allowed_addresses_gets_the_usual_404(client):
    response = client.get("/metrics", REMOTE_ADDR=OUTSIDER)
    assert response.status_code == 404
    assert response.content == client.get("/no-such-page", REMOTE_ADDR=OUTSIDER).content


@pytest.mark.django_db
def test_allowed_networks_and_any_host(client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "2001:db8::/32"]
    settings.ALLOWED_HOSTS = ["veza.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_HOST="10.0.0.5:8000").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="2001:db8::7", HTTP_HOST="10.0.0.5:8000").status_code == 200
    # Others go the usual way: HTTPS redirect, host check, then 404.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_HOST="10.0.0.5:8000").status_code == 400
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_HOST="veza.example.org", secure=True).status_code == 404


@pytest.mark.django_db
def test_the_bearer_token_opens_metrics_from_anywhere(client, settings):
    settings.METRICS_TOKEN = "s3cret-scrape-token"
    ok = client.get("/metrics", REMOTE_ADDR=OUTSIDER, HTTP_AUTHORIZATION="Bearer s3cret-scrape-token")
    assert ok.status_code == 200
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDER, HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR=OUTSIDER).status_code == 404


@pytest.mark.django_db
def test_metrics_can_be_turned_off(client, settings):
    settings.METRICS_ENABLED = False
    assert client.get("/metrics").status_code == 404


def test_a_malformed_allowed_address_is_refused_at_start():
    from tests.veza.test_settings import manage

    result = manage("check", DEBUG="true", METRICS_ALLOWED_IPS="127.0.0.1,intranet")
    assert result.returncode != 0
    assert "METRICS_ALLOWED_IPS: 'intranet' is not an IP address or network." in result.stderr


# --- WebSockets ----------------------------------------------------------------------------------------


async def open_socket(token: str = ""):
    from veza.asgi import application

    path = f"/ws/?token={token}" if token else "/ws/"
    headers = [(b"origin", b"http://localhost"), (b"host", b"localhost")]  # as every browser sends them
    communicator = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@pytest.mark.django_db(transaction=True)
async def test_websocket_connections_move_the_gauge():
    user = await sync_to_async(UserFactory)()
    token = str(await sync_to_async(AccessToken.for_user)(user))
    start = sample("veza_websocket_connections")

    first, second = await open_socket(token), await open_socket(token)
    assert sample("veza_websocket_connections") == start + 2
    await first.disconnect()
    assert sample("veza_websocket_connections") == start + 1
    await second.disconnect()
    assert sample("veza_websocket_connections") == start

    anonymous = await open_socket()  # accepted, then closed with 4401: never counted
    assert (await anonymous.receive_output(timeout=3))["code"] == 4401
    await anonymous.disconnect()
    assert sample("veza_websocket_connections") == start


# --- chat messages ------------------------------------------------------------------------------------


@pytest.fixture
def room_and_people(db):
    owner, member = UserFactory(), UserFactory()
    room = room_services.room_create(creator=owner, name="metrics-room")
    return room, owner, member


def test_sent_messages_are_counted_by_kind_after_commit(room_and_people, django_capture_on_commit_callbacks):
    room, owner, member = room_and_people
    rooms_before = sample("veza_chat_messages_sent_total", kind="room")
    direct_before = sample("veza_chat_messages_sent_total", kind="direct")
    with django_capture_on_commit_callbacks(execute=True):
        room_services.room_message_send(user=owner, room=room, content="hello room")
        assert sample("veza_chat_messages_sent_total", kind="room") == rooms_before  # not before the commit
    with django_capture_on_commit_callbacks(execute=True):
        chat_services.dm_send(sender=owner, recipient=member, content="hello you")
    assert sample("veza_chat_messages_sent_total", kind="room") == rooms_before + 1
    assert sample("veza_chat_messages_sent_total", kind="direct") == direct_before + 1


def test_a_rolled_back_send_is_not_counted(room_and_people, django_capture_on_commit_callbacks):
    _, owner, member = room_and_people
    before = sample("veza_chat_messages_sent_total", kind="direct")
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        chat_services.dm_send(sender=owner, recipient=member, content="never stored")
        raise RuntimeError
    assert sample("veza_chat_messages_sent_total", kind="direct") == before


# --- several worker processes -------------------------------------------------------------------------

WORKER = """
from core import metrics
metrics.CHAT_MESSAGES_SENT.labels("room").inc()
metrics.WEBSOCKET_CONNECTIONS.inc()
"""


def run_worker(directory: Path) -> int:
    """Run a process that counts one message and holds one socket open; return its pid."""
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory)}
    process = subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=env)  # noqa: S603
    assert process.wait(timeout=60) == 0
    return process.pid


@pytest.mark.django_db
def test_metrics_add_up_every_worker_process(client, monkeypatch, tmp_path):
    first, _ = run_worker(tmp_path), run_worker(tmp_path)
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))

    def values():
        text = client.get("/metrics").content.decode()
        return {s.name: s.value for family in text_string_to_metric_families(text) for s in family.samples}

    assert values()["veza_chat_messages_sent_total"] == 2
    assert values()["veza_websocket_connections"] == 2
    mark_process_dead(first, str(tmp_path))  # what the server's hook does when a worker exits
    assert values()["veza_chat_messages_sent_total"] == 2  # counts stay
    assert values()["veza_websocket_connections"] == 1  # the dead worker's sockets are gone
