import pytest

from tests.marketplace.factories import ProductFactory
from tests.rooms.factories import RoomFactory

pytestmark = pytest.mark.django_db


def test_home_page_uses_the_base_layout_and_lists_public_content(client):
    RoomFactory(name="jazz-lounge", is_private=False)
    RoomFactory(name="secret-hideout", is_private=True)
    ProductFactory(name="Drum kit")
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<header class="site-header">' in body
    assert 'name="viewport"' in body
    assert "jazz-lounge" in body
    assert "Drum kit" in body
    assert "secret-hideout" not in body


def test_home_page_escapes_user_content(client):
    RoomFactory(name="xss-room", description="<script>alert(1)</script>")
    body = client.get("/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_home_page_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    for i in range(10):
        ProductFactory(name=f"p{i}")
    with django_assert_max_num_queries(8):
        client.get("/")


def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_api_schema_and_docs_are_served(client):
    assert client.get("/api/v1/schema/").status_code == 200
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()


def test_openapi_schema_builds_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert "/api/v1/auth/login" in (tmp_path / "schema.yaml").read_text()


def test_unknown_api_path_answers_the_json_error_shape(client):
    response = client.get("/api/v1/no-such-endpoint")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "detail": "Not found."}}


def test_unknown_page_answers_the_site_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert '<header class="site-header">' in response.content.decode()


def test_malformed_json_is_a_400_in_the_error_shape(client):
    response = client.post("/api/v1/auth/login", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "parse_error"
