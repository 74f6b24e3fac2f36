"""Hostile input gets a 4xx, never a 5xx, on every route of the URL configuration.

``test_no_route_answers_a_server_error`` walks every URL pattern (``authz.url_routes``: pages, the API,
/media/, the console) and fills each path parameter with hostile values: an integer past any column
(10**40), -1, a NUL byte, a lone surrogate (the bytes of U+D800, which are not UTF-8) and 5000 zeros.
Each URL is requested with GET (every known query parameter and a ``Range`` header set to the same
kind of value) and POST (every usual form or JSON field set to it), anonymously and as a signed-in
super admin, who reaches the most code. The answer may be anything but a server error.

The other tests pin each class at its edge: NUL bytes and lone surrogates in paths, query strings,
form fields and JSON bodies are refused with 400 before any view runs.
"""

from __future__ import annotations

import base64
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from tests.accounts.factories import SuperAdminFactory, UserFactory
from tests.veza.authz import url_routes

pytestmark = pytest.mark.django_db

# Path parameter values, as they appear in the URL (already percent-encoded).
PATH_VALUES = {
    "huge": "1" + "0" * 40,
    "negative": "-1",
    "nul": "%00",
    "surrogate": "%ED%A0%80",
    "long": "0" * 5000,
}
# The same values as a client would send them in a form or in JSON (decoded).
BODY_VALUES = {
    "huge": 10**40,
    "negative": -1,
    "nul": "a\x00b",
    "surrogate": "a\ud800b",
    "long": "0" * 5000,
}
QUERY_PARAMETERS = (
    "page", "page_size", "cursor", "q", "search", "mine", "genre", "artist", "album", "creator", "ordering",
    "category", "min_price", "max_price", "status", "type", "limit", "before", "after", "room", "expires",
    "signature", "next", "since", "until", "actor", "table_name", "record_id", "o", "p", "e", "_to_field",
)  # fmt: skip
FIELDS = (
    "name", "description", "password", "content", "username", "email", "title", "artist", "album", "genre",
    "category", "price", "user", "role", "status", "identifier", "q", "room", "message_type", "bio",
    "first_name", "last_name", "token", "refresh", "access", "old_password", "new_password", "new_password1",
    "new_password2", "password1", "password2", "is_private", "is_public", "is_active", "is_verified", "duration",
    "recipient", "op", "action", "_selected_action", "post", "index", "avatar", "creator", "file", "id",
)  # fmt: skip
RANGES = {
    "huge": "bytes=99999999999999999999999-",
    "negative": "bytes=-99999999999999999999999",
    "nul": "bytes=0-\x00",
    "surrogate": "bytes=\udcff-",
    "long": "bytes=" + "0" * 5000 + "-",
}


def _url(route: str, raw: str) -> str:
    out, rest = [], route
    while "<" in rest:
        before, _, after = rest.partition("<")
        out.append(before)
        rest = after.partition(">")[2]
        out.append(raw)
    return "".join(out) + rest


def _clients():
    staff = SuperAdminFactory(username="hostile-staff")
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(staff)
    return {"anonymous": Client(raise_request_exception=False), "super_admin": signed_in}


def _requests(route: str):
    """(method, url, kwargs) for every hostile value of one route."""
    api = route.startswith("/api/")
    for kind, raw in PATH_VALUES.items():
        url = _url(route, raw)
        query = "&".join(f"{name}={raw}" for name in QUERY_PARAMETERS)
        yield "GET", f"{url}?{query}", {"HTTP_RANGE": RANGES[kind]}
        value = BODY_VALUES[kind]
        if api:
            body = json.dumps(dict.fromkeys(FIELDS, value))
            yield "POST", url, {"data": body, "content_type": "application/json"}
        else:
            form = {name: str(value).replace("\ud800", "") for name in FIELDS}
            yield "POST", url, {"data": encode_multipart(BOUNDARY, form), "content_type": MULTIPART_CONTENT}


ROUTES = sorted(url_routes())


@pytest.mark.parametrize("route", ROUTES)
def test_no_route_answers_a_server_error(route):
    UserFactory(username="hostile-peer")
    failures = []
    for actor, client in _clients().items():
        for method, url, kwargs in _requests(route):
            data = kwargs.pop("data", "")
            content_type = kwargs.pop("content_type", "application/octet-stream")
            response = client.generic(method, url, data, content_type, **kwargs)
            if response.status_code >= 500:
                failures.append(f"{actor} {method} {url[:120]} -> {response.status_code}")
    assert not failures, "\n".join(failures)


LIST_PARAMETERS = ("page", "page_size", "cursor", "q", "search", "before", "after", "p", "o", "since", "until")


# Each renders its whole document (schema, metrics) for every hostile value: 10 to 25 seconds.
SLOW_LISTS = {"/api/v1/schema/", "/metrics"}


@pytest.mark.parametrize(
    "route",
    [
        pytest.param(route, marks=pytest.mark.slow) if route in SLOW_LISTS else route
        for route in ROUTES
        if "<" not in route
    ],
)
def test_no_list_answers_a_server_error_to_one_hostile_query_parameter(route):
    """One parameter at a time: a list's other filters cannot refuse the request before the pagination runs."""
    client = _clients()["super_admin"]
    failures = []
    for name in LIST_PARAMETERS:
        for raw in (PATH_VALUES["huge"], PATH_VALUES["long"], "-1"):
            response = client.get(f"{route}?{name}={raw}")
            if response.status_code >= 500:
                failures.append(f"GET {route}?{name}={raw[:30]} -> {response.status_code}")
    assert not failures, "\n".join(failures)


