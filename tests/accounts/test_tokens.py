"""Refresh tokens: rotation, theft detection, revocation, and access tokens that cannot be forged."""

import base64
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from accounts import services, tokens
from accounts.models import RefreshToken
from tests.accounts.factories import AdminFactory

pytestmark = pytest.mark.django_db


def refresh(api, token):
    return api.post("/api/v1/auth/refresh", {"refresh": token}, format="json")


def me(api, access):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    response = api.get("/api/v1/auth/me")
    api.credentials()
    return response


def test_each_issued_refresh_token_is_one_row_holding_only_its_hash(login, user):
    body = login().json()
    row = RefreshToken.objects.get(user=user)
    assert row.token == tokens.token_hash(body["refresh"])
    assert len(row.token) == 64
    assert body["refresh"] not in row.token
    assert row.expires_at > timezone.now() + timedelta(days=13)


def test_refresh_rotates_and_the_old_token_never_works_again(api, login, user):
    first = login().json()["refresh"]
    rotated = refresh(api, first)
    assert rotated.status_code == 200
    assert set(rotated.json()) == {"access", "refresh"}
    assert me(api, rotated.json()["access"]).status_code == 200
    again = refresh(api, first)
    assert again.status_code == 401
    assert again.json()["error"]["code"] == "token_not_valid"


def test_reusing_a_rotated_token_revokes_the_whole_family(api, login, user):
    stolen = login().json()["refresh"]
    victim = refresh(api, stolen).json()["refresh"]  # the victim rotates first
    assert refresh(api, stolen).status_code == 401  # the thief replays: theft detected
    assert refresh(api, victim).status_code == 401  # the victim's token died with the family
    other_login = login().json()["refresh"]  # another session (another family) is untouched
    assert refresh(api, other_login).status_code == 200


def test_thief_rotating_first_locks_out_both(api, login, user):
    stolen = login().json()["refresh"]
    thief = refresh(api, stolen).json()["refresh"]
    assert refresh(api, stolen).status_code == 401  # the victim's copy is now a reused token
    assert refresh(api, thief).status_code == 401


def test_logout_revokes_one_token(api, login, user):
    first = login().json()["refresh"]
    second = login().json()["refresh"]
    assert api.post("/api/v1/auth/logout", {"refresh": first}, format="json").status_code == 204
    assert refresh(api, first).status_code == 401
    assert refresh(api, second).status_code == 200


def test_logout_all_revokes_every_token(api, login, user):
    first = login().json()
    second = login().json()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {first['access']}")
    assert api.post("/api/v1/auth/logout", {"all": True}, format="json").status_code == 204
    api.credentials()
    assert refresh(api, first["refresh"]).status_code == 401
    assert refresh(api, second["refresh"]).status_code == 401


def test_logout_all_needs_to_know_the_user(api):
    response = api.post("/api/v1/auth/logout", {"all": True}, format="json")
    assert response.status_code == 401
    assert api.post("/api/v1/auth/logout", {}, format="json").status_code == 400


def test_deactivation_revokes_refresh_tokens_and_stops_access_tokens(api, login, user):
    pair = login().json()
    user.is_active = False
    services.user_moderate(actor=AdminFactory(), user=user, changed=["is_active"])
    assert not RefreshToken.objects.filter(user=user).live().exists()
    assert refresh(api, pair["refresh"]).status_code == 401
    assert me(api, pair["access"]).status_code == 401


def test_password_change_revokes_refresh_tokens_and_access_tokens(api, login, user):
    pair = login().json()
    services.user_set_password(user=user, password="another long passphrase 7")
    assert refresh(api, pair["refresh"]).status_code == 401
    assert me(api, pair["access"]).status_code == 401
    assert login(password="another long passphrase 7").status_code == 200


def test_inactive_user_cannot_refresh_even_with_a_live_token(api, login, user):
    token = login().json()["refresh"]
    type(user).objects.filter(pk=user.pk).update(is_active=False)  # bypassing the service
    assert refresh(api, token).status_code == 401


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_alg_none_token_is_refused(api, user):
    claims = dict(AccessToken.for_user(user).payload)
    forged = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    response = me(api, forged)
    assert response.status_code == 401
    assert set(response.json()) == {"error"}


def test_bad_signature_is_refused(api, user):
    token = str(AccessToken.for_user(user))
    header, payload, signature = token.split(".")
    tampered = (
        f"{header}.{_b64({**json.loads(base64.urlsafe_b64decode(payload + '==')), 'user_id': '999'})}.{signature}"
    )
    assert me(api, tampered).status_code == 401
    assert me(api, f"{header}.{payload}.{signature[:-2]}xx").status_code == 401


def test_expired_access_token_is_refused(api, user):
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(seconds=1))
    assert me(api, str(token)).status_code == 401


def test_a_refresh_token_is_not_an_access_token(api, login, user):
    assert me(api, login().json()["refresh"]).status_code == 401


def test_garbage_refresh_token_is_401_not_500(api):
    assert refresh(api, "garbage").status_code == 401
    assert refresh(api, "").status_code == 400


def test_purge_refresh_tokens_deletes_expired_rows_in_batches(user):
    past = timezone.now() - timedelta(days=30)
    RefreshToken.objects.bulk_create(
        RefreshToken(user=user, token=f"{i:064x}", created_at=past, expires_at=past + timedelta(days=1))
        for i in range(25)
    )
    live = tokens.token_pair_issue(user=user)
    call_command("purge_refresh_tokens", "--batch-size", "10")
    assert list(RefreshToken.objects.values_list("token", flat=True)) == [tokens.token_hash(live.refresh)]


def test_access_token_lifetime_is_short(settings):
    lifetime = settings.SIMPLE_JWT["ACCESS_TOKEN_LIFETIME"]
    assert timedelta(minutes=1) <= lifetime <= timedelta(minutes=15)
