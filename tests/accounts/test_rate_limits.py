"""Rate limits wherever one can guess or spam an account: sign-ups per IP (failures count), password-reset
and verification mails per account and per IP. Every refusal is a 429 with Retry-After."""

import pytest
from django.core import mail

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

IP = "203.0.113.40"
GOOD = "a long passphrase 42"


def api_signup(api, n, *, password=GOOD, ip=IP):
    return api.post(
        "/api/v1/auth/register",
        {"username": f"newbie{n}", "email": f"newbie{n}@example.org", "password": password},
        format="json",
        REMOTE_ADDR=ip,
    )


def page_signup(client, n, *, password=GOOD, ip=IP):
    return client.post(
        "/accounts/signup/",
        {"username": f"page{n}", "email": f"page{n}@example.org", "password1": password, "password2": password},
        REMOTE_ADDR=ip,
    )


def assert_throttled(response, window):
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= window


# --- sign-ups ---------------------------------------------------------------------------------------


def test_failed_api_sign_ups_count_towards_the_ip_limit(api, settings):
    settings.REGISTRATIONS_PER_IP = 3
    for n in range(3):
        assert api_signup(api, n, password="123").status_code == 400  # too weak: refused, but counted
    response = api_signup(api, 9)
    assert_throttled(response, settings.REGISTRATION_WINDOW)
    assert response.json()["error"]["code"] == "throttled"
    assert response.json()["error"]["retry_after"] == int(response["Retry-After"])
    assert api_signup(api, 9, ip="203.0.113.41").status_code == 201  # another address is not concerned


def test_malformed_api_sign_ups_count_too(api, settings):
    settings.REGISTRATIONS_PER_IP = 2
    for _ in range(2):
        assert api.post("/api/v1/auth/register", {"username": ""}, format="json", REMOTE_ADDR=IP).status_code == 400
    assert_throttled(api_signup(api, 1), settings.REGISTRATION_WINDOW)


def test_failed_page_sign_ups_count_towards_the_ip_limit(client, api, settings):
    settings.REGISTRATIONS_PER_IP = 3
    UserFactory(username="page0", email="taken@example.org")
    for _ in range(3):
        assert page_signup(client, 0).status_code == 200  # the name is taken: the form shows the error
    response = page_signup(client, 1)
    assert_throttled(response, settings.REGISTRATION_WINDOW)
    assert "Too many sign-up attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert_throttled(api_signup(api, 1), settings.REGISTRATION_WINDOW)  # one counter for page and API


# --- password reset ----------------------------------------------------------------------------------


def reset(client, email, ip=IP):
    return client.post("/accounts/password/reset/", {"email": email}, REMOTE_ADDR=ip)


def test_reset_mails_are_limited_per_account_and_the_page_answers_the_same(client, settings):
    settings.ACCOUNT_MAILS_PER_ACCOUNT = 2
    UserFactory(email="forgetful@example.org")
    answers = [reset(client, "forgetful@example.org", ip=f"198.51.100.{n}") for n in range(1, 6)]
    assert [a.status_code for a in answers] == [302] * 5
    assert {a["Location"] for a in answers} == {"/accounts/password/reset/sent/"}
    assert len(mail.outbox) == 2
    unknown = reset(client, "nobody@example.org", ip="198.51.100.9")  # the same answer for no account
    assert (unknown.status_code, unknown["Location"]) == (302, "/accounts/password/reset/sent/")


def test_reset_requests_are_limited_per_ip_whether_or_not_the_address_exists(client, settings):
    settings.ACCOUNT_MAIL_REQUESTS_PER_IP = 3
    UserFactory(email="forgetful@example.org")
    for email in ("nobody@example.org", "forgetful@example.org", "noone@example.org"):
        assert reset(client, email).status_code == 302
    for email in ("forgetful@example.org", "nobody@example.org"):
        assert_throttled(reset(client, email), settings.ACCOUNT_MAIL_WINDOW)
    assert len(mail.outbox) == 1
    assert reset(client, "forgetful@example.org", ip="198.51.100.1").status_code == 302


# --- verification mails ------------------------------------------------------------------------------


def test_verification_mails_are_limited_per_account(client, settings):
    settings.ACCOUNT_MAILS_PER_ACCOUNT = 2
    user = UserFactory(is_verified=False)
    client.force_login(user)
    for n in range(2):
        assert client.post("/accounts/verify/resend/", REMOTE_ADDR=f"198.51.100.{n}").status_code == 302
    response = client.post("/accounts/verify/resend/", REMOTE_ADDR="198.51.100.8")
    assert_throttled(response, settings.ACCOUNT_MAIL_WINDOW)
    assert len(mail.outbox) == 2


def test_verification_mails_are_limited_per_ip(client, settings):
    settings.ACCOUNT_MAIL_REQUESTS_PER_IP = 2
    for _ in range(2):
        client.force_login(UserFactory(is_verified=False))
        assert client.post("/accounts/verify/resend/", REMOTE_ADDR=IP).status_code == 302
    client.force_login(UserFactory(is_verified=False))
    assert_throttled(client.post("/accounts/verify/resend/", REMOTE_ADDR=IP), settings.ACCOUNT_MAIL_WINDOW)
    assert len(mail.outbox) == 2
