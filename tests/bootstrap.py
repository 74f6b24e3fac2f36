"""pytest plugin (``-p tests.bootstrap`` in pyproject.toml): the embedded servers' URLs are in the
environment before pytest-django reads the settings, as ``manage.py`` does for other commands.

Under pytest-xdist each worker also gets a Redis key prefix of its own (``veza-test-gw0``...): the cache,
the sessions, the channel layer, presence and rate limits of one worker never meet another's, and what
a test clears (``tests/conftest.py``) is only its worker's. pytest-django gives each worker its own test
database (``test_veza_gw0``...), and the servers tests start take ports from a range per worker
(``tests/ports.py``).
"""

import os

import pytest

TEST_KEY_PREFIX = "veza-test"  # as pyproject.toml's pytest-env default


def worker_key_prefix(prefix: str, worker: str | None) -> str:
    """The Redis key prefix of one xdist worker (``prefix`` itself outside xdist)."""
    if not worker or worker == "master" or prefix.endswith(f"-{worker}"):
        return prefix
    return f"{prefix}-{worker}"


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config, parser, args):
    from veza import bootstrap

    bootstrap.environment()
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker:
        prefix = os.environ.get("REDIS_KEY_PREFIX") or TEST_KEY_PREFIX
        os.environ["REDIS_KEY_PREFIX"] = worker_key_prefix(prefix, worker)
