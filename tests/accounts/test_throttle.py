"""Login and registration throttles live in Redis, so every process sees the same counters."""

import pytest
from django.core.cache import CacheHandler

from core import ratelimit

pytestmark = pytest.mark.django_db


def test_five_failures_lock_the_account_with_retry_after(login, user, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert login(password="wrong").status_code == 401
    response = login()  # even the right password waits
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW
    error = response.json()["error"]
    assert error["code"] == "throttled"
    assert error["retry_after"] == int(response["Retry-After"])
    assert error["detail"].count("second") == 1  # the wait is told once


def test_the_account_lock_applies_to_every_client_ip(login, user, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        login(password="wrong", REMOTE_ADDR="192.0.2.1")
    assert login(REMOTE_ADDR="192.0.2.2").status_code == 429


def test_failures_from_one_ip_across_accounts_lock_that_ip(login, settings):
    settings.LOGIN_FAILURES_PER_IP = 3
    for name in ("a1", "a2", "a3"):
        login(name, "wrong", REMOTE_ADDR="198.51.100.9")
    assert login("a4", "wrong", REMOTE_ADDR="198.51.100.9").status_code == 429
    assert login("a4", "wrong", REMOTE_ADDR="198.51.100.10").status_code == 401


def test_success_resets_the_account_counter(login, user, settings):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        login(password="wrong")
    assert login().status_code == 200
    assert login(password="wrong").status_code == 401


def test_counters_are_shared_between_two_cache_clients(settings):
    """Two independent Redis clients (as two server processes have) see one counter."""
    first, second = CacheHandler()["default"], CacheHandler()["default"]
    assert first is not second
    key = ratelimit._key("login-account", "someone")
    first.add(key, 0, timeout=60)
    first.incr(key)
    second.incr(key)
    assert first.get(key) == second.get(key) == 2


def test_throttle_holds_across_processes(login, user, settings):
    import subprocess
    import sys

    from tests.veza.test_settings import ROOT, manage_env

    code = (
        "from accounts import login_guard\n"
        f"for _ in range(5): login_guard.record_failure(account='user:{user.pk}', ip=None)\n"
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env=manage_env(DJANGO_SETTINGS_MODULE="veza.settings", DEBUG="true"),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert login().status_code == 429


def test_registration_is_throttled_per_ip(api, settings):
    settings.REGISTRATIONS_PER_IP = 2
    statuses = [
        api.post(
            "/api/v1/auth/register",
            {"username": f"newbie{i}", "email": f"newbie{i}@example.org", "password": "a long passphrase 42"},
            format="json",
            REMOTE_ADDR="203.0.113.50",
        ).status_code
        for i in range(3)
    ]
    assert statuses == [201, 201, 429]
