"""Links in mails come from SITE_URL, never from the Host header; logging out with someone else's refresh
token revokes nothing."""

import re

import pytest
from django.core import mail

from accounts.models import RefreshToken
from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

HOSTILE = "evil.example.net"


@pytest.fixture
def hostile_host(settings):
    settings.SITE_URL = "https://veza.example.org"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOSTILE]
    return HOSTILE


def test_password_reset_link_uses_site_url_not_the_host_header(client, hostile_host):
    UserFactory(email="forgetful@example.org")
    response = client.post("/accounts/password/reset/", {"email": "forgetful@example.org"}, HTTP_HOST=hostile_host)
    assert response.status_code == 302
    (message,) = mail.outbox
    assert HOSTILE not in message.body and HOSTILE not in message.subject
    links = re.findall(r"https?://\S+", message.body)
    assert len(links) == 1
    assert re.fullmatch(r"https://veza\.example\.org/accounts/password/reset/[^/]+/[^/]+/", links[0])


def test_verification_link_uses_site_url_not_the_host_header(client, hostile_host):
    client.force_login(UserFactory(is_verified=False))
    client.post("/accounts/verify/resend/", HTTP_HOST=hostile_host)
    (message,) = mail.outbox
    assert HOSTILE not in message.body
    assert re.search(r"https://veza\.example\.org/accounts/verify/\S+/", message.body)


def tokens_for(api, user):
    body = api.post("/api/v1/auth/login", {"username": user.username, "password": PASSWORD}, format="json").json()
    return body["access"], body["refresh"]


def test_logout_with_someone_elses_refresh_token_revokes_nothing(api):
    victim, caller = UserFactory(), UserFactory()
    _, victims_refresh = tokens_for(api, victim)
    callers_access, _ = tokens_for(api, caller)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {callers_access}")
    response = api.post("/api/v1/auth/logout", {"refresh": victims_refresh}, format="json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_not_valid"
    assert not RefreshToken.objects.filter(user=victim, revoked_at__isnull=False).exists()
    api.credentials()
    assert api.post("/api/v1/auth/refresh", {"refresh": victims_refresh}, format="json").status_code == 200


def test_logout_with_someone_elses_token_and_all_revokes_nothing_either(api):
    victim, caller = UserFactory(), UserFactory()
    _, victims_refresh = tokens_for(api, victim)
    callers_access, _ = tokens_for(api, caller)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {callers_access}")
    response = api.post("/api/v1/auth/logout", {"refresh": victims_refresh, "all": True}, format="json")
    assert response.status_code == 401
    assert not RefreshToken.objects.filter(revoked_at__isnull=False).exists()


def test_logout_with_my_own_refresh_token_revokes_it(api):
    user = UserFactory()
    access, refresh = tokens_for(api, user)
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert api.post("/api/v1/auth/logout", {"refresh": refresh}, format="json").status_code == 204
    api.credentials()
    assert api.post("/api/v1/auth/refresh", {"refresh": refresh}, format="json").status_code == 401
