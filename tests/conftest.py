from pathlib import Path

import pytest
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded objects of a test go to a temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _clear_cache():
    """Every test starts with an empty cache (on the real Redis, under the test key prefix)."""
    from django.core.cache import cache

    cache.delete_pattern("*")  # only this project's prefixed keys, never FLUSHDB
    from django.conf import settings

    client = cache.client.get_client(write=True)
    for key in client.scan_iter(f"{settings.REDIS_KEY_PREFIX}:presence:*"):
        client.delete(key)
    yield


@pytest.fixture
def api():
    """A DRF test client (authenticate with ``api.force_authenticate(user)`` or a Bearer header)."""
    return APIClient()


@pytest.fixture(scope="session", autouse=True)
def _close_socket_threads(django_db_setup):
    """At the end, stop the threads that ran the sockets' database work, closing their connections
    (a socket test cut short can leave one open, which would keep the test database from being dropped)."""
    yield
    import gc

    from realtime.transport import executor

    executor().shutdown(wait=True)
    executor.cache_clear()
    gc.collect()


# Every test of these folders carries the folder's marker: ``-m "not e2e and not faults and not load"``.
FOLDER_MARKERS = {"e2e": pytest.mark.e2e, "faults": pytest.mark.faults, "load": pytest.mark.load}


@pytest.hookimpl(tryfirst=True)  # before ``-m`` deselects
def pytest_collection_modifyitems(config, items):
    tests = Path(__file__).parent
    for item in items:
        if item.path.is_relative_to(tests):
            marker = FOLDER_MARKERS.get(item.path.relative_to(tests).parts[0])
            if marker is not None:
                item.add_marker(marker)
