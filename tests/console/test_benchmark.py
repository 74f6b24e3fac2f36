"""The baseline view of bench/api.py exists only when BENCH_BASELINE is on, and check --deploy flags it."""

import json

import pytest
from django.urls import NoReverseMatch, reverse

from console.benchmark import tracks_values
from tests.catalog.factories import TrackFactory
from tests.media.factories import FileFactory
from tests.veza.test_settings import STRONG_KEY, manage

RESOLVE = "from django.urls import resolve; print(resolve('/bench/tracks-values').url_name)"


@pytest.mark.django_db
def test_baseline_is_absent_by_default(client, settings):
    assert settings.BENCH_BASELINE is False
    assert client.get("/bench/tracks-values").status_code == 404
    with pytest.raises(NoReverseMatch):
        reverse("bench-tracks-values")


@pytest.mark.slow
def test_baseline_is_served_only_when_enabled():
    enabled = manage("shell", "-c", RESOLVE, DEBUG="true", BENCH_BASELINE="true")
    assert enabled.returncode == 0, enabled.stderr
    assert enabled.stdout.strip().endswith("bench-tracks-values")
    assert manage("shell", "-c", RESOLVE, DEBUG="true").returncode != 0


def test_check_deploy_refuses_the_baseline_in_production():
    result = manage(
        "check", "--deploy", "--fail-level", "WARNING",
        DEBUG="false", SECRET_KEY=STRONG_KEY, ALLOWED_HOSTS="veza.example", BENCH_BASELINE="true",
    )  # fmt: skip
    assert result.returncode != 0
    assert "veza.W001" in result.stdout + result.stderr


@pytest.mark.django_db
def test_baseline_answers_the_rows_of_the_tracks_api(api, rf):
    for public in (True, False, True):
        TrackFactory(file=FileFactory(is_public=public))
    rows = json.loads(tracks_values(rf.get("/bench/tracks-values", {"page_size": "50"})).content)["results"]
    listed = api.get("/api/v1/tracks/", {"page_size": 50}).json()["results"]
    assert [row["id"] for row in rows] == [track["id"] for track in listed] and len(rows) == 2
    assert [row["title"] for row in rows] == [track["title"] for track in listed]
