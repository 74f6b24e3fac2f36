"""Track pages: list, track page with a seekable player, artist and album pages, upload, my uploads."""

import factory
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog.models import Track
from tests.catalog.factories import TrackFactory
from tests.media.factories import FileFactory

pytestmark = pytest.mark.django_db


def test_track_list_and_filters(client, owner):
    TrackFactory(title="Jazz one", genre="Jazz", file=FileFactory(user=owner))
    TrackFactory(title="Rock one", genre="Rock", file=FileFactory(user=owner))
    TrackFactory(title="Secret", file=FileFactory(user=owner, is_public=False))
    body = client.get("/tracks/").content.decode()
    assert "Jazz one" in body and "Rock one" in body and "Secret" not in body
    body = client.get("/tracks/", {"genre": "Jazz"}).content.decode()
    assert "Jazz one" in body and "Rock one" not in body
    assert client.get("/tracks/", {"ordering": "nonsense"}).status_code == 400


def test_track_page_has_a_player_and_escapes_content(client, owner):
    track = TrackFactory(title="<script>alert(1)</script>", file=FileFactory(user=owner))
    body = client.get(f"/tracks/{track.pk}/").content.decode()
    assert f'<audio id="player" controls preload="metadata" src="{track.file.url}">' in body
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


def test_private_track_page_is_404_for_others(client, owner, stranger):
    track = TrackFactory(file=FileFactory(user=owner, is_public=False))
    client.force_login(stranger)
    assert client.get(f"/tracks/{track.pk}/").status_code == 404
    client.force_login(owner)
    assert client.get(f"/tracks/{track.pk}/").status_code == 200


def test_artist_and_album_pages(client, owner):
    TrackFactory(title="Song 1", artist="Zoé", album="Premier", file=FileFactory(user=owner))
    TrackFactory(title="Song 2", artist="Zoé", album="Second", file=FileFactory(user=owner))
    body = client.get("/artists/Zoé/").content.decode()
    assert "Song 1" in body and "Song 2" in body and "Premier" in body
    body = client.get("/artists/Zoé/albums/Second/").content.decode()
    assert "Song 2" in body and "Song 1" not in body
    assert client.get("/artists/Nobody/").status_code == 404


def test_upload_page_without_javascript(client, owner, samples):
    client.force_login(owner)
    assert client.get("/tracks/upload/").status_code == 200
    response = client.post("/tracks/upload/", {"file": SimpleUploadedFile("t.ogg", samples["ogg"]), "is_public": "on"})
    assert response.status_code == 302
    track = Track.objects.get()
    assert response["Location"] == f"/tracks/{track.pk}/"
    bad = client.post("/tracks/upload/", {"file": SimpleUploadedFile("t.mp3", b"not audio at all")})
    assert bad.status_code == 400
    assert 'class="field-error"' in bad.content.decode()


def test_my_uploads_lists_private_tracks_too(client, owner, stranger):
    TrackFactory(title="Private demo", file=FileFactory(user=owner, is_public=False))
    TrackFactory(title="Not mine", file=FileFactory(user=stranger))
    client.force_login(owner)
    body = client.get("/tracks/mine/").content.decode()
    assert "Private demo" in body and "Not mine" not in body


def test_edit_and_delete_pages_are_for_the_creator(client, owner, stranger):
    track = TrackFactory(file=FileFactory(user=owner))
    client.force_login(stranger)
    assert client.get(f"/tracks/{track.pk}/edit/").status_code == 403
    assert client.post(f"/tracks/{track.pk}/delete/").status_code == 403
    client.force_login(owner)
    response = client.post(
        f"/tracks/{track.pk}/edit/", {"title": "T", "artist": "A", "album": "B", "genre": "G", "is_public": ""}
    )
    assert response.status_code == 302
    track.refresh_from_db()
    assert track.title == "T" and not track.file.is_public


def test_delete_button_only_for_those_who_may_delete(client, owner, moderator):
    from tests.accounts.factories import SuperAdminFactory

    track = TrackFactory(file=FileFactory(user=owner))
    delete_form = f'action="/tracks/{track.pk}/delete/"'
    for user, can_delete in ((owner, True), (moderator, False), (SuperAdminFactory(), True)):
        client.force_login(user)
        body = client.get(f"/tracks/{track.pk}/").content.decode()
        assert f'href="/tracks/{track.pk}/edit/"' in body
        assert (delete_form in body) is can_delete, user


@pytest.mark.parametrize("tracks", [1, 30])
def test_track_list_runs_a_constant_number_of_queries(client, owner, tracks, django_assert_num_queries):
    TrackFactory.create_batch(tracks, file=factory.SubFactory(FileFactory, user=owner))
    client.force_login(owner)  # a logged-in visitor reads live, never the public cache
    with django_assert_num_queries(4):  # the visitor, the count, the page, the genres
        assert client.get("/tracks/").status_code == 200
