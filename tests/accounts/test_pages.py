"""Account pages: sign up, log in and out, profiles, passwords, email verification."""

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts import services
from accounts.models import User
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_signup_logs_in_and_sends_a_verification_link_that_verifies(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {
                "username": "newvoice",
                "email": "newvoice@example.org",
                "password1": "a long passphrase 42",
                "password2": "a long passphrase 42",
            },
        )
    assert response.status_code == 302
    user = User.objects.get(username="newvoice")
    assert not user.is_verified
    assert client.get("/").context["user"] == user
    link = re.search(r"https?://\S+/accounts/verify/\S+/", mail.outbox[0].body).group(0)
    page = client.get(link[link.index("/accounts/") :])
    assert page.status_code == 200
    user.refresh_from_db()
    assert user.is_verified


def test_signup_shows_field_errors_inline(client):
    UserFactory(username="taken", email="taken@example.org")
    response = client.post(
        "/accounts/signup/",
        {"username": "Taken", "email": "TAKEN@example.org", "password1": "short", "password2": "other"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count('class="field-error"') >= 3
    assert "A user with that username already exists." in body
    assert "The two passwords differ." in body


def test_tampered_or_foreign_verification_link_is_refused(client):
    user = UserFactory()
    token = services.verification_token(user)
    assert client.get(f"/accounts/verify/{token}x/").status_code == 400
    user.email = "changed@example.org"
    user.save()
    assert client.get(f"/accounts/verify/{token}/").status_code == 400
    user.refresh_from_db()
    assert not user.is_verified


def test_login_page_with_username_or_email_and_logout(client):
    user = UserFactory(username="pianist", email="pianist@example.org")
    response = client.post("/accounts/login/", {"username": "PIANIST@example.org", "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.last_login is not None
    assert client.get("/").context["user"] == user
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert not client.get("/").context["user"].is_authenticated


def test_login_page_gives_one_message_and_throttles_with_429(client, settings):
    UserFactory(username="pianist")
    unknown = client.post("/accounts/login/", {"username": "ghost", "password": PASSWORD})
    wrong = client.post("/accounts/login/", {"username": "pianist", "password": "nope"})
    assert unknown.status_code == wrong.status_code == 200
    assert "Unable to log in" in unknown.content.decode()
    assert "Unable to log in" in wrong.content.decode()
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        client.post("/accounts/login/", {"username": "pianist", "password": "nope"})
    throttled = client.post("/accounts/login/", {"username": "pianist", "password": PASSWORD})
    assert throttled.status_code == 429
    assert "Too many failed logins" in throttled.content.decode()


def test_csrf_is_enforced_on_pages():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    UserFactory(username="pianist")
    response = client.post("/accounts/login/", {"username": "pianist", "password": PASSWORD})
    assert response.status_code == 403


def test_public_profile_page_escapes_content_and_hides_email(client):
    user = UserFactory(username="singer", bio="<img src=x onerror=alert(1)>", first_name="<b>Sam</b>")
    body = client.get("/u/singer/").content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "<b>Sam</b>" not in body
    assert user.email not in body
    assert client.get("/u/nobody-here/").status_code == 404


def test_edit_profile_with_avatar(client, png_bytes):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/accounts/profile/",
        {
            "first_name": "Nina",
            "last_name": "",
            "bio": "Cellist",
            "avatar_file": SimpleUploadedFile("a.png", png_bytes),
        },
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.first_name, user.bio) == ("Nina", "Cellist")
    assert user.avatar.startswith(f"avatars/{user.pk}/")
    page = client.get(f"/u/{user.username}/").content.decode()
    assert user.avatar_url in page


def test_edit_profile_rejects_a_fake_image_inline(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        "/accounts/profile/",
        {"first_name": "", "last_name": "", "bio": "", "avatar_file": SimpleUploadedFile("a.png", b"<?php ?>")},
    )
    assert response.status_code == 200
    assert 'class="field-error"' in response.content.decode()
    user.refresh_from_db()
    assert not user.avatar


def test_profile_edit_needs_login(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_change_password_page_revokes_api_tokens_and_keeps_the_session(client, api, login):
    user = UserFactory(username="melody")
    refresh = login().json()["refresh"]
    client.force_login(user)
    response = client.post(
        "/accounts/password/",
        {"old_password": PASSWORD, "new_password1": "a fresh passphrase 99", "new_password2": "a fresh passphrase 99"},
    )
    assert response.status_code == 302
    assert client.get("/").context["user"] == user
    assert api.post("/api/v1/auth/refresh", {"refresh": refresh}, format="json").status_code == 401


def test_password_reset_by_email(client):
    user = UserFactory(email="forgetful@example.org")
    client.post("/accounts/password/reset/", {"email": "FORGETFUL@example.org"})
    assert len(mail.outbox) == 1
    path = re.search(r"/accounts/password/reset/\S+/\S+/", mail.outbox[0].body).group(0)
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a recovered passphrase 5", "new_password2": "a recovered passphrase 5"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a recovered passphrase 5")


def test_password_reset_for_an_unknown_address_says_the_same(client):
    response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"}, follow=True)
    assert response.status_code == 200
    assert "If an account uses that address" in response.content.decode()
    assert mail.outbox == []
