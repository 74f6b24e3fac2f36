"""Staff cannot take over accounts: an admin changes nobody's email, password or avatar; a super admin's
email change clears the verification and tells both addresses; an avatar is never an external URL."""

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts import services
from accounts.models import User
from tests.accounts.factories import PASSWORD, AdminFactory, SuperAdminFactory, UserFactory
from tests.accounts.test_roles import change_form

pytestmark = pytest.mark.django_db

EVIL = "https://evil.example.net/pixel.png"


@pytest.fixture
def victim(db):
    return UserFactory(username="victim", email="victim@example.org", is_verified=True)


def change_url(user):
    return reverse("admin:accounts_user_change", args=[user.pk])


def test_admin_sees_email_and_avatar_read_only(client, victim):
    client.force_login(AdminFactory())
    page = client.get(change_url(victim)).content.decode()
    assert 'name="email"' not in page
    assert 'name="avatar"' not in page
    assert 'name="password"' not in page


def test_super_admin_edits_the_email_but_never_the_avatar(client, victim):
    client.force_login(SuperAdminFactory())
    page = client.get(change_url(victim)).content.decode()
    assert 'name="email"' in page
    assert 'name="avatar"' not in page


def test_a_crafted_console_post_by_an_admin_changes_no_email_or_avatar(
    client, victim, django_capture_on_commit_callbacks
):
    client.force_login(AdminFactory())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(change_url(victim), change_form(victim, email="attacker@example.net", avatar=EVIL))
    victim.refresh_from_db()
    assert victim.email == "victim@example.org"
    assert victim.avatar is None
    assert victim.is_verified
    assert mail.outbox == []


def test_user_moderate_refuses_an_admins_email_change(victim):
    victim.email = "attacker@example.net"
    with pytest.raises(PermissionDenied):
        services.user_moderate(actor=AdminFactory(), user=victim, changed=[])  # whatever the form claims
    assert User.objects.get(pk=victim.pk).email == "victim@example.org"


def test_user_moderate_refuses_an_admins_password_change(victim):
    victim.password = make_password("the attacker's choice 1")
    with pytest.raises(PermissionDenied):
        services.user_moderate(actor=AdminFactory(), user=victim, changed=["password"])
    assert User.objects.get(pk=victim.pk).check_password(PASSWORD)


@pytest.mark.parametrize("actor_factory", [AdminFactory, SuperAdminFactory])
@pytest.mark.parametrize("value", [EVIL, "//evil.example.net/x.png", "/static/x.png", "avatars/1/x.png"])
def test_user_moderate_refuses_any_avatar_change(victim, actor_factory, value):
    victim.avatar = value
    with pytest.raises(PermissionDenied):
        services.user_moderate(actor=actor_factory(), user=victim, changed=["avatar"])
    assert User.objects.get(pk=victim.pk).avatar is None


def test_super_admin_email_change_clears_verification_and_mails_both_addresses(
    client, victim, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://veza.example.org"
    client.force_login(SuperAdminFactory())
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(change_url(victim), change_form(victim, email="new@example.org"))
    assert response.status_code == 302
    victim.refresh_from_db()
    assert victim.email == "new@example.org"
    assert not victim.is_verified
    by_address = {message.to[0]: message for message in mail.outbox}
    assert set(by_address) == {"victim@example.org", "new@example.org"}
    assert "new@example.org" in by_address["victim@example.org"].body
    for message in mail.outbox:
        links = re.findall(r"https?://\S+", message.body)
        assert links and all(link.startswith("https://veza.example.org/") for link in links)
    assert "/accounts/verify/" in by_address["new@example.org"].body


def test_an_external_avatar_url_is_never_shown(api, victim):
    User.objects.filter(pk=victim.pk).update(avatar=EVIL)  # a value left by the earlier platform
    victim.refresh_from_db()
    assert victim.avatar_url is None
    assert api.get(f"/api/v1/users/{victim.pk}/").json()["avatar_url"] is None


def test_the_api_cannot_set_an_avatar_url(api, victim):
    api.force_authenticate(victim)
    response = api.patch("/api/v1/users/me", {"avatar": EVIL, "avatar_url": EVIL}, format="json")
    assert response.status_code == 400
    victim.refresh_from_db()
    assert victim.avatar is None


def test_an_uploaded_avatar_is_stored_by_veza(api, victim, png_bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api.force_authenticate(victim)
    response = api.put(
        "/api/v1/users/me/avatar", {"avatar": SimpleUploadedFile("me.png", png_bytes)}, format="multipart"
    )
    assert response.status_code == 200
    victim.refresh_from_db()
    assert re.fullmatch(rf"avatars/{victim.pk}/\w+\.png", victim.avatar)
    assert response.json()["avatar_url"] == victim.avatar_url
