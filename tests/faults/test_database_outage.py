"""PostgreSQL out of reach: the API answers 503 with the JSON error shape, pages a plain 503 page, and
the same server process answers 200 again as soon as the database is back (with and without the pool)."""

import json

import pytest
from django.db import OperationalError, connections
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework_simplejwt.tokens import AccessToken

from core.outage import DETAIL, DatabaseUnavailableMiddleware
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import start_server, stop_servers
from tests.faults.conftest import http

UNAVAILABLE = {"error": {"code": "service_unavailable", "detail": DETAIL}}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("pool", ["true", "false"], ids=["pool", "no-pool"])
def test_outage_answers_503_then_recovers_without_a_restart(postgres_proxy, settings, pool):
    token = str(AccessToken.for_user(UserFactory(username="listener")))
    server = start_server(
        settings, DATABASE_URL=postgres_proxy.database_url, DATABASE_POOL=pool, DATABASE_POOL_TIMEOUT="2"
    )
    api, page, kept = f"{server.url}/api/v1/rooms/", f"{server.url}/u/listener/", f"{server.url}/"
    try:
        assert http("GET", api, token=token)[0] == 200
        assert http("GET", page)[0] == 200
        assert http("GET", kept)[0] == 200  # anonymous visitors' home page: now in the public cache

        postgres_proxy.cut()
        for _ in range(3):  # every request, not only the first one that meets a broken connection
            status, headers, body = http("GET", api, token=token)
            assert (status, json.loads(body)) == (503, UNAVAILABLE)
            assert headers["Retry-After"] == "5"
        status, headers, body = http("POST", api, token=token, body={"name": "new-room"})
        assert (status, json.loads(body)) == (503, UNAVAILABLE)
        status, headers, body = http("GET", page)
        assert status == 503
        assert headers["Retry-After"] == "5"
        assert headers["Content-Type"].startswith("text/html")
        assert b"briefly unavailable" in body
        assert b"Traceback" not in body and b"OperationalError" not in body
        # What the public cache kept needs no database: anonymous visitors still read it (core.pagecache).
        assert http("GET", kept)[0] == 200

        postgres_proxy.restore()
        # The first requests after the database is back succeed: no broken connection is lent again.
        assert http("GET", api, token=token)[0] == 200
        assert http("GET", page)[0] == 200
        status, _, body = http("POST", api, token=token, body={"name": "new-room"})
        assert status == 201, body
        assert server.process.poll() is None  # the same process all along
    finally:
        postgres_proxy.restore_if_cut()
        stop_servers(server)


@pytest.mark.parametrize(
    ("path", "content_type"), [("/api/v1/anything", "application/json"), ("/rooms/", "text/html; charset=utf-8")]
)
def test_middleware_turns_a_lost_database_into_503(path, content_type):
    # The middleware closes the broken connections; this test may not use the database, so it starts from
    # none open, whatever the tests that ran before it in this process (in any order under xdist) left.
    connections.close_all()
    middleware = DatabaseUnavailableMiddleware(lambda request: HttpResponse())
    response = middleware.process_exception(RequestFactory().get(path), OperationalError("server closed"))
    assert response.status_code == 503
    assert response["Content-Type"] == content_type
    assert response["Retry-After"] == "5"
    if content_type == "application/json":
        assert json.loads(response.content) == UNAVAILABLE


def test_middleware_leaves_other_errors_alone():
    middleware = DatabaseUnavailableMiddleware(lambda request: HttpResponse())
    assert middleware.process_exception(RequestFactory().get("/"), ValueError("a bug")) is None


@pytest.mark.django_db(transaction=True)
def test_error_pages_for_a_logged_in_visitor_answer_503_while_the_database_is_away(client, settings):
    """404 and 403 pages load the visitor (base.html) outside any view: an outage there is a 503 too."""
    from django.db import connection

    settings.DEBUG = False  # Django's own error pages in DEBUG never load the visitor
    client.force_login(UserFactory(username="visitor"))  # the session lives in Redis, the user in PostgreSQL
    assert client.get("/no/such/page/").status_code == 404
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="/nonexistent-socket-folder", PORT="")  # PostgreSQL out of reach
    try:
        response = client.get("/no/such/page/")
        assert response.status_code == 503 and response["Retry-After"] == "5"
        assert b"briefly unavailable" in response.content
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    assert client.get("/no/such/page/").status_code == 404
