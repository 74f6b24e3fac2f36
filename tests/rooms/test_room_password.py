"""Private room passwords cannot be guessed at leisure: wrong passwords are counted per (user, room), and
past the limit the API and the page answer 429 with Retry-After, even for the right password."""

import pytest

from rooms import services
from rooms.models import RoomMember
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def join(api, room_id, password):
    return api.post(f"/api/v1/rooms/{room_id}/join", {"password": password}, format="json")


def test_wrong_room_passwords_are_limited_per_user_and_room_with_429(api, outsider, private_room, settings):
    settings.ROOM_PASSWORD_FAILURES = 3
    api.force_authenticate(outsider)
    for _ in range(3):
        assert join(api, private_room.pk, "guess").status_code == 404
    response = join(api, private_room.pk, "open sesame")  # even the right password waits
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.ROOM_PASSWORD_WINDOW
    error = response.json()["error"]
    assert error["code"] == "throttled" and error["retry_after"] == int(response["Retry-After"])
    assert not RoomMember.objects.filter(room=private_room, user=outsider).exists()


def test_the_room_limit_is_per_user(api, outsider, private_room, settings):
    settings.ROOM_PASSWORD_FAILURES = 2
    api.force_authenticate(outsider)
    for _ in range(2):
        join(api, private_room.pk, "guess")
    api.force_authenticate(UserFactory())
    assert join(api, private_room.pk, "open sesame").status_code == 200


def test_the_room_limit_is_per_room(api, owner, outsider, private_room, settings):
    settings.ROOM_PASSWORD_FAILURES = 2
    other = services.room_create(creator=owner, name="vault", is_private=True, password="other secret")
    api.force_authenticate(outsider)
    for _ in range(2):
        join(api, private_room.pk, "guess")
    assert join(api, other.pk, "other secret").status_code == 200


def test_an_unknown_room_is_throttled_like_a_private_one(api, outsider, private_room, settings):
    """The 429 comes after as many tries for a room that does not exist: it tells nothing either."""
    settings.ROOM_PASSWORD_FAILURES = 2
    api.force_authenticate(outsider)
    private = [join(api, private_room.pk, "guess").status_code for _ in range(3)]
    missing = [join(api, 999_999, "guess").status_code for _ in range(3)]
    assert private == missing == [404, 404, 429]


def test_the_join_page_answers_429_with_retry_after(client, outsider, private_room, settings):
    settings.ROOM_PASSWORD_FAILURES = 2
    client.force_login(outsider)
    for _ in range(2):
        assert client.post("/rooms/join/", {"room": private_room.pk, "password": "guess"}).status_code == 404
    response = client.post("/rooms/join/", {"room": private_room.pk, "password": "open sesame"})
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many wrong passwords" in response.content.decode()
    assert not RoomMember.objects.filter(room=private_room, user=outsider).exists()


def test_the_service_itself_counts_wrong_passwords(outsider, private_room, settings):
    settings.ROOM_PASSWORD_FAILURES = 1
    from core.errors import NotFound

    with pytest.raises(NotFound):
        services.room_join(user=outsider, room=private_room, password="guess")
    with pytest.raises(services.RoomPasswordThrottled):
        services.room_join(user=outsider, room=private_room, password="open sesame")
