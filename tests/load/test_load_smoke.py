"""A few seconds of the mixed load of bench/load.py (browse, search, stream, chat) against a real server."""

from importlib.util import find_spec

import pytest

from bench.load_run import GROUPS, KINDS, goal_report, group_of, percentile, run_locust, seed, table
from tests.e2e.conftest import start_server, stop_servers

# Never imported here: locust patches the standard library (gevent) when imported; it runs in its own process.
pytestmark = pytest.mark.skipif(
    find_spec("locust") is None, reason="the load scenario needs the bench extra: pip install -e '.[dev,bench]'"
)


@pytest.fixture
def server(transactional_db, settings):
    running = start_server(settings, workers=2)
    yield running
    stop_servers(running)


def test_mixed_load_has_no_errors_and_exercises_every_kind_of_endpoint(server, tmp_path):
    fixtures = seed(people=6, rooms=2, tracks=30, products=10, audio_tracks=1, audio_seconds=8)
    # Ten people: four browse, two search, two listen and two chat (the locustfile's weights).
    stats = run_locust(server.url, fixtures, users=10, spawn_rate=10, seconds=6, workdir=tmp_path)
    report = table(stats) + "\n" + stats["log"]
    assert stats["errors"] == 0, report
    assert all(stats["kinds"][kind] > 0 for kind in KINDS), report
    names = {endpoint["name"] for endpoint in stats["endpoints"]}
    assert {"WS connect + subscribe", "/api/v1/tracks/[id]/stream (JWT)"} <= names, report
    # Every request is in one group, and the groups' percentiles come from the requests' own times.
    assert all(stats["groups"][group]["requests"] > 0 for group in GROUPS), report
    # The groups count every request of the table, and those answered while the people stopped.
    counted = sum(g["requests"] for g in stats["groups"].values())
    assert counted >= stats["total"]["requests"], (counted, stats["total"]["requests"])
    assert "goal (p95 under 150 ms" in goal_report(stats, 150)[1]


def test_requests_are_grouped_into_pages_api_audio_and_sockets():
    assert group_of("browse: /") == group_of("search: /search?q=") == "pages"
    assert group_of("browse: /api/v1/tracks/") == group_of("chat: POST /api/v1/rooms/[id]/messages/") == "api"
    assert group_of("stream: /api/v1/tracks/[id]/stream-url") == "api"
    assert group_of("stream: /api/v1/tracks/[id]/stream (JWT)") == "audio"
    assert group_of("stream: /media/[path]?signature= (signed URL)") == "audio"
    assert group_of("chat: WS room.message (echo)") == "socket"
    assert percentile(list(range(1, 101)), 0.95) == 95
    assert percentile([7.0], 0.5) == 7.0
