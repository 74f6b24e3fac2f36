"""Rooms closed by moderators: nothing is read, sent or joined, by API, page, service or socket."""

import pytest
from asgiref.sync import sync_to_async
from django.core.exceptions import PermissionDenied

from core.errors import NotFound
from rooms import selectors, services
from rooms.models import Room, RoomMember, RoomMessage
from search.models import SearchIndex
from tests.accounts.factories import AdminFactory, UserFactory
from tests.sockets import connect, next_of

REASON = "Harassment campaign"


@pytest.fixture
def people(db):
    owner, member = UserFactory(username="owner"), UserFactory(username="member")
    room = services.room_create(creator=owner, name="zanzibar-club", description="Zanzibar fans")
    services.room_join(user=member, room=room)
    services.room_message_send(user=member, room=room, content="Zanzibar forever")
    return {"owner": owner, "member": member, "room": room, "moderator": AdminFactory(username="mod")}


def close(people) -> Room:
    return services.room_close(actor=people["moderator"], room=people["room"], reason=REASON)


@pytest.mark.django_db
def test_closed_room_leaves_lists_details_and_search(api, client, people):
    room = people["room"]
    assert SearchIndex.objects.filter(entity_type="room", entity_id=room.pk).exists()
    close(people)
    assert not SearchIndex.objects.filter(entity_type="room", entity_id=room.pk).exists()
    for viewer in (UserFactory(), people["member"]):
        api.force_authenticate(viewer)
        assert api.get(f"/api/v1/rooms/{room.pk}/").status_code == 404
        assert room.pk not in [row["id"] for row in api.get("/api/v1/rooms/").json()["results"]]
        assert api.get("/api/v1/search", {"q": "zanzibar", "type": "room"}).json()["results"] == []
        assert api.get("/api/v1/search", {"q": "zanzibar", "type": "message"}).json()["results"] == []
        client.force_login(viewer)
        assert client.get(f"/rooms/{room.pk}/").status_code == 404
        assert "zanzibar-club" not in client.get("/rooms/").content.decode()


@pytest.mark.django_db
def test_owner_sees_the_room_closed_with_the_reason_and_nothing_more(api, client, people):
    room = close(people)
    api.force_authenticate(people["owner"])
    assert api.get(f"/api/v1/rooms/{room.pk}/").json()["moderation"]["reason"] == REASON
    assert api.get(f"/api/v1/rooms/{room.pk}/messages/").status_code == 403
    client.force_login(people["owner"])
    page = client.get(f"/rooms/{room.pk}/").content.decode()
    assert "Closed by moderation" in page and REASON in page
    assert "Zanzibar forever" not in page and 'id="composer"' not in page
    assert "closed by moderation" in client.get("/rooms/").content.decode()


@pytest.mark.django_db
def test_closed_room_refuses_messages_joins_and_changes(api, client, people):
    room, owner, member = close(people), people["owner"], people["member"]
    newcomer = UserFactory()
    api.force_authenticate(member)
    assert api.post(f"/api/v1/rooms/{room.pk}/messages/", {"content": "hi"}).status_code == 404
    api.force_authenticate(newcomer)
    assert api.post(f"/api/v1/rooms/{room.pk}/join", {"password": ""}).status_code == 404
    api.force_authenticate(owner)
    assert api.post(f"/api/v1/rooms/{room.pk}/messages/", {"content": "hi"}).status_code == 403
    assert api.patch(f"/api/v1/rooms/{room.pk}/", {"description": "Reopen?"}, format="json").status_code == 403
    assert api.post(f"/api/v1/rooms/{room.pk}/members/", {"user": newcomer.pk}).status_code == 403
    client.force_login(owner)
    assert client.post(f"/rooms/{room.pk}/edit/", {"op": "save", "name": "zanzibar-club"}).status_code == 403
    stale = Room.objects.get(pk=room.pk)
    stale.moderated_at = None  # a room read before the closing: the services read the state again
    for call in (
        lambda: services.room_message_send(user=member, room=stale, content="sneaky"),
        lambda: services.room_message_send(user=owner, room=room, content="sneaky"),
        lambda: services.room_update(actor=owner, room=room, is_private=False),
        lambda: services.member_add(actor=owner, room=room, user=newcomer),
        lambda: services.room_reopen(actor=owner, room=room),
        lambda: selectors.room_of_member(member, room.pk),
    ):
        with pytest.raises(PermissionDenied):
            call()
    for user in (newcomer, member):
        with pytest.raises(NotFound):
            services.room_join(user=user, room=stale)
    assert not RoomMessage.objects.filter(content__in=["hi", "sneaky"]).exists()
    assert not RoomMember.objects.filter(user=newcomer).exists()


@pytest.mark.django_db
def test_staff_reopen_the_room_as_it_was(api, people):
    room = close(people)
    with pytest.raises(PermissionDenied):
        services.room_close(actor=people["owner"], room=room, reason="Mine")
    services.room_reopen(actor=people["moderator"], room=room)
    assert SearchIndex.objects.filter(entity_type="room", entity_id=room.pk).exists()
    api.force_authenticate(people["member"])
    assert api.get(f"/api/v1/rooms/{room.pk}/").json()["moderation"] is None
    assert api.post(f"/api/v1/rooms/{room.pk}/messages/", {"content": "back"}).status_code == 201


@pytest.mark.django_db
def test_the_owner_may_still_delete_a_closed_room(api, people):
    room = close(people)
    api.force_authenticate(people["owner"])
    assert api.delete(f"/api/v1/rooms/{room.pk}/").status_code == 204


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_closing_drops_subscribers_and_refuses_new_subscriptions_and_frames(people):
    room = people["room"]
    member = await connect(people["member"])
    await member.send_json_to({"type": "subscribe", "room": room.pk})
    await next_of(member, "subscribed")
    await sync_to_async(close)(people)
    assert (await next_of(member, "room.closed"))["reason"] == REASON
    assert (await next_of(member, "room.removed"))["room"] == room.pk
    await member.send_json_to({"type": "subscribe", "room": room.pk})
    assert (await next_of(member, "error"))["code"] == "forbidden"
    await member.send_json_to({"type": "room.message", "room": room.pk, "content": "still here?"})
    assert (await next_of(member, "error"))["code"] == "forbidden"
    assert not await sync_to_async(RoomMessage.objects.filter(content="still here?").exists)()
    await member.disconnect()
