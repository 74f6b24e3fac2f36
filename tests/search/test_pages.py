"""The /search page and the search box in the site header."""

import pytest

from tests.accounts.factories import UserFactory
from tests.catalog.factories import TrackFactory
from tests.marketplace.factories import ProductFactory
from tests.rooms.factories import RoomMemberFactory, RoomMessageFactory

pytestmark = pytest.mark.django_db


def test_every_page_has_the_search_box(client):
    html = client.get("/").content.decode()
    assert 'action="/search"' in html and 'data-suggest="/api/v1/search/autocomplete' in html
    assert "js/search.js" in html


def test_results_with_a_tab_per_type_and_counts(client):
    TrackFactory(title="Nocturne en bleu")
    ProductFactory(name="Nocturne pack")
    html = client.get("/search", {"q": "nocturne"}).content.decode()
    assert "<mark>Nocturne</mark> en bleu" in html and "<mark>Nocturne</mark> pack" in html
    assert 'aria-current="page" class="active">All <span class="count">2</span>' in html
    assert 'type=track">Tracks <span class="count">1</span>' in html
    assert "Room messages" not in html  # anonymous visitors have no messages to search
    tracks_only = client.get("/search", {"q": "nocturne", "type": "track"}).content.decode()
    assert "</mark> en bleu" in tracks_only and "</mark> pack" not in tracks_only


def test_members_get_their_messages_in_a_tab(client):
    membership = RoomMemberFactory()
    RoomMessageFactory(room=membership.room, user=membership.user, content="Rendez-vous au studio")
    client.force_login(membership.user)
    html = client.get("/search", {"q": "studio", "type": "message"}).content.decode()
    assert 'type=message" aria-current="page" class="active">Room messages <span class="count">1</span>' in html
    assert "<mark>studio</mark>" in html
    client.force_login(UserFactory())
    assert "Rendez-vous" not in client.get("/search", {"q": "studio", "type": "message"}).content.decode()


def test_user_content_is_escaped_in_titles_and_snippets(client):
    ProductFactory(name="<script>alert(1)</script> Basse", description="<b>basse</b> <img src=x onerror=alert(2)>")
    html = client.get("/search", {"q": "basse"}).content.decode()
    assert "<script>alert(1)" not in html and "<img src=x" not in html and "<b>basse" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Basse</mark>" in html


def test_near_spellings_are_announced(client):
    TrackFactory(title="Chansons d'automne")
    html = client.get("/search", {"q": "chansn"}).content.decode()
    assert "near spellings" in html and "Chansons d&#x27;automne" in html


def test_bad_input_is_a_400_page_with_the_error(client):
    response = client.get("/search", {"q": "x" * 201})
    assert response.status_code == 400
    assert "limited to 200 characters" in response.content.decode() or "at most 200" in response.content.decode()
    assert client.get("/search", {"q": "x", "type": "nope"}).status_code == 400


def test_empty_search_explains_what_can_be_found(client):
    html = client.get("/search").content.decode()
    assert "Search people, public rooms, tracks" in html
