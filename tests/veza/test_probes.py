"""/healthz and /readyz, with real outages of Redis and PostgreSQL (no mocks of either)."""

import pytest
from django.db import connection, connections

from tests.veza.outages import RedisServer, TcpForwarder, postgres_address
from veza import preflight

pytestmark = pytest.mark.django_db

READY = {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_healthz_answers_200(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_answers_200_when_postgresql_and_redis_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == READY
    assert response["Cache-Control"] == "no-store"


async def test_readyz_answers_through_asgi(async_client):
    response = await async_client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == READY


def test_probes_skip_the_host_check_https_redirect_and_login(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["veza.example.org"]
    for path in ("/healthz", "/readyz"):
        response = client.get(path, HTTP_HOST="10.0.0.7:8000")
        assert response.status_code == 200, path
    # Other addresses still check the host.
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400


def check_outage(client, backend, name: str) -> None:
    """/readyz answers 200, then 503 naming ``name`` while ``backend`` is stopped, then 200 once it is back."""
    assert client.get("/readyz").json() == READY
    backend.stop()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {**READY["checks"], name: "unavailable"}}
    backend.start()
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (200, READY)


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


def point_at(settings, url: str, backend: str) -> None:
    """Point the cache's or the channel layer's Redis at ``url``."""
    if backend == "cache":
        settings.CACHES = {**settings.CACHES, "default": {**settings.CACHES["default"], "LOCATION": url}}
    else:
        layer = settings.CHANNEL_LAYERS["default"]
        settings.CHANNEL_LAYERS = {"default": {**layer, "CONFIG": {**layer["CONFIG"], "hosts": [url]}}}


@pytest.mark.parametrize("backend", ["cache", "channel layer"])
def test_readyz_is_503_while_redis_is_down_and_200_once_it_is_back(client, settings, redis_server, backend):
    point_at(settings, redis_server.url, backend)
    check_outage(client, redis_server, "redis")


@pytest.fixture
def postgres_forwarder():
    """The default database reached through a TCP forwarder that the test can cut (new connections only:
    the test's own connection stays as it is)."""
    database = connection.settings_dict  # the dict every thread's new connection is made from
    forwarder = TcpForwarder(postgres_address(database))
    forwarder.start()
    saved = database["HOST"], database["PORT"]
    database["HOST"], database["PORT"] = "127.0.0.1", str(forwarder.port)
    try:
        yield forwarder
    finally:
        database["HOST"], database["PORT"] = saved
        forwarder.stop()


def test_readyz_is_503_while_postgresql_is_down_and_200_once_it_is_back(client, postgres_forwarder):
    check_outage(client, postgres_forwarder, "database")


def test_readiness_gives_up_on_a_backend_that_does_not_answer(settings):
    # A listening socket that never answers: the check ends at the timeout, not at the backend's will.
    import socket

    with socket.create_server(("127.0.0.1", 0)) as silent:
        point_at(settings, f"redis://127.0.0.1:{silent.getsockname()[1]}/0", "cache")
        assert preflight.readiness(timeout=0.3) == {"database": "ok", "redis": "unavailable"}


@pytest.fixture
def pooled_database(postgres_forwarder):
    """The default database through the forwarder, with a connection pool as in server processes."""
    options = connection.settings_dict["OPTIONS"]
    options["pool"] = {"min_size": 2, "max_size": 2, "timeout": 5}
    try:
        yield postgres_forwarder
    finally:
        connections["default"].close_pool()
        del options["pool"]


def test_a_pool_whose_connections_broke_recovers_on_the_next_check(pooled_database):
    def database_state():
        return preflight.readiness(timeout=5)["database"]

    assert database_state() == "ok"
    connections["default"].pool.wait(timeout=5)  # both connections open
    pooled_database.stop()  # both pooled connections break, like with a restarted server
    pooled_database.start()
    states = [database_state(), database_state()]
    # The first check may meet a broken connection; the pool then replaces every broken one.
    assert states[1] == "ok", states
