"""What anonymous visitors read of public pages, the tracks API and search is kept in Redis (core.pagecache):
served without a query, never to logged-in people, dropped at once when the services change its content,
and read live when Redis is away."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory

from accounts import services as account_services
from catalog import services as catalog_services
from catalog.models import Track
from core import pagecache
from marketplace import services as market_services
from rooms import services as room_services
from tests.accounts.factories import AdminFactory, SuperAdminFactory, UserFactory
from tests.catalog.factories import TrackFactory
from tests.marketplace.factories import ProductFactory
from tests.media.factories import FileFactory
from tests.rooms.factories import RoomFactory

pytestmark = pytest.mark.django_db

PAGES = ("/", "/tracks/", "/shop/", "/shop/listings/")


@pytest.fixture
def owner():
    return UserFactory(username="owner")


@pytest.fixture
def moderator():
    return AdminFactory(username="moderator")


def public_keys() -> list[str]:
    return [key for key in cache.keys("public:*") if not key.startswith("public:generation:")]  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", PAGES)
def test_second_anonymous_visit_is_served_without_a_query(client, owner, path, django_assert_num_queries):
    TrackFactory(title="Zanzibar", file=FileFactory(user=owner))
    ProductFactory(name="Zanzibar drum", creator=owner)
    first = client.get(path)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        second = client.get(path)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "Content-Security-Policy" in second  # the middleware still runs on a kept page


def test_anonymous_tracks_api_and_search_are_served_without_a_query(client, owner, django_assert_num_queries):
    TrackFactory(title="Zanzibar", file=FileFactory(user=owner))
    for path in ("/api/v1/tracks/?page_size=50", "/api/v1/search?q=zanzibar", "/search?q=zanzibar"):
        first = client.get(path)
        assert first.status_code == 200
        with django_assert_num_queries(0):
            assert client.get(path).content == first.content


def test_kept_copies_expire_after_public_cache_seconds(client, settings):
    settings.PUBLIC_CACHE_SECONDS = 7
    client.get("/tracks/")
    [key] = public_keys()
    assert 0 < cache.ttl(key) <= 7  # type: ignore[attr-defined]  # django-redis


def test_no_public_cache_seconds_keeps_nothing(client, settings):
    settings.PUBLIC_CACHE_SECONDS = 0
    client.get("/tracks/")
    client.get("/api/v1/search?q=zanzibar")
    assert public_keys() == []


def test_logged_in_people_read_live_and_nothing_of_theirs_is_kept(client, owner):
    TrackFactory(title="Public song", file=FileFactory(user=owner))
    TrackFactory(title="Private demo", file=FileFactory(user=owner, is_public=False))
    assert "Private demo" not in client.get("/tracks/").content.decode()
    kept = public_keys()
    client.force_login(owner)
    for path in PAGES:
        client.get(path)
    assert "Private demo" in client.get("/tracks/").content.decode()
    assert [row["title"] for row in client.get("/api/v1/tracks/").json()["results"]].count("Private demo") == 1
    assert public_keys() == kept  # nothing more was stored
    client.logout()
    assert "Private demo" not in client.get("/tracks/").content.decode()


def test_a_visitor_with_a_flash_message_is_not_served_a_kept_page():
    from django.contrib.auth.models import AnonymousUser
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage

    request = RequestFactory().get("/tracks/")
    request.user = AnonymousUser()
    request.session = {}  # type: ignore[assignment]
    request._messages = CookieStorage(request)  # type: ignore[attr-defined]
    assert pagecache.shared(request)
    request._messages.add(constants.INFO, "You are logged out.")  # type: ignore[attr-defined]
    assert not pagecache.shared(request)
    assert not pagecache.shared(RequestFactory().post("/tracks/"))


def test_hiding_a_track_drops_it_from_every_kept_read_at_once(client, owner, moderator):
    track = TrackFactory(title="Zanzibar", file=FileFactory(user=owner))
    reads = ("/", "/tracks/", "/api/v1/tracks/", "/api/v1/search?q=zanzibar", "/search?q=zanzibar")
    for path in reads:
        assert "Zanzibar" in client.get(path).content.decode(), path
    catalog_services.track_hide(actor=moderator, track=track, reason="Stolen")
    for path in reads:
        assert "Zanzibar" not in client.get(path).content.decode(), path
    catalog_services.track_restore(actor=moderator, track=track)
    assert "Zanzibar" in client.get("/tracks/").content.decode()


def test_owner_changes_show_at_once(client, owner):
    track = TrackFactory(title="Zanzibar", file=FileFactory(user=owner))
    assert "Zanzibar" in client.get("/tracks/").content.decode()
    catalog_services.track_update(actor=owner, track=track, is_public=False)
    assert "Zanzibar" not in client.get("/tracks/").content.decode()
    catalog_services.track_update(actor=owner, track=track, is_public=True, title="Kilimanjaro")
    body = client.get("/tracks/").content.decode()
    assert "Kilimanjaro" in body and "Zanzibar" not in body
    catalog_services.track_delete(actor=owner, track=Track.objects.get(pk=track.pk))
    assert "Kilimanjaro" not in client.get("/tracks/").content.decode()


def test_marketplace_rooms_and_people_changes_show_at_once(client, owner, moderator):
    product = ProductFactory(name="Zanzibar drum", creator=owner)
    room = RoomFactory(name="zanzibar-lounge", creator=owner, is_private=False)
    body = client.get("/").content.decode()
    assert "Zanzibar drum" in body and "zanzibar-lounge" in body and "by owner" in body
    assert "Zanzibar drum" in client.get("/shop/").content.decode()
    market_services.product_hide(actor=moderator, product=product, reason="Counterfeit")
    room_services.room_close(actor=moderator, room=room, reason="Spam")
    body = client.get("/").content.decode()
    assert "Zanzibar drum" not in body and "zanzibar-lounge" not in body
    assert "Zanzibar drum" not in client.get("/shop/").content.decode()
    market_services.product_restore(actor=moderator, product=product)
    owner.username = "renamed"
    account_services.user_moderate(actor=SuperAdminFactory(), user=owner, changed=["username"])
    assert "by renamed" in client.get("/").content.decode()
    assert "renamed" in client.get("/shop/").content.decode()


def test_writes_outside_the_services_wait_for_the_kept_copy_to_expire(client, owner):
    track = TrackFactory(title="Zanzibar", file=FileFactory(user=owner))
    assert "Zanzibar" in client.get("/tracks/").content.decode()
    Track.objects.filter(pk=track.pk).update(title="Kilimanjaro")  # no service: no generation bump
    assert "Zanzibar" in client.get("/tracks/").content.decode()
    cache.delete_many(public_keys())  # what expiry does after PUBLIC_CACHE_SECONDS
    assert "Kilimanjaro" in client.get("/tracks/").content.decode()


def test_a_change_marked_inside_a_transaction_is_marked_again_at_commit(django_capture_on_commit_callbacks):
    def generation() -> int:
        return cache.get(f"public:generation:{pagecache.TRACKS}") or 0

    before = generation()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        pagecache.changed(pagecache.TRACKS)
        assert generation() == before + 1
    assert len(callbacks) == 1
    assert generation() == before + 2
    with pytest.raises(ValueError, match="unknown"):
        pagecache.changed("everything")


def test_pages_are_read_live_while_redis_is_away(client, owner, settings, tmp_path):
    TrackFactory(title="Zanzibar", file=FileFactory(user=owner))
    away = {"SOCKET_CONNECT_TIMEOUT": 1, "SOCKET_TIMEOUT": 1}
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": f"unix://{tmp_path}/nothing-listens-here.sock",
            "OPTIONS": away,
        },
    }
    for path in ("/tracks/", "/api/v1/tracks/", "/api/v1/search?q=zanzibar"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Zanzibar" in response.content.decode()
    market_services.product_create(creator=owner, name="Drum", description="A drum", price=10, category="Drums")
