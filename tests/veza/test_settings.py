"""Settings come from the environment; production refuses weak secrets; backends fail with one clear line."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def manage_env(**overrides):
    """The environment of a child process using the same PostgreSQL and Redis as the tests."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "SECRET_KEY")}
    db = connection.settings_dict
    host = quote(db["HOST"] or "localhost", safe="")
    env.update(
        {
            "DATABASE_URL": f"postgres://{db['USER']}@{host}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": settings.REDIS_URL,
            "REDIS_KEY_PREFIX": settings.REDIS_KEY_PREFIX,
        }
    )
    env.update(overrides)
    return env


def manage(*args, **env_overrides):
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=manage_env(**env_overrides),
        capture_output=True,
        text=True,
        timeout=120,
    )


STRONG_KEY = "k" * 20 + "Q3f9-x_Lp0aZ7mB2vC8nD4sE6tF1gH5jK"


def test_production_refuses_to_start_without_secret_key():
    result = manage("check", DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_refuses_a_weak_secret_key():
    result = manage("check", DEBUG="false", SECRET_KEY="django-insecure-short")
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_check_deploy_is_clean_under_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="veza.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_unreachable_database_url_gives_one_line_naming_the_variable():
    result = manage("migrate", "--check", DEBUG="true", DATABASE_URL="postgres://veza:secret@127.0.0.1:1/veza")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("veza: DATABASE_URL: cannot reach PostgreSQL at postgres://veza:***@127.0.0.1:1/veza")
    assert "secret" not in result.stderr


def test_unreachable_redis_url_gives_one_line_naming_the_variable():
    result = manage(
        "shell",
        "-c",
        "from django.core.cache import cache; cache.get('x')",
        DEBUG="true",
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("veza: REDIS_URL: cannot reach Redis at redis://127.0.0.1:1/0")


@pytest.mark.django_db
def test_asgi_application_refuses_to_start_when_redis_is_down():
    env = manage_env(DEBUG="true", REDIS_URL="redis://127.0.0.1:1/0")
    result = subprocess.run(
        [sys.executable, "-c", "import veza.asgi"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert result.stderr.strip().startswith("veza: REDIS_URL: cannot reach Redis")


@pytest.mark.parametrize(
    ("url", "db", "expected"),
    [
        ("redis://127.0.0.1:6379", 2, "redis://127.0.0.1:6379/2"),
        ("redis://:pw@cache:6380/0", 1, "redis://:pw@cache:6380/1"),
        ("unix:///tmp/r.sock", 1, "unix:///tmp/r.sock?db=1"),
    ],
)
def test_redis_database_urls(url, db, expected):
    from veza.settings import redis_db_url

    assert redis_db_url(url, db) == expected


def test_cache_sessions_and_channel_layer_all_live_on_redis():
    assert settings.CACHES["default"]["BACKEND"] == "django_redis.cache.RedisCache"
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cache"
    assert settings.CACHES[settings.SESSION_CACHE_ALIAS]["BACKEND"] == "django_redis.cache.RedisCache"
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.pubsub.RedisPubSubChannelLayer"


def test_database_url_with_socket_folder():
    from veza.settings import _database_config

    config = _database_config("postgres://postgres@%2Fwork%2Fvar%2Fpostgres:5432/veza")
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("/work/var/postgres", "5432", "veza")
    config = _database_config("postgresql://u:p%40ss@db.internal:5433/app?sslmode=require")
    assert (config["HOST"], config["USER"], config["PASSWORD"]) == ("db.internal", "u", "p@ss")
    assert config["OPTIONS"]["sslmode"] == "require"


def test_socket_credentials_check_longer_than_3_seconds_is_refused():
    result = manage("check", DEBUG="true", SOCKET_CREDENTIALS_CHECK_SECONDS="10")
    assert result.returncode != 0
    assert "SOCKET_CREDENTIALS_CHECK_SECONDS must be between 0.1 and 3" in result.stderr


def test_a_stream_access_window_longer_than_5_seconds_is_refused():
    result = manage("check", DEBUG="true", STREAM_ACCESS_SECONDS="6")
    assert result.returncode != 0
    assert "STREAM_ACCESS_SECONDS must be between 0 and 5" in result.stderr


def test_processes_starting_together_share_one_development_secret_key(tmp_path):
    # Test workers and server workers of a fresh checkout all start with no var/dev_secret_key: each must end
    # up with the same key (one of them writes it, whole, and the others read it).
    env = manage_env(DEBUG="true", VEZA_VAR_DIR=str(tmp_path))
    show = "import veza.settings as s; print(s.SECRET_KEY)"
    processes = [
        subprocess.Popen([sys.executable, "-c", show], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)  # noqa: S603
        for _ in range(6)
    ]
    keys = {process.communicate(timeout=60)[0].strip() for process in processes}
    assert len(keys) == 1
    (key,) = keys
    assert len(key) >= 50
    assert (tmp_path / "dev_secret_key").read_text() == key
    assert (tmp_path / "dev_secret_key").stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob(".dev_secret_key.*"))  # no draft left behind
