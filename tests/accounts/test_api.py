"""The auth and users API: paths of the earlier platform, one error shape."""

import pytest
from django.core import mail

from accounts.models import Role, User
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_register_creates_an_unverified_user_and_emails_a_link(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/auth/register",
            {"username": "new.artist", "email": "New@Example.org", "password": "a long passphrase 42"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["username"] == "new.artist"
    assert body["role"] == "user"
    assert body["is_verified"] is False
    assert "password" not in body
    assert len(mail.outbox) == 1
    assert "/accounts/verify/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"username": "ab", "email": "a@example.org", "password": "a long passphrase 42"}, "username"),
        ({"username": "x" * 51, "email": "a@example.org", "password": "a long passphrase 42"}, "username"),
        ({"username": "bad name!", "email": "a@example.org", "password": "a long passphrase 42"}, "username"),
        ({"username": "plus+sign", "email": "a@example.org", "password": "a long passphrase 42"}, "username"),
        ({"username": "okname", "email": "not-an-email", "password": "a long passphrase 42"}, "email"),
        ({"username": "okname", "email": "a@example.org", "password": "123"}, "password"),
        ({"username": "okname", "email": "a@example.org", "password": "password"}, "password"),
        ({"username": "okname", "email": "a@example.org"}, "password"),
    ],
)
def test_register_rejects_bad_input_with_field_errors(api, payload, field):
    response = api.post("/api/v1/auth/register", payload, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert field in error["fields"]
    assert not User.objects.filter(email="a@example.org").exists()


def test_email_and_username_are_unique_case_insensitively(api, user):
    response = api.post(
        "/api/v1/auth/register",
        {"username": "MELODY", "email": "MELODY@example.ORG", "password": "a long passphrase 42"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"username", "email"}


def test_login_with_username_or_email_returns_tokens_and_user(login, user):
    for identifier in ("melody", "MELODY@example.org"):
        response = login(identifier)
        assert response.status_code == 200, response.json()
        body = response.json()
        assert set(body) == {"access", "refresh", "user"}
        assert body["user"]["id"] == user.pk
        assert body["user"]["role"] == "user"


def test_login_sets_last_login_at(login, user):
    assert user.last_login is None
    login()
    user.refresh_from_db()
    assert user.last_login is not None


def test_unknown_user_and_wrong_password_get_the_same_error(login, user):
    unknown = login("nobody", PASSWORD)
    wrong = login("melody", "wrong password")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()
    assert unknown.json()["error"]["code"] == "invalid_credentials"


def test_inactive_user_cannot_log_in(login, user):
    user.is_active = False
    user.save()
    response = login()
    assert response.status_code == 401
    assert response.json() == login("nobody").json()


def test_login_ignores_a_stale_bearer_header(login, user):
    response = login(HTTP_AUTHORIZATION="Bearer not-a-token")
    assert response.status_code == 200


def test_me_and_users_me(api, login, user):
    access = login().json()["access"]
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    me = api.get("/api/v1/auth/me").json()
    assert (me["username"], me["email"], me["role"]) == ("melody", "melody@example.org", "user")
    assert api.get("/api/v1/users/me").json() == me


def test_patch_users_me_updates_the_profile_but_never_the_role(api, login, user):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {login().json()['access']}")
    response = api.patch("/api/v1/users/me", {"first_name": "Mel", "bio": "Synths"}, format="json")
    assert response.status_code == 200
    assert response.json()["first_name"] == "Mel"
    forbidden = api.patch("/api/v1/users/me", {"role": "super_admin"}, format="json")
    assert forbidden.status_code == 400
    assert "role" in forbidden.json()["error"]["fields"]
    user.refresh_from_db()
    assert user.role == Role.USER
    assert user.first_name == "Mel"


def test_patch_rejects_overlong_fields(api, login, user):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {login().json()['access']}")
    response = api.patch("/api/v1/users/me", {"first_name": "x" * 101}, format="json")
    assert response.status_code == 400
    assert "first_name" in response.json()["error"]["fields"]


def test_public_profile_never_shows_email_or_role(api, user):
    other = UserFactory(role=Role.ADMIN)
    body = api.get(f"/api/v1/users/{other.pk}/").json()
    assert body["username"] == other.username
    assert "email" not in body
    assert "role" not in body


def test_public_profile_of_a_deactivated_or_missing_user_is_404(api):
    gone = UserFactory(is_active=False)
    assert api.get(f"/api/v1/users/{gone.pk}/").status_code == 404
    assert api.get("/api/v1/users/999999/").json()["error"]["code"] == "not_found"


def test_user_search_needs_authentication_and_finds_by_name(api, login, user):
    UserFactory(username="bassline", first_name="Bass")
    UserFactory(username="drummer")
    assert api.get("/api/v1/users/", {"search": "bass"}).status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {login().json()['access']}")
    body = api.get("/api/v1/users/", {"search": "bass"}).json()
    assert [u["username"] for u in body["results"]] == ["bassline"]
    assert "email" not in body["results"][0]


def test_user_list_runs_a_constant_number_of_queries(api, user, django_assert_max_num_queries):
    api.force_authenticate(user)
    for _ in range(30):
        UserFactory()
    with django_assert_max_num_queries(4):
        response = api.get("/api/v1/users/", {"page_size": 30})
    assert len(response.json()["results"]) == 30


def test_avatar_upload_through_the_api(api, user, png_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api.force_authenticate(user)
    response = api.put(
        "/api/v1/users/me/avatar", {"avatar": SimpleUploadedFile("me.png", png_bytes)}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["avatar_url"].endswith(".png")
    bad = api.put(
        "/api/v1/users/me/avatar", {"avatar": SimpleUploadedFile("me.png", b"not an image")}, format="multipart"
    )
    assert bad.status_code == 400
    assert "avatar" in bad.json()["error"]["fields"]
