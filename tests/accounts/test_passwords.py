"""Passwords: Argon2 for new hashes; bare bcrypt hashes of the earlier platform still log in, then upgrade."""

import bcrypt
import pytest

from accounts.models import User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

LEGACY_PASSWORD = "old platform password"


def legacy_user(prefix: str) -> User:
    hashed = bcrypt.hashpw(LEGACY_PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    hashed = prefix + hashed[4:]
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(password=hashed)  # as the earlier platform wrote it
    user.refresh_from_db()
    assert user.password.startswith(prefix)
    return user


def test_new_passwords_use_argon2():
    user = UserFactory()
    user.set_password("a brand new passphrase")
    assert user.password.startswith("argon2")


@pytest.mark.parametrize("prefix", ["$2a$", "$2b$", "$2y$"])
def test_legacy_bcrypt_hash_logs_in_through_the_api_and_is_upgraded(login, prefix):
    user = legacy_user(prefix)
    response = login(user.username, LEGACY_PASSWORD)
    assert response.status_code == 200, response.json()
    user.refresh_from_db()
    assert user.password.startswith("argon2")
    assert user.check_password(LEGACY_PASSWORD)
    assert login(user.username, LEGACY_PASSWORD).status_code == 200


def test_legacy_bcrypt_hash_refuses_a_wrong_password_and_stays(login):
    user = legacy_user("$2b$")
    before = user.password
    assert login(user.username, "not it").status_code == 401
    user.refresh_from_db()
    assert user.password == before


def test_legacy_bcrypt_hash_logs_in_on_the_page(client):
    user = legacy_user("$2a$")
    response = client.post("/accounts/login/", {"username": user.username, "password": LEGACY_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2")
