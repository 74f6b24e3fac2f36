"""Unified search: analysis, ranking, near spellings, prefixes, permissions, index upkeep, hostile input."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from catalog import services
from marketplace.models import ListingStatus
from search import selectors, sql
from search.models import SearchIndex
from search.presentation import highlighted
from tests.accounts.factories import UserFactory
from tests.catalog.factories import TrackFactory
from tests.chat.factories import MessageFactory
from tests.marketplace.factories import ListingFactory, ProductFactory
from tests.media.factories import FileFactory
from tests.rooms.factories import RoomFactory, RoomMemberFactory, RoomMessageFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/search"


@pytest.fixture(autouse=True, params=["one pass", "bounded"])
def search_path(request, monkeypatch):
    """Every test runs both ways a search can go: the matches read in one pass (a query with few
    matches), and bounded counts with title-first tiers (a common query)."""
    if request.param == "bounded":
        monkeypatch.setattr(selectors, "FEW", 0)
    return request.param


def found(api, q, **params):
    response = api.get(URL, {"q": q, **params})
    assert response.status_code == 200, response.content
    return response.json()


def titles(api, q, **params):
    return [hit["title"] for hit in found(api, q, **params)["results"]]


def indexed(kind, entity_id) -> bool:
    return SearchIndex.objects.filter(entity_type=kind, entity_id=entity_id).exists()


# -- text analysis -----------------------------------------------------------------------------------


def test_french_stemming_finds_the_plural(api):
    TrackFactory(title="Mes chansons préférées")
    assert titles(api, "chanson") == ["Mes chansons préférées"]


def test_accents_are_ignored_both_ways(api):
    TrackFactory(title="Soleil d'été", artist="Chloé")
    assert titles(api, "ete") == ["Soleil d'été"]
    assert titles(api, "chloe") == ["Soleil d'été"]
    ProductFactory(name="Pack ete")
    assert set(titles(api, "été")) == {"Soleil d'été", "Pack ete"}


def test_english_stemming(api):
    TrackFactory(title="Running up that hill")
    assert titles(api, "runs") == ["Running up that hill"]


def test_title_match_outranks_description_match(api):
    ProductFactory(name="Basse électrique", description="Pour accompagner une guitare")
    ProductFactory(name="Guitare folk", description="Six cordes")
    ProductFactory(name="Batterie", description="Rien à voir")
    assert titles(api, "guitare") == ["Guitare folk", "Basse électrique"]


def test_artist_match_outranks_body_match(api):
    TrackFactory(title="One", artist="Luna", genre="Pop")
    TrackFactory(title="Two", artist="Someone", genre="Luna")
    assert titles(api, "luna") == ["One", "Two"]


def test_near_spelling_when_full_text_finds_nothing(api):
    TrackFactory(title="Chansons d'été")
    body = found(api, "chansn")
    assert body["near"] is True
    assert [hit["title"] for hit in body["results"]] == ["Chansons d'été"]
    assert body["counts"]["track"] == 1


def test_no_near_spelling_when_the_words_match(api):
    TrackFactory(title="Chansons d'été")
    assert found(api, "chansons")["near"] is False


def test_websearch_syntax_phrase_and_exclusion(api):
    TrackFactory(title="Blue moon rising")
    TrackFactory(title="Moon blue")
    assert titles(api, '"blue moon"') == ["Blue moon rising"]
    assert titles(api, "moon -rising") == ["Moon blue"]


def test_autocomplete_matches_the_word_being_typed(api):
    TrackFactory(title="Morning Arpeggio")
    RoomFactory(name="morning-coffee", description="Talk")
    ProductFactory(name="Evening pad")
    response = api.get(f"{URL}/autocomplete", {"q": "mornin"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert {(hit["type"], hit["title"]) for hit in results} == {
        ("track", "Morning Arpeggio"),
        ("room", "morning-coffee"),
    }
    assert all(hit["url"] for hit in results)
    assert [hit["title"] for hit in api.get(f"{URL}/autocomplete", {"q": "morning arp"}).json()["results"]] == [
        "Morning Arpeggio"
    ]


def test_autocomplete_falls_back_to_near_spellings(api):
    TrackFactory(title="Arpeggio")
    assert [hit["title"] for hit in api.get(f"{URL}/autocomplete", {"q": "arpegio"}).json()["results"]] == ["Arpeggio"]


def test_autocomplete_without_words_is_empty(api):
    for q in ("", "  ", "!!!", "'"):
        response = api.get(f"{URL}/autocomplete", {"q": q})
        assert response.status_code == 200
        assert response.json() == {"results": []}


# -- results, counts, pages --------------------------------------------------------------------------


def test_results_are_typed_with_counts_per_type_and_urls(api):
    user = UserFactory(username="jazzman", bio="Jazz trumpet")
    room = RoomFactory(name="jazz-club", description="Late jazz")
    track = TrackFactory(title="Jazz at noon")
    product = ProductFactory(name="Jazz drums", category="Instruments")
    listing = ListingFactory(title="Jazz records", status=ListingStatus.ACTIVE)
    body = found(api, "jazz")
    assert body["counts"] == {"user": 1, "room": 1, "track": 1, "product": 1, "listing": 1}
    assert body["count"] == 5
    urls = {(hit["type"], hit["id"]): hit["url"] for hit in body["results"]}
    assert urls == {
        ("user", user.pk): "/u/jazzman/",
        ("room", room.pk): f"/rooms/{room.pk}/",
        ("track", track.pk): f"/tracks/{track.pk}/",
        ("product", product.pk): f"/shop/products/{product.pk}/",
        ("listing", listing.pk): f"/shop/listings/{listing.pk}/",
    }
    only_rooms = found(api, "jazz", type="room")
    assert [hit["type"] for hit in only_rooms["results"]] == ["room"]
    assert only_rooms["count"] == 1


def test_pages_of_results(api):
    for n in range(5):
        ProductFactory(name=f"Synth {n}")
    first = found(api, "synth", page_size=2)
    assert len(first["results"]) == 2 and first["count"] == 5 and first["previous"] is None
    assert "page=2" in first["next"]
    third = found(api, "synth", page_size=2, page=3)
    assert len(third["results"]) == 1 and third["next"] is None and "page=2" in third["previous"]
    seen = {hit["id"] for page in (1, 2, 3) for hit in found(api, "synth", page_size=2, page=page)["results"]}
    assert len(seen) == 5
    assert found(api, "synth", page=9)["results"] == []


def test_title_matches_come_first_on_every_page(api):
    for n in range(3):
        ProductFactory(name=f"Synth {n}", description="Analogique")
        ProductFactory(name=f"Clavier {n}", description="Un synth " * (n + 5))
    pages = [titles(api, "synth", page_size=2, page=page) for page in (1, 2, 3, 4)]
    assert sorted(pages[0] + pages[1][:1]) == ["Synth 0", "Synth 1", "Synth 2"]
    # Among descriptions, more occurrences rank higher.
    assert pages[1][1:] + pages[2] == ["Clavier 2", "Clavier 1", "Clavier 0"]
    assert pages[3] == []


def test_counts_stop_at_the_limit_and_say_so(api, monkeypatch, client):
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 3)
    viewer = UserFactory()
    room = RoomFactory(name="studio")
    RoomMemberFactory(room=room, user=viewer)
    for n in range(5):
        ProductFactory(name=f"Synth {n}")
        RoomMessageFactory(room=room, user=viewer, content=f"mon synth {n}")
    TrackFactory(title="Synth pop")
    api.force_authenticate(viewer)
    body = found(api, "synth", page_size=2)
    assert body["counts"] == {
        "user": 0, "room": 0, "track": 1, "product": 3, "listing": 0, "message": 3, "direct_message": 0
    }  # fmt: skip
    assert body["capped"] == ["message", "product"]
    assert body["count"] == 4
    # Links to further pages go as far as the counts.
    assert found(api, "synth", page_size=2, page=2)["next"] is None
    second = found(api, "synth", type="message", page_size=2, page=2)
    assert len(second["results"]) == 2 and second["next"] is None
    client.force_login(viewer)
    page = client.get("/search", {"q": "synth"}).content.decode()
    assert 'Products <span class="count">3+</span>' in page
    assert 'Tracks <span class="count">1</span>' in page
    assert 'All <span class="count">4+</span>' in page


def test_an_excluded_word_in_the_description_excludes_a_title_match(api):
    ProductFactory(name="Guitare", description="Avec sa basse")
    ProductFactory(name="Guitare seule", description="Rien d'autre")
    ProductFactory(name="Ukulélé", description="Comme une guitare")
    assert titles(api, "guitare -basse") == ["Guitare seule", "Ukulélé"]


def test_titles_come_first_for_phrases_and_alternatives(api):
    ProductFactory(name="Pack", description="Un album jazz complet")
    ProductFactory(name="Album jazz", description="Vinyle")
    ProductFactory(name="Jazz album", description="Pas la phrase dans le titre")
    assert titles(api, '"album jazz"') == ["Album jazz", "Pack"]
    ProductFactory(name="Basse", description="Quatre cordes")
    ProductFactory(name="Kit", description="Guitare et basse")
    assert titles(api, "ukulele or basse")[:1] == ["Basse"]
    assert set(titles(api, "ukulele or basse")) == {"Basse", "Kit"}


def test_a_query_that_only_excludes_words_has_no_title_tier(api):
    ProductFactory(name="Rock", description="Du rock")
    ProductFactory(name="Concert", description="Un concert")
    ProductFactory(name="Folk", description="Rien")
    assert set(titles(api, "-rock", type="product")) == {"Concert", "Folk"}
    # "concert or not rock": the title tier would hold every title without "rock"; there is none.
    assert titles(api, "concert or -rock", type="product")[0] == "Concert"


def test_a_count_at_the_limit_is_exact(api, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 3)
    for n in range(3):
        ProductFactory(name=f"Synth {n}")
    body = found(api, "synth")
    assert body["counts"]["product"] == 3 and body["capped"] == []


def test_pages_stop_at_the_limit_whatever_the_counts(api, monkeypatch, client):
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 3)
    for n in range(5):
        ProductFactory(name=f"Synth {n}")
        TrackFactory(title=f"Synth {n}")
    body = found(api, "synth", page_size=2)
    assert body["count"] == 6 and body["capped"] == ["product", "track"]
    second = found(api, "synth", page_size=2, page=2)
    assert len(second["results"]) == 2 and second["next"] is None
    # The "All" tab counts every type, whichever tab is open.
    page = client.get("/search", {"q": "synth", "type": "track"}).content.decode()
    assert 'All <span class="count">6+</span>' in page
    assert 'Tracks <span class="count">3+</span>' in page


def test_direct_message_counts_stop_at_the_limit(api, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_LIMIT", 3)
    viewer, peer = UserFactory(), UserFactory()
    for n in range(5):
        MessageFactory(sender=viewer, recipient=peer, content=f"synth numéro {n}")
    api.force_authenticate(viewer)
    for kind in (None, "direct_message"):
        body = found(api, "synth", **({"type": kind} if kind else {}))
        assert body["counts"]["direct_message"] == 3 and "direct_message" in body["capped"]
    assert len(found(api, "synth", type="direct_message")["results"]) == 5


def test_a_message_tab_shows_exact_matches_even_when_entities_are_near(api):
    viewer = UserFactory()
    room = RoomFactory(name="studio")
    RoomMemberFactory(room=room, user=viewer)
    RoomMessageFactory(room=room, user=viewer, content="on répète mardi")
    TrackFactory(title="Mardis")
    api.force_authenticate(viewer)
    body = found(api, "mardi", type="message")
    assert body["near"] is False and [hit["type"] for hit in body["results"]] == ["message"]


def test_snippets_highlight_matches_and_escape_user_content(api):
    ProductFactory(name="<script>alert(1)</script> Guitare", description='<img src=x onerror="alert(2)"> guitare & co')
    hit = found(api, "guitare")["results"][0]
    assert "<script" not in hit["snippet"] and "<img" not in hit["snippet"]
    assert "<mark>" in hit["snippet"]
    assert hit["title"] == "<script>alert(1)</script> Guitare"  # plain text; clients escape it


def test_highlighted_escapes_everything_but_its_own_marks():
    html = highlighted("a <b>&\x02x\x03 \x03 \x02open")
    assert html == "a &lt;b&gt;&amp;<mark>x</mark>  <mark>open</mark>"


def test_a_list_of_results_runs_a_constant_number_of_queries(api, django_assert_max_num_queries):
    for n in range(30):
        TrackFactory(title=f"Groove {n}")
        ProductFactory(name=f"Groove kit {n}")
    viewer = UserFactory()
    api.force_authenticate(viewer)
    with django_assert_max_num_queries(1):
        body = found(api, "groove", page_size=50)
    assert len(body["results"]) == 50
    for kind in ("message", "direct_message"):  # the entities' counts, then the messages' page
        with django_assert_max_num_queries(2):
            found(api, "groove", type=kind)
    with django_assert_max_num_queries(1):  # no match: near spellings, in the same statement
        assert found(api, "grove")["near"] is True


# -- permissions ------------------------------------------------------------------------------------


def test_private_rooms_never_appear_to_anyone(api):
    room = RoomFactory(name="secret-garden", description="hidden", is_private=True)
    member = RoomMemberFactory(room=room).user
    assert found(api, "secret")["counts"]["room"] == 0
    api.force_authenticate(member)
    assert found(api, "garden")["results"] == []


def test_private_tracks_inactive_products_unpublished_listings_and_inactive_users_are_not_found(api):
    TrackFactory(title="Hidden gem", file=FileFactory(is_public=False))
    ProductFactory(name="Hidden product gem", is_active=False)
    ListingFactory(title="Hidden listing gem", status=ListingStatus.DRAFT)
    ListingFactory(title="Sold listing gem", status=ListingStatus.SOLD)
    UserFactory(username="gemma", bio="gem collector", is_active=False)
    body = found(api, "gem")
    assert body["count"] == 0, body


def test_room_messages_are_found_only_by_members(api):
    room = RoomFactory(name="band-private", is_private=True)
    member = RoomMemberFactory(room=room).user
    RoomMessageFactory(room=room, user=member, content="Les répétitions commencent lundi")
    public = RoomFactory(name="open-stage")
    RoomMessageFactory(room=public, content="Répétition générale ce soir")
    stranger = UserFactory()

    api.force_authenticate(member)
    body = found(api, "répétition", type="message")
    assert body["counts"]["message"] == 1
    [hit] = body["results"]
    assert hit["title"].startswith("band-private")
    assert "<mark>" in hit["snippet"] and hit["url"].startswith(f"/rooms/{room.pk}/#message-")

    api.force_authenticate(stranger)
    body = found(api, "répétition", type="message")
    assert body["counts"]["message"] == 0 and body["results"] == []  # not a member of either room
    assert "band-private" not in str(found(api, "band"))


@pytest.mark.parametrize(
    "q",
    ["-rien", "lundi or -rien", '"répétitions commencent"', "répétitions -mardi", "lundi répétition"],
)
def test_no_kind_of_query_reaches_messages_of_other_rooms(api, q):
    """The room-scoped index (rooms/migrations/0004_room_words.py) and the room check after it."""
    mine, other = RoomFactory(name="mine"), RoomFactory(name="other")
    member = RoomMemberFactory(room=mine).user
    RoomMemberFactory(room=other)
    RoomMessageFactory(room=mine, user=member, content="Les répétitions commencent lundi")
    RoomMessageFactory(room=other, content="Les répétitions commencent lundi")
    api.force_authenticate(member)
    body = found(api, q, type="message")
    assert body["counts"]["message"] == 1
    assert [hit["title"].split(" · ")[0] for hit in body["results"]] == ["mine"]


def test_a_message_with_a_word_too_long_to_scope_is_kept_and_found_by_its_other_words(api):
    room = RoomFactory(name="studio")
    member = RoomMemberFactory(room=room).user
    for content in ("guitare " + "a" * 2044, "guitare " + "é" * 1022, "guitare " + "b" * 2047):
        api.force_authenticate(member)
        response = api.post(f"/api/v1/rooms/{room.pk}/messages/", {"content": content}, format="json")
        assert response.status_code == 201, response.content
    assert found(api, "guitare", type="message")["counts"]["message"] == 3


def test_a_viewer_without_rooms_finds_no_room_messages(api):
    RoomMessageFactory(content="guitare")
    api.force_authenticate(UserFactory())
    body = found(api, "guitare", type="message")
    assert body["counts"]["message"] == 0 and body["results"] == []


def test_deep_pages_answer(api):
    ProductFactory(name="Synth")
    body = found(api, "synth", page=1000, page_size=50)
    assert body["results"] == [] and body["next"] is None


def test_generic_plans_find_what_custom_plans_find(api):
    """Search statements are prepared; PostgreSQL may keep a generic plan after five runs."""
    viewer = UserFactory()
    room = RoomFactory(name="studio")
    RoomMemberFactory(room=room, user=viewer)
    RoomMessageFactory(room=room, user=viewer, content="Répétition guitare mardi")
    ProductFactory(name="Guitare folk", description="Six cordes")
    ProductFactory(name="Basse", description="Pour accompagner une guitare")
    MessageFactory(sender=viewer, recipient=UserFactory(), content="ta guitare est prête")
    api.force_authenticate(viewer)
    queries = [("guitare", None), ("guitare", "message"), ("guitare", "direct_message"), ("guitarre", None)]
    expected = [found(api, q, **({"type": kind} if kind else {})) for q, kind in queries]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
    for _ in range(2):
        assert [found(api, q, **({"type": kind} if kind else {})) for q, kind in queries] == expected
    assert expected[0]["counts"]["product"] == 2 and expected[3]["near"] is True


def test_room_scoped_words_keep_positions_and_odd_lexemes():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT veza_room_words(7, %s::tsvector)::text, "
            "veza_rooms_query(ARRAY[7, 8], websearch_to_tsquery('french', %s))::text, "
            "veza_room_words(7, to_tsvector('french', %s))"
            " @@ veza_rooms_query(ARRAY[7], websearch_to_tsquery('french', %s)),"
            "veza_room_words(7, to_tsvector('french', %s))"
            " @@ veza_rooms_query(ARRAY[8], websearch_to_tsquery('french', %s))",
            [r"'it''s':1 'a\\b':2A 'x':3", '"album jazz" -basse', "album jazz", '"album jazz"', "album", "-basse"],
        )
        words, query, same_room, other_room = cursor.fetchone()
    assert words == r"'7:' '7:a\\b':2A '7:it''s':1 '7:x':3"
    assert query == "'7:album' <-> '7:jazz' & !'7:bass' | '8:album' <-> '8:jazz' & !'8:bass'"
    assert same_room is True and other_room is False


def test_direct_messages_are_found_only_by_their_two_participants(api):
    alice, bob, eve = UserFactory(username="alice"), UserFactory(username="bob"), UserFactory(username="eve")
    MessageFactory(sender=alice, recipient=bob, content="Le concert est à vingt heures")
    for reader, peer in ((alice, "bob"), (bob, "alice")):
        api.force_authenticate(reader)
        [hit] = found(api, "concerts", type="direct_message")["results"]
        assert hit["url"] == f"/messages/{peer}/#dm-{hit['id']}"
    api.force_authenticate(eve)
    body = found(api, "concert", type="direct_message")
    assert body["counts"]["direct_message"] == 0 and body["results"] == []


def test_anonymous_visitors_have_no_message_results(api):
    MessageFactory(content="concert ce soir")
    body = found(api, "concert")
    assert "message" not in body["counts"] and "direct_message" not in body["counts"]
    assert found(api, "concert", type="direct_message")["results"] == []


def test_message_search_uses_the_full_text_indexes():
    viewer, peer = UserFactory(), UserFactory()
    room = RoomMemberFactory(user=viewer).room
    with transaction.atomic(), connection.cursor() as cursor:
        # Enough rows for the planner to prefer the indexes, as it does on real data.
        cursor.execute(
            "INSERT INTO room_messages (room_id, user_id, content, message_type) "
            "SELECT %s, %s, 'message numéro ' || n, 'message' FROM generate_series(1, 3000) n",
            [room.pk, viewer.pk],
        )
        cursor.execute(
            "INSERT INTO messages (from_user, to_user, content) "
            "SELECT %s, %s, 'message numéro ' || n FROM generate_series(1, 3000) n",
            [viewer.pk, peer.pk],
        )
        cursor.execute("ANALYZE room_messages; ANALYZE messages")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plans = {}
        explain = f"EXPLAIN WITH {sql.QUERY_CTE} SELECT count(*)"
        for name, source in (("room", sql.ROOM_MESSAGES_FROM), ("direct", sql.DIRECT_MESSAGES_FROM)):
            cursor.execute(f"{explain} {source}", {"q": "concert", "viewer": viewer.pk})
            plans[name] = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"{explain} FROM search_index s WHERE {sql.FULL_TEXT_MATCH}", {"q": "x"})
        plans["index"] = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"{explain} FROM search_index s WHERE {sql.TITLE_MATCH}", {"q": "x"})
        plans["title"] = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute(f"{explain} FROM search_index s WHERE {sql.NEAR_MATCH}", {"q": "x"})
        plans["near"] = "\n".join(row[0] for row in cursor.fetchall())
    assert "idx_room_messages_room_words" in plans["room"], plans["room"]
    # Each partition holds its own copy of idx_messages_content_fts.
    assert "Index Cond: (to_tsvector('french'::regconfig, content) @@" in plans["direct"], plans["direct"]
    assert "idx_search_index_search_vector" in plans["index"], plans["index"]
    assert "idx_search_index_title_words" in plans["title"], plans["title"]
    assert "idx_search_index_title_trgm" in plans["near"], plans["near"]


# -- index upkeep -----------------------------------------------------------------------------------


def test_index_follows_edits_visibility_and_deletes():
    owner = UserFactory()
    track = TrackFactory(title="Old title", creator=owner, file=FileFactory(user=owner))
    assert SearchIndex.objects.get(entity_type="track", entity_id=track.pk).title == "Old title"
    services.track_update(actor=owner, track=track, title="New title")
    row = SearchIndex.objects.get(entity_type="track", entity_id=track.pk)
    assert row.title == "New title"
    assert not SearchIndex.objects.filter(search_vector="old").exists()
    services.track_update(actor=owner, track=track, is_public=False)
    assert not indexed("track", track.pk)
    services.track_update(actor=owner, track=track, is_public=True)
    assert indexed("track", track.pk)
    track.delete()
    assert not indexed("track", track.pk)


def test_index_follows_rooms_products_listings_and_users():
    room = RoomFactory(name="open-room")
    room.is_private = True
    room.save()
    assert not indexed("room", room.pk)
    product = ProductFactory()
    product.is_active = False
    product.save()
    assert not indexed("product", product.pk)
    listing = ListingFactory(status=ListingStatus.DRAFT)
    assert not indexed("listing", listing.pk)
    listing.status = ListingStatus.ACTIVE
    listing.save()
    assert indexed("listing", listing.pk)
    user = UserFactory(username="leaving")
    track = TrackFactory(creator=user, file=FileFactory(user=user))
    user.delete()  # cascades to the track
    assert not indexed("user", user.pk) and not indexed("track", track.pk)


def test_rolled_back_changes_leave_the_index_as_it_was():
    product = ProductFactory(name="Stable name")
    with pytest.raises(RuntimeError), transaction.atomic():
        product.name = "Changed name"
        product.save()
        assert SearchIndex.objects.get(entity_type="product", entity_id=product.pk).title == "Changed name"
        raise RuntimeError
    assert SearchIndex.objects.get(entity_type="product", entity_id=product.pk).title == "Stable name"


def test_rebuild_restores_a_damaged_index_and_can_resume():
    tracks = TrackFactory.create_batch(5)
    products = ProductFactory.create_batch(3)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM search_index WHERE entity_type = 'track'")
        cursor.execute("UPDATE search_index SET title = 'stale' WHERE entity_type = 'product'")
        cursor.execute(
            "INSERT INTO search_index (entity_type, entity_id, title, content, search_vector) "
            "VALUES ('track', 999999, 'ghost', '', to_tsvector('ghost'))"
        )
    out, err = io.StringIO(), io.StringIO()
    call_command("rebuild_search_index", batch_size=2, stdout=out, stderr=err)
    assert "Search index rebuilt" in out.getvalue()
    assert "track" in err.getvalue()  # the progress bar
    assert {row.entity_id for row in SearchIndex.objects.filter(entity_type="track")} == {t.pk for t in tracks}
    assert set(SearchIndex.objects.filter(entity_type="product").values_list("title", flat=True)) == {
        p.name for p in products
    }

    # An interrupted run: tracks are half done; --resume continues from there.
    from django.core.cache import cache

    from search.management.commands.rebuild_search_index import CHECKPOINT

    SearchIndex.objects.filter(entity_type__in=["track", "product"]).delete()
    ordered = sorted(t.pk for t in tracks)
    cache.set(CHECKPOINT, {"kinds": ["track", "product"], "kind": "track", "after": ordered[2]}, timeout=None)
    call_command("rebuild_search_index", resume=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert set(SearchIndex.objects.filter(entity_type="track").values_list("entity_id", flat=True)) == set(ordered[3:])
    assert SearchIndex.objects.filter(entity_type="product").count() == 3
    assert cache.get(CHECKPOINT) is None


# -- hostile input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "q",
    [
        "'",
        '"',
        '"unbalanced',
        "&|!:*",
        "a & b | !c:* <-> d",
        "(((",
        "-",
        "--",
        "OR",
        "\\",
        "%_",
        "emoji 🎸",
        "x" * 200,
        "mot " * 50,
        "-" * 40 + "guitare",
        "guitare " + "-" * 60 + " -" * 40,
    ],
)
def test_hostile_queries_are_answered_without_error(api, q):
    TrackFactory(title="Guitare")
    api.force_authenticate(UserFactory())
    for params in ({"q": q}, {"q": q, "type": "message"}, {"q": q, "type": "direct_message"}):
        assert api.get(URL, params).status_code == 200
    assert api.get(f"{URL}/autocomplete", {"q": q}).status_code == 200
    assert api.get("/search", {"q": q}).status_code == 200


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"q": "x" * 201}, "q"),
        ({"q": "\x00null"}, "q"),
        ({"q": "x", "type": "secret"}, "type"),
        ({"q": "x", "page": "0"}, "page"),
        ({"q": "x", "page": "abc"}, "page"),
        ({"q": "x", "page_size": "500"}, "page_size"),
    ],
)
def test_bad_parameters_are_400_with_the_field_named(api, params, field):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_search_is_in_the_openapi_schema_and_the_slash_is_optional(api):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/json").json()
    assert "/api/v1/search/" in schema["paths"] and "/api/v1/search/autocomplete/" in schema["paths"]
    for url in (URL, f"{URL}/", f"{URL}/autocomplete", f"{URL}/autocomplete/"):
        assert api.get(url, {"q": "x"}).status_code == 200


def test_resume_right_after_a_type_was_finished():
    from django.core.cache import cache

    from search.management.commands.rebuild_search_index import CHECKPOINT

    tracks = TrackFactory.create_batch(2)
    products = ProductFactory.create_batch(2)
    call_command("rebuild_search_index", batch_size=1, stdout=io.StringIO(), stderr=io.StringIO())
    SearchIndex.objects.filter(entity_type="product").delete()
    # Interrupted once the tracks were all done, before the first batch of products.
    last_track = max(t.pk for t in tracks)
    cache.set(CHECKPOINT, {"kinds": ["track", "product"], "kind": "track", "after": last_track}, timeout=None)
    call_command("rebuild_search_index", resume=True, stdout=io.StringIO(), stderr=io.StringIO())
    assert set(SearchIndex.objects.filter(entity_type="product").values_list("entity_id", flat=True)) == {
        p.pk for p in products
    }
    with pytest.raises(CommandError, match="leave out --type"):
        call_command("rebuild_search_index", resume=True, types=["track"], stdout=io.StringIO())


def test_direct_message_search_counts_only_messages_it_shows(api):
    from chat.models import Message

    alice, bob = UserFactory(), UserFactory()
    MessageFactory(sender=alice, recipient=bob, content="concert ce soir")
    Message.objects.create(sender=alice, recipient=None, room="lobby", content="concert aussi")
    api.force_authenticate(alice)
    body = found(api, "concert", type="direct_message")
    assert body["counts"]["direct_message"] == 1 and len(body["results"]) == 1
