"""Every 401 and 403 under /api/ and /media/ is the one JSON error shape, never a page nor a Python repr;
a CSRF failure is that shape under /api/ and the site's 403 page elsewhere."""

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from rest_framework_simplejwt.tokens import AccessToken

from media import streaming
from tests.accounts.factories import PASSWORD, UserFactory
from tests.media.factories import FileFactory
from tests.veza.authz import url_routes

pytestmark = pytest.mark.django_db

REPR = re.compile(r"ErrorDetail\(|\{'|\['|<[a-zA-Z_.]+ object at ")


def assert_error_shape(response, *, where: str):
    assert response["Content-Type"].startswith("application/json"), f"{where}: {response['Content-Type']}"
    body = json.loads(response.content)
    assert set(body) == {"error"}, where
    error = body["error"]
    assert isinstance(error["code"], str) and error["code"], where
    assert isinstance(error["detail"], str) and error["detail"], where
    assert not REPR.search(error["detail"]), f"{where}: {error['detail']}"
    assert set(error) <= {"code", "detail", "fields", "retry_after"}, where


def filled(route: str) -> str:
    return re.sub(r"<(?:int:)?(pk|id|[a-z_]*_id)>", "1", re.sub(r"<(?:path:)?path>", "audio/x.wav", route)).replace(
        "<", ""
    )


def probe_clients(user):
    expired = AccessToken.for_user(user)
    expired.set_exp(lifetime=-timedelta(minutes=1))
    session = Client(enforce_csrf_checks=True)  # a browser: its session cookie, and no CSRF token
    session.force_login(user)
    return {
        "anonymous": Client(),
        "anonymous browser": Client(HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8"),
        "schema reader": Client(HTTP_ACCEPT="application/vnd.oai.openapi", HTTP_AUTHORIZATION="Bearer x"),
        "malformed token": Client(HTTP_AUTHORIZATION="Bearer not-a-token"),
        "expired token": Client(HTTP_AUTHORIZATION=f"Bearer {expired}"),
        "other scheme": Client(HTTP_AUTHORIZATION="Basic dXNlcjpwYXNz"),
        "session without CSRF": session,
        "plain user": Client(HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(user)}"),
    }


@pytest.mark.slow
def test_every_api_and_media_route_answers_401_and_403_in_the_json_shape():
    user = UserFactory()
    clients = probe_clients(user)
    seen = {401: 0, 403: 0}
    for route in url_routes().values():
        if not route.route.startswith(("/api/", "/media/")) or route.methods is None:
            continue
        url = re.sub(r"<[^>]+>", "x", filled(route.route))
        for method in sorted(route.methods):
            for name, client in clients.items():
                response = client.generic(method, url, "{}", "application/json")
                if response.status_code in (401, 403):
                    seen[response.status_code] += 1
                    assert_error_shape(response, where=f"{name} {method} {url}")
    assert seen[401] > 20 and seen[403] > 20, seen  # the probe did reach both refusals


def test_a_csrf_failure_on_the_api_is_the_json_shape():
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post("/api/v1/rooms/", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert_error_shape(response, where="POST /api/v1/rooms/")


def test_a_csrf_failure_on_a_page_is_the_sites_403_page():
    UserFactory(username="carol")
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "carol", "password": PASSWORD})
    assert response.status_code == 403
    assert "403.html" in {template.name for template in response.templates}
    assert b"CSRF verification failed" not in response.content  # not Django's own page


def test_a_csrf_failure_on_an_api_path_outside_drf_is_the_json_shape(settings):
    from core.views import csrf_failure

    request = Client().get("/").wsgi_request
    request.path = "/api/v1/rooms/"
    response = csrf_failure(request, reason="CSRF cookie not set.")
    assert response.status_code == 403
    assert_error_shape(response, where="csrf_failure")


def test_a_refused_signed_url_is_the_json_shape():
    file = FileFactory(is_public=False)
    query, _ = streaming.signed_query(file.path)
    response = Client().get(f"/media/{file.path}?{query.replace('signature=', 'signature=0')}")
    assert response.status_code == 403
    assert_error_shape(response, where="bad signature")
    assert json.loads(response.content)["error"]["code"] == "invalid_signature"


def test_an_invalid_token_is_refused_with_a_readable_detail(client):
    response = client.get("/api/v1/auth/me", HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 401
    assert_error_shape(response, where="bad token")
    assert json.loads(response.content)["error"]["code"] == "token_not_valid"


def test_a_permission_denied_raised_under_media_is_the_json_shape(rf):
    from django.core.exceptions import PermissionDenied

    from core.views import forbidden

    response = forbidden(rf.get("/media/audio/x.wav"), PermissionDenied("no"))
    assert response.status_code == 403
    assert_error_shape(response, where="handler403 under /media/")
