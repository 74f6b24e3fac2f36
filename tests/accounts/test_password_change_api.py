"""POST /api/v1/auth/password: a user changes their password, proving the current one."""

import pytest

from tests.accounts.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 42"


def change(api, access, current=PASSWORD, new=NEW_PASSWORD):
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    response = api.post("/api/v1/auth/password", {"current_password": current, "new_password": new}, format="json")
    api.credentials()
    return response


def test_changing_the_password_revokes_every_token_and_returns_a_new_pair(api, login, user):
    first, second = login().json(), login().json()
    response = change(api, first["access"])
    assert response.status_code == 200, response.json()
    assert set(response.json()) == {"access", "refresh"}
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    for old in (first, second):
        assert api.post("/api/v1/auth/refresh", {"refresh": old["refresh"]}, format="json").status_code == 401
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {second['access']}")
    assert api.get("/api/v1/auth/me").status_code == 401  # old access tokens end with the old password
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access']}")
    assert api.get("/api/v1/auth/me").status_code == 200
    assert api.post("/api/v1/auth/refresh", {"refresh": response.json()["refresh"]}, format="json").status_code == 200


def test_a_wrong_current_password_is_a_field_error_and_changes_nothing(api, login, user):
    response = change(api, login().json()["access"], current="not it")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"current_password"}
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_a_weak_new_password_is_a_field_error(api, login, user):
    response = change(api, login().json()["access"], new="123")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"new_password"}


def test_wrong_current_passwords_are_throttled_per_account(api, login, user, settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 2
    access = login().json()["access"]
    assert [change(api, access, current="guess").status_code for _ in range(2)] == [400, 400]
    throttled = change(api, access)  # even the right one, until the window ends
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_changing_the_password_needs_authentication(api):
    assert api.post("/api/v1/auth/password", {"current_password": "a", "new_password": "b"}).status_code == 401


def test_guesses_of_the_current_password_and_failed_logins_share_one_counter(api, login, user, settings, client):
    """Proving the current password is a login by another door: the API, the page and the login share limits."""
    settings.LOGIN_FAILURES_PER_ACCOUNT = 3
    access = login().json()["access"]
    assert change(api, access, current="guess").status_code == 400
    client.force_login(user)
    page = client.post(
        "/accounts/password/", {"old_password": "guess 2", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert page.status_code == 200 and "old_password" in page.context["form"].errors
    assert login(password="guess 3").status_code == 401
    assert login().status_code == 429  # the account's limit is used up, whichever door counted the guesses
    throttled = client.post(
        "/accounts/password/", {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert throttled.status_code == 429
    assert int(throttled["Retry-After"]) > 0
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
