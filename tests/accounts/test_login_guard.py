"""One login rule (accounts.login_guard) for every way in: the page, the API and the console's login.

Failures count per account (whatever the spelling of its name) and per client IP; past a limit every
way in answers 429 with Retry-After.
"""

import pytest

from accounts import login_guard, selectors
from tests.accounts.factories import PASSWORD, AdminFactory, UserFactory

pytestmark = pytest.mark.django_db


def fullwidth(text: str) -> str:
    """``alice`` written with the fullwidth letters (U+FF41...) that NFKC maps back to ASCII."""
    return "".join(chr(ord(c) + 0xFEE0) for c in text)


# Every spelling of one account: case, fullwidth letters, the email address in any case, stray spaces.
SPELLINGS = (
    "alice",
    "ALICE",
    "Alice",
    fullwidth("alice"),
    fullwidth("ALICE"),
    " alice ",
    "alice@example.com",
    "Alice@Example.COM",
)


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email="alice@example.com")


@pytest.fixture
def admin_alice(db):
    return AdminFactory(username="alice", email="alice@example.com")


def api_login(api, identifier, password, ip="192.0.2.10"):
    return api.post("/api/v1/auth/login", {"username": identifier, "password": password}, format="json", REMOTE_ADDR=ip)


def page_login(client, identifier, password, ip="192.0.2.10"):
    return client.post("/accounts/login/", {"username": identifier, "password": password}, REMOTE_ADDR=ip)


def console_login(client, identifier, password, ip="192.0.2.10"):
    return client.post("/admin/login/?next=/admin/", {"username": identifier, "password": password}, REMOTE_ADDR=ip)


def exhaust(api, identifier, settings, *, ips=False):
    """Use up the account's failures with one spelling (from as many IPs as failures when ``ips``)."""
    for n in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert api_login(api, identifier, "wrong", ip=f"198.51.100.{n + 1}" if ips else "192.0.2.10").status_code == 401


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_every_spelling_of_an_account_logs_in(api, alice, spelling):
    assert api_login(api, spelling, PASSWORD).status_code == 200


@pytest.mark.parametrize("first", ["alice", fullwidth("ALICE"), "Alice@Example.COM"])
def test_no_spelling_of_an_exhausted_account_earns_fresh_guesses(api, alice, settings, first):
    exhaust(api, first, settings, ips=True)
    for spelling in SPELLINGS:
        response = api_login(api, spelling, "another guess", ip="203.0.113.99")
        assert response.status_code == 429, spelling
        assert int(response["Retry-After"]) > 0
        # even the right password waits, whatever the spelling
        assert api_login(api, spelling, PASSWORD, ip="203.0.113.99").status_code == 429, spelling


def test_an_unknown_name_counts_under_its_folded_form(api, settings, db):
    exhaust(api, "Nobody", settings, ips=True)
    for spelling in ("nobody", "NOBODY", fullwidth("nobody")):
        assert api_login(api, spelling, "guess", ip="203.0.113.99").status_code == 429
    assert login_guard.account_key(fullwidth("NOBODY")) == login_guard.account_key("nobody") == "name:nobody"


def test_the_account_counter_is_the_users_id(alice):
    assert {login_guard.account_key(s) for s in SPELLINGS} == {f"user:{alice.pk}"}


def test_lookup_folds_with_nfkc_and_casefold(alice):
    assert selectors.fold(fullwidth("ALICE")) == selectors.fold("alice") == "alice"
    assert selectors.fold("STRASSE") == selectors.fold("straße")
    assert {selectors.user_for_login(s) for s in SPELLINGS} == {alice}
    assert selectors.user_for_login("alic") is None


def test_a_fullwidth_twin_of_a_username_cannot_sign_up(api, alice):
    response = api.post(
        "/api/v1/auth/register",
        {"username": fullwidth("alice"), "email": "other@example.org", "password": "a long passphrase 42"},
        format="json",
    )
    assert response.status_code == 400
    assert "username" in response.json()["error"]["fields"]


def test_the_login_page_answers_429_with_retry_after(client, api, alice, settings):
    exhaust(api, "ALICE", settings, ips=True)
    response = page_login(client, fullwidth("alice"), PASSWORD, ip="203.0.113.99")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW
    assert "_auth_user_id" not in client.session


def test_failures_on_the_page_count_for_the_api(client, api, alice, settings):
    for n in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert page_login(client, "Alice", "wrong", ip=f"198.51.100.{n + 1}").status_code == 200
    assert api_login(api, "alice@example.com", PASSWORD, ip="203.0.113.99").status_code == 429


def test_the_console_login_is_throttled_with_429_and_retry_after(client, api, admin_alice, settings):
    exhaust(api, "alice", settings, ips=True)
    response = console_login(client, "ALICE", PASSWORD, ip="203.0.113.99")
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW
    assert "_auth_user_id" not in client.session


def test_console_failures_count_for_the_api_and_the_page(client, api, admin_alice, settings):
    for n in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert console_login(client, fullwidth("alice"), "wrong", ip=f"198.51.100.{n + 1}").status_code == 200
    assert api_login(api, "alice", PASSWORD, ip="203.0.113.99").status_code == 429
    assert page_login(client, "alice", PASSWORD, ip="203.0.113.99").status_code == 429


def test_console_failures_from_one_ip_lock_that_ip_everywhere(client, api, settings, db):
    settings.LOGIN_FAILURES_PER_IP = 3
    for name in ("a1", "a2", "a3"):
        console_login(client, name, "wrong", ip="198.51.100.7")
    assert console_login(client, "a4", "wrong", ip="198.51.100.7").status_code == 429
    assert api_login(api, "a4", "wrong", ip="198.51.100.7").status_code == 429


def test_the_console_login_still_lets_staff_in_and_keeps_others_out(client, admin_alice, db):
    UserFactory(username="bob")
    refused = console_login(client, "bob", PASSWORD)
    assert refused.status_code == 200 and "_auth_user_id" not in client.session
    assert console_login(client, "ALICE", PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(admin_alice.pk)


def test_a_successful_login_does_not_reset_the_ip_counter(api, settings, db):
    """An attacker with an account of their own cannot log in between guesses to earn more."""
    settings.LOGIN_FAILURES_PER_IP = 4
    UserFactory(username="mallory")
    for victim in ("v1", "v2", "v3"):
        assert api_login(api, victim, "guess", ip="198.51.100.66").status_code == 401
        assert api_login(api, "mallory", PASSWORD, ip="198.51.100.66").status_code == 200
    assert api_login(api, "v4", "guess", ip="198.51.100.66").status_code == 401
    assert api_login(api, "v5", "guess", ip="198.51.100.66").status_code == 429
    assert api_login(api, "mallory", PASSWORD, ip="198.51.100.66").status_code == 429


def test_a_future_way_in_uses_the_same_rule(api, alice, settings):
    """An app password or API key calls login_guard.attempt with its own check: same counters."""
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        with pytest.raises(login_guard.InvalidCredentials):
            login_guard.attempt(identifier="ALICE", ip="198.51.100.3", check=lambda: None)
    assert api_login(api, "alice", PASSWORD, ip="203.0.113.99").status_code == 429
    with pytest.raises(login_guard.LoginThrottled):
        login_guard.attempt(identifier="alice@example.com", ip=None, check=lambda: alice)