# --- each class, at its edge ------------------------------------------------------------------------


@pytest.fixture
def membership(db):
    from tests.rooms.factories import RoomMemberFactory

    return RoomMemberFactory()


@pytest.fixture
def member(membership):
    return membership.user


@pytest.fixture
def signed_in(client, member):
    client.force_login(member)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/u/%00/",  # path
        "/tracks/?genre=%00",  # query string
        "/tracks/?genre=%ED%A0%80",
        "/api/v1/tracks/?genre=a%00b",
        "/api/v1/users/%00/",
    ],
)
def test_nul_bytes_and_lone_surrogates_in_the_address_are_400(signed_in, url):
    response = signed_in.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response.json()["error"]["code"] == "bad_request"


def test_nul_bytes_in_form_fields_are_400_and_change_nothing(signed_in, member):
    from rooms.models import Room

    response = signed_in.post("/rooms/new/", {"name": "Night\x00Club", "description": "x"})
    assert response.status_code == 400
    response = signed_in.post(
        "/rooms/new/", "name=Night%ED%A0%80Club&description=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    upload = SimpleUploadedFile("song\x00.wav", b"RIFF")
    assert signed_in.post("/api/v1/files/", {"file": upload}).status_code == 400
    assert not Room.objects.filter(name__startswith="Night").exists()


@pytest.mark.parametrize(
    "body",
    [
        '{"name": "Night\\u0000Club"}',
        '{"name": "Night\\ud800Club"}',
        '{"name": "Night\\udfffClub"}',
        '{"name\\u0000": "Night Club"}',
        '{"name": "Night Club", "is_private": false, "extra": [[[["\\ud800"]]]]}',
        '{"name": "Night Club", "extra": 100000000000000000000000000000000000000000}',
        '{"name": "Night Club", "extra": 1e400}',
        '{"name": "Night Club", "extra": ' + "9" * 5000 + "}",
        "[" * 100_000 + "]" * 100_000,
        '{"a":' * 40 + "1" + "}" * 40,
    ],
)
def test_json_bodies_that_no_column_can_store_are_400(signed_in, body):
    from rooms.models import Room

    response = signed_in.post("/api/v1/rooms/", body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["code"] == "parse_error"
    assert not Room.objects.filter(name__startswith="Night").exists()


def test_a_surrogate_pair_is_a_character_like_any_other(signed_in):
    response = signed_in.post("/api/v1/rooms/", '{"name": "Night \\ud83c\\udfb5"}', content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "Night \U0001f3b5"


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "%%%garbage",
        _cursor("garbage&p="),  # valid base64 of garbage
        _cursor("p=abc"),
        _cursor("p=" + "9" * 5000),
        _cursor("p=" + "9" * 40),
        _cursor("p=-1"),
        _cursor("o=" + "9" * 5000),
        _cursor("r=1&p=\u0663"),
    ],
)
def test_malformed_message_cursors_are_4xx(signed_in, membership, cursor):
    from tests.chat.factories import MessageFactory

    message = MessageFactory(sender=membership.user)
    for url in (f"/api/v1/rooms/{membership.room_id}/messages/", f"/api/v1/chat/dm/{message.recipient_id}/"):
        response = signed_in.get(url, {"cursor": cursor})
        assert response.status_code == 404, (url, response.content)
        assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("value", ["0" * 5000, "9" * 40, "-1", "\u0663", "1.5"])
def test_message_bounds_of_any_length_are_400(signed_in, membership, value):
    response = signed_in.get(f"/api/v1/rooms/{membership.room_id}/messages/", {"before": value})
    assert response.status_code == 400, response.content


def test_a_page_past_any_table_is_404(signed_in):
    for page in ("9" * 40, "9" * 20, str(2**62)):
        response = signed_in.get("/api/v1/tracks/", {"page": page})
        assert response.status_code == 404, (page, response.content)


def test_router_ids_of_any_length_are_404(signed_in):
    for pk in ("9" * 20, "0" * 5000, "1" * 19):
        assert signed_in.get(f"/api/v1/tracks/{pk}/").status_code == 404
        assert signed_in.get(f"/api/v1/products/{pk}/").status_code == 404


def test_console_forms_shown_again_with_an_id_that_is_no_id_are_not_server_errors(client):
    client.force_login(SuperAdminFactory())
    for value in ("abc", "0" * 5000, "9" * 40):
        response = client.post("/admin/rooms/roommember/add/", {"room": value, "user": value})
        assert response.status_code == 200  # the form again, with its errors
        assert "Select a valid choice" in response.content.decode()


async def test_the_edge_refuses_the_same_under_asgi(async_client):
    assert (await async_client.get("/api/v1/users/%00/")).status_code == 400
    assert (await async_client.get("/api/v1/tracks/", {"genre": "a\x00b"})).status_code == 400
    response = await async_client.get("/api/v1/nowhere/", {"genre": "Électro"})  # UTF-8 is fine: no view, 404
    assert response.status_code == 404


def test_api_forms_with_nul_bytes_are_400_from_the_parser(api):
    from tests.accounts.factories import PASSWORD

    user = UserFactory(username="form-user")
    form = "application/x-www-form-urlencoded"
    for body in ("username=form%00user&password=x", f"username=form-user&password={PASSWORD}%00"):
        response = api.post("/api/v1/auth/login", body, content_type=form)
        assert response.status_code == 400, response.content
        assert response.json()["error"]["code"] == "parse_error"
    response = api.post("/api/v1/auth/login", f"username=form-user&password={PASSWORD}", content_type=form)
    assert response.status_code == 200, response.content
    assert response.json()["user"]["id"] == user.pk
