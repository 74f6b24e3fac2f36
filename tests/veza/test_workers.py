"""The suite runs in parallel (pytest-xdist, `make test`): each worker has its own database, Redis key
prefix and block of ports, so that tests on different workers share no state."""

import os
import socket
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from tests import ports
from tests.bootstrap import TEST_KEY_PREFIX, worker_key_prefix

WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def test_a_worker_key_prefix_carries_the_worker_id_once():
    assert worker_key_prefix("veza-test", "gw3") == "veza-test-gw3"
    assert worker_key_prefix("veza-test-gw3", "gw3") == "veza-test-gw3"
    assert worker_key_prefix("veza-test", None) == "veza-test"
    assert worker_key_prefix("veza-test", "master") == "veza-test"


@pytest.mark.skipif(not WORKER, reason="only under pytest-xdist (make test)")
@pytest.mark.django_db
def test_this_worker_has_its_own_database_and_redis_prefix_everywhere():
    assert connection.settings_dict["NAME"].endswith(f"_{WORKER}")
    prefix = f"{TEST_KEY_PREFIX}-{WORKER}"
    assert prefix == settings.REDIS_KEY_PREFIX
    assert {alias: config["KEY_PREFIX"] for alias, config in settings.CACHES.items()} == {
        "default": prefix,
        "sessions": prefix,
    }
    assert settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] == f"{prefix}:asgi"
    cache.set("probe", 1)
    client = cache.client.get_client(write=True)
    assert [key.decode() for key in client.scan_iter("*probe")] == [f"{prefix}:1:probe"]


def test_worker_port_blocks_are_apart_and_below_the_ephemeral_range():
    blocks = [set(ports.worker_ports(f"gw{index}")) for index in range(ports.BLOCKS)]
    assert all(not (a & b) for i, a in enumerate(blocks) for b in blocks[i + 1 :])
    assert ports.worker_ports("") == ports.worker_ports("gw0")  # a run without xdist
    low, _ = (int(value) for value in Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    assert max(max(block) for block in blocks) < low


def test_free_port_is_in_this_workers_block_and_skips_a_port_in_use(monkeypatch):
    busy, free = ports.free_port(), ports.free_port()
    assert busy != free
    assert {busy, free} <= set(ports.worker_ports())
    with socket.create_server(("127.0.0.1", busy)):
        monkeypatch.setattr(ports, "_turns", iter([busy, free]))
        assert ports.free_port() == free
