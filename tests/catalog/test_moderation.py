"""Tracks hidden by moderators: the owner cannot lift it, nobody else reaches the track or its audio."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.test import Client

from catalog import services
from catalog.models import Track
from media import services as media_services
from search.models import SearchIndex
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

REASON = "Uploaded without the rights"


@pytest.fixture
def track(owner, samples):
    return services.track_upload(
        creator=owner, upload=SimpleUploadedFile("s.flac", samples["flac"]), is_public=True, title="Zanzibar nights"
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def indexed(track) -> bool:
    return SearchIndex.objects.filter(entity_type="track", entity_id=track.pk).exists()


def search_titles(api, q) -> list[str]:
    response = api.get("/api/v1/search", {"q": q, "type": "track"})
    assert response.status_code == 200
    return [hit["title"] for hit in response.json()["results"]]


def test_hidden_track_leaves_lists_details_and_search_for_everyone_but_owner_and_staff(
    api, client, track, owner, stranger, moderator
):
    assert indexed(track)
    services.track_hide(actor=moderator, track=track, reason=REASON)
    assert not indexed(track)
    for viewer in (None, stranger):
        api.force_authenticate(viewer)
        assert api.get(f"/api/v1/tracks/{track.pk}/").status_code == 404
        assert track.pk not in [row["id"] for row in api.get("/api/v1/tracks/").json()["results"]]
        assert search_titles(api, "zanzibar") == []
    client.force_login(stranger)
    assert client.get(f"/tracks/{track.pk}/").status_code == 404
    assert "Zanzibar" not in client.get("/tracks/").content.decode()
    assert "Zanzibar" not in client.get("/search", {"q": "zanzibar"}).content.decode()

    api.force_authenticate(owner)  # the owner sees it flagged, with the reason
    moderation = api.get(f"/api/v1/tracks/{track.pk}/").json()["moderation"]
    assert moderation["hidden"] and moderation["reason"] == REASON
    [row] = [row for row in api.get("/api/v1/tracks/").json()["results"] if row["id"] == track.pk]
    assert row["moderation"] == moderation
    client.force_login(owner)
    page = client.get(f"/tracks/{track.pk}/").content.decode()
    assert "Hidden by moderation" in page and REASON in page
    api.force_authenticate(moderator)
    assert api.get(f"/api/v1/tracks/{track.pk}/").json()["moderation"]["reason"] == REASON


def test_owner_cannot_undo_the_hiding_through_api_page_or_service(api, client, track, owner, moderator):
    services.track_hide(actor=moderator, track=track, reason=REASON)
    api.force_authenticate(owner)
    assert api.patch(f"/api/v1/tracks/{track.pk}/", {"is_public": True}, format="json").status_code == 403
    assert api.patch(f"/api/v1/tracks/{track.pk}/", {"title": "Renamed"}, format="json").status_code == 403
    response = api.patch(f"/api/v1/tracks/{track.pk}/", {"moderated_at": None}, format="json")
    assert response.status_code == 400  # not a writable field
    client.force_login(owner)
    form = {"title": "Renamed", "artist": "A", "album": "B", "genre": "C", "is_public": "on"}
    assert client.post(f"/tracks/{track.pk}/edit/", form).status_code == 403
    with pytest.raises(PermissionDenied):
        services.track_update(actor=owner, track=track, title="Renamed", is_public=True)
    with pytest.raises(PermissionDenied):
        services.track_restore(actor=owner, track=track)
    media_services.file_set_public(actor=owner, file=track.file, is_public=True)  # the owner's switch of the file
    track.refresh_from_db()
    assert track.moderation_reason == REASON and track.title == "Zanzibar nights"
    api.force_authenticate(UserFactory())
    assert api.get(f"/api/v1/tracks/{track.pk}/").status_code == 404  # still hidden


def test_staff_lift_the_hiding_and_the_track_comes_back(api, track, stranger, moderator):
    services.track_hide(actor=moderator, track=track, reason=REASON)
    services.track_restore(actor=moderator, track=track)
    assert indexed(track)
    api.force_authenticate(stranger)
    assert api.get(f"/api/v1/tracks/{track.pk}/").json()["moderation"] is None
    assert search_titles(api, "zanzibar") == ["Zanzibar nights"]


def test_plain_users_cannot_hide_tracks(track, stranger):
    with pytest.raises(PermissionDenied):
        services.track_hide(actor=stranger, track=track, reason="Mine now")
    track.refresh_from_db()
    assert track.moderated_at is None


def test_hiding_needs_a_reason(track, moderator):
    with pytest.raises(Exception, match="reason"):
        services.track_hide(actor=moderator, track=track, reason="   ")
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds the rule too
        Track.objects.filter(pk=track.pk).update(moderated_at="2026-01-01T00:00:00Z")


def test_hidden_track_does_not_stream_and_no_link_is_issued(api, track, owner, stranger, moderator, samples):
    services.track_hide(actor=moderator, track=track, reason=REASON)
    api.force_authenticate(stranger)
    assert api.get(f"/api/v1/tracks/{track.pk}/stream").status_code == 404
    assert api.get(f"/api/v1/tracks/{track.pk}/stream-url").status_code == 404
    api.force_authenticate(owner)
    assert api.get(f"/api/v1/tracks/{track.pk}/stream").status_code == 403
    assert api.get(f"/api/v1/tracks/{track.pk}/stream-url").status_code == 403
    assert Client().get(track.file.url).status_code == 404  # the media path, anonymously
    owner_client = Client()
    owner_client.force_login(owner)
    assert owner_client.get(track.file.url).status_code == 404
    api.force_authenticate(moderator)  # moderators still hear what they judge
    assert body(api.get(f"/api/v1/tracks/{track.pk}/stream")) == samples["flac"]


def test_a_link_signed_before_the_hiding_stops_playing(api, track, owner, moderator, samples):
    api.force_authenticate(owner)
    path = api.get(f"/api/v1/tracks/{track.pk}/stream-url").json()["url"].split("testserver", 1)[1]
    assert body(Client().get(path)) == samples["flac"]
    services.track_hide(actor=moderator, track=track, reason=REASON)
    assert Client().get(path).status_code == 404
    services.track_restore(actor=moderator, track=track)
    assert body(Client().get(path)) == samples["flac"]


def test_a_hidden_file_hides_its_track_and_its_signed_links(api, track, owner, stranger, moderator):
    api.force_authenticate(owner)
    path = api.get(f"/api/v1/tracks/{track.pk}/stream-url").json()["url"].split("testserver", 1)[1]
    media_services.file_hide(actor=moderator, file=track.file, reason="Malware in the tags")
    assert not indexed(track)
    assert Client().get(path).status_code == 404
    api.force_authenticate(stranger)
    assert api.get(f"/api/v1/tracks/{track.pk}/").status_code == 404
    assert api.get(f"/api/v1/tracks/{track.pk}/stream").status_code == 404
    api.force_authenticate(owner)
    assert api.get(f"/api/v1/tracks/{track.pk}/").json()["moderation"]["reason"] == "Malware in the tags"
    with pytest.raises(PermissionDenied):
        services.track_update(actor=owner, track=Track.objects.get(pk=track.pk), is_public=True)
    media_services.file_restore(actor=moderator, file=track.file)
    assert indexed(track)


def test_the_owner_may_still_delete_a_hidden_track(api, track, owner, moderator):
    services.track_hide(actor=moderator, track=track, reason=REASON)
    api.force_authenticate(owner)
    assert api.delete(f"/api/v1/tracks/{track.pk}/").status_code == 204
    assert not Track.objects.filter(pk=track.pk).exists()


def test_someone_elses_public_track_stays_reachable(api, samples):
    other = services.track_upload(
        creator=UserFactory(), upload=SimpleUploadedFile("o.flac", samples["flac"]), is_public=True
    )
    assert api.get(f"/api/v1/tracks/{other.pk}/stream").status_code == 200
