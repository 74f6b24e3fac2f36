"""/api/v1/tracks/: list filters and ordering, edit and delete rules, constant queries."""

import json
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from catalog.models import Track
from catalog.serializers import TrackSerializer
from media.models import File
from tests.catalog.factories import TrackFactory
from tests.media.factories import FileFactory

pytestmark = pytest.mark.django_db


def titles(api, **query):
    response = api.get("/api/v1/tracks/", query)
    assert response.status_code == 200, response.json()
    return [t["title"] for t in response.json()["results"]]


def test_filters_and_ordering(api, owner, stranger):
    TrackFactory(title="B", genre="Jazz", artist="Ann", album="One", duration=100, file=FileFactory(user=owner))
    TrackFactory(title="A", genre="Jazz", artist="Bob", album="Two", duration=50, file=FileFactory(user=stranger))
    TrackFactory(title="C", genre="Rock", artist="Ann", album="One", duration=300, file=FileFactory(user=owner))
    TrackFactory(title="Hidden", genre="Jazz", file=FileFactory(user=stranger, is_public=False))
    assert titles(api, genre="Jazz", ordering="title") == ["A", "B"]
    assert titles(api, artist="Ann", album="One", ordering="-duration") == ["C", "B"]
    assert titles(api, creator=str(stranger.pk)) == ["A"]
    assert titles(api, ordering="duration") == ["A", "B", "C"]
    api.force_authenticate(stranger)
    assert "Hidden" in titles(api, mine="true")


@pytest.mark.parametrize("query", [{"ordering": "file__path"}, {"creator": "me"}, {"genre": "g" * 101}])
def test_bad_filters_are_400(api, query):
    assert api.get("/api/v1/tracks/", query).status_code == 400


@pytest.mark.parametrize("path", ["tracks/true/", "tracks/1.5/stream/", "tracks/-1/stream-url/", "tracks/x/"])
def test_an_id_that_is_not_a_number_is_404(api, owner, path):
    api.force_authenticate(owner)
    for method in (api.get, api.patch, api.delete):
        response = method(f"/api/v1/{path}")
        if response.status_code != 405:
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "not_found"


def test_creator_edits_metadata_and_visibility(api, owner):
    track = TrackFactory(file=FileFactory(user=owner, is_public=False))
    api.force_authenticate(owner)
    response = api.patch(f"/api/v1/tracks/{track.pk}/", {"title": "New", "is_public": True}, format="json")
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["is_public"]) == ("New", True)
    assert api.patch(f"/api/v1/tracks/{track.pk}/", {"duration": 1}, format="json").status_code == 400
    assert api.patch(f"/api/v1/tracks/{track.pk}/", {"title": ""}, format="json").status_code == 400


def test_others_cannot_edit_or_delete_403_and_moderators_can(api, owner, stranger, moderator):
    track = TrackFactory(file=FileFactory(user=owner))
    api.force_authenticate(stranger)
    assert api.patch(f"/api/v1/tracks/{track.pk}/", {"title": "Mine now"}, format="json").status_code == 403
    assert api.delete(f"/api/v1/tracks/{track.pk}/").status_code == 403
    api.force_authenticate(moderator)
    assert api.patch(f"/api/v1/tracks/{track.pk}/", {"genre": "Moderated"}, format="json").status_code == 200


def test_delete_removes_track_file_and_object(api, owner, samples, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    api.force_authenticate(owner)
    body = api.post("/api/v1/tracks/", {"file": SimpleUploadedFile("a.mp3", samples["mp3"])}, format="multipart").json()
    path = File.objects.get(pk=body["file_id"]).path
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"/api/v1/tracks/{body['id']}/").status_code == 204
    assert not Track.objects.exists() and not File.objects.exists()
    assert not default_storage.exists(path)


def test_track_list_runs_a_constant_number_of_queries(api, owner):
    for _ in range(40):
        TrackFactory(file=FileFactory(user=owner))
    counts = []
    for size in (5, 40):
        with CaptureQueriesContext(connection) as queries:
            assert len(api.get("/api/v1/tracks/", {"page_size": size}).json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 1  # the page's rows carry the count


@pytest.mark.parametrize("zone", ["UTC", "America/Montreal"])
def test_track_list_gives_what_the_serializer_fields_give(api, owner, stranger, zone):
    TrackFactory(title="Privé <b>", album="Été", duration=1, file=FileFactory(user=owner, is_public=False, size=7))
    TrackFactory(file=FileFactory(user=stranger, mime_type="audio/mpeg"))
    api.force_authenticate(owner)
    tracks = {track.pk: track for track in Track.objects.select_related("file", "creator")}
    with timezone.override(zone):
        listed = api.get("/api/v1/tracks/").json()["results"]
        # DRF's field-by-field representation of the same tracks (what detail, upload and edit answer).
        expected = [json.loads(JSONRenderer().render(TrackSerializer(tracks[row["id"]]).data)) for row in listed]
    assert len(listed) == 2
    assert [list(row.items()) for row in listed] == [list(row.items()) for row in expected]


def test_track_list_counts_and_reads_a_page_in_one_query(api, owner, django_assert_num_queries):
    for _ in range(7):
        TrackFactory(file=FileFactory(user=owner))
    with django_assert_num_queries(1):
        body = api.get("/api/v1/tracks/", {"page_size": 3, "page": 3}).json()
    assert (body["count"], len(body["results"]), body["next"]) == (7, 1, None)
    assert "page=2" in body["previous"]
    assert api.get("/api/v1/tracks/", {"page_size": 3, "page": "last"}).json() == body
    for page in (4, 0, "two"):
        response = api.get("/api/v1/tracks/", {"page_size": 3, "page": page})
        assert response.status_code == 404
        assert response.json() == {"error": {"code": "not_found", "detail": "Invalid page."}}


def test_empty_track_list_counts_zero(api):
    assert api.get("/api/v1/tracks/").json() == {"count": 0, "next": None, "previous": None, "results": []}


def test_track_list_without_filters_is_newest_first_then_by_id(api, owner):
    same_time = timezone.now()
    ids = [TrackFactory(file=FileFactory(user=owner), created_at=same_time).pk for _ in range(3)]
    older = TrackFactory(file=FileFactory(user=owner), created_at=same_time - timedelta(days=1)).pk
    newest_first = [*sorted(ids, reverse=True), older]
    for query in ({}, {"page_size": 10}, {"unknown": "x"}):
        assert [t["id"] for t in api.get("/api/v1/tracks/", query).json()["results"]] == newest_first
