"""The /ws/ socket, unit by unit, with Channels' WebsocketCommunicator on the Redis channel layer."""

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.cache import SessionStore
from rest_framework_simplejwt.tokens import AccessToken

from chat.models import Message
from rooms import services as room_services
from rooms.models import RoomMessage
from tests.accounts.factories import UserFactory
from tests.sockets import ORIGIN, asgi_app, connect, next_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def people(db):
    owner, member, outsider = UserFactory(username="owner"), UserFactory(username="member"), UserFactory(username="out")
    room = room_services.room_create(creator=owner, name="live-room")
    room_services.room_join(user=member, room=room)
    private = room_services.room_create(creator=owner, name="secret-room", is_private=True, password="pw")
    return {"owner": owner, "member": member, "outsider": outsider, "room": room, "private": private}


async def test_anonymous_socket_is_closed_with_4401():
    communicator = WebsocketCommunicator(asgi_app(), "/ws/", headers=ORIGIN)
    connected, _ = await communicator.connect()
    assert connected
    assert (await communicator.receive_output(timeout=3))["code"] == 4401


async def test_invalid_token_is_closed_with_4401():
    communicator = WebsocketCommunicator(asgi_app(), "/ws/?token=not.a.jwt", headers=ORIGIN)
    await communicator.connect()
    assert (await communicator.receive_output(timeout=3))["code"] == 4401


async def test_foreign_origin_is_refused(people):
    token = str(await sync_to_async(AccessToken.for_user)(people["member"]))
    communicator = WebsocketCommunicator(
        asgi_app(), f"/ws/?token={token}", headers=[(b"origin", b"http://evil.example")]
    )
    connected, _ = await communicator.connect()
    assert not connected


async def test_session_cookie_authenticates(people):
    store = SessionStore()
    store[SESSION_KEY] = str(people["member"].pk)
    store[BACKEND_SESSION_KEY] = "accounts.backends.UsernameOrEmailBackend"
    store[HASH_SESSION_KEY] = await sync_to_async(people["member"].get_session_auth_hash)()
    await sync_to_async(store.save)()
    cookie = (b"cookie", f"sessionid={store.session_key}".encode())
    communicator = await connect(headers=[*ORIGIN, cookie])
    await communicator.send_json_to({"type": "ping", "ref": "r1"})
    assert await communicator.receive_json_from(timeout=3) == {"type": "pong", "ref": "r1"}
    await communicator.disconnect()


async def test_subscribe_rules(people):
    outsider = await connect(people["outsider"])
    await outsider.send_json_to({"type": "subscribe", "room": people["private"].pk, "ref": 1})
    error = await outsider.receive_json_from(timeout=3)
    assert (error["type"], error["code"], error["ref"]) == ("error", "not_found", 1)
    await outsider.send_json_to({"type": "subscribe", "room": people["room"].pk})
    assert (await outsider.receive_json_from(timeout=3))["code"] == "forbidden"
    member = await connect(people["member"])
    await member.send_json_to({"type": "subscribe", "room": people["room"].pk})
    subscribed = await member.receive_json_from(timeout=3)
    assert subscribed["type"] == "subscribed"
    assert [u["username"] for u in subscribed["online"]] == ["member"]
    await outsider.disconnect()
    await member.disconnect()


async def test_room_message_reaches_every_subscriber_once_with_client_id(people):
    room = people["room"]
    owner, member = await connect(people["owner"]), await connect(people["member"])
    for socket in (owner, member):
        await socket.send_json_to({"type": "subscribe", "room": room.pk})
        await next_of(socket, "subscribed")
    frame = {"type": "room.message", "room": room.pk, "content": "<b>hi</b>", "client_id": "c-1"}
    await member.send_json_to(frame)
    await member.send_json_to(frame)  # a retry
    for socket in (owner, member):
        event = await next_of(socket, "room.message")
        assert event["client_id"] == "c-1"
        assert event["message"]["content"] == "<b>hi</b>"
        assert event["message"]["user"]["username"] == "member"
        assert {"id", "room", "user", "content", "message_type", "created_at", "edited_at"} <= set(event["message"])
    await owner.receive_nothing(timeout=0.5)
    assert await sync_to_async(RoomMessage.objects.filter(content="<b>hi</b>").count)() == 1
    await owner.disconnect()
    await member.disconnect()


async def test_rest_messages_are_broadcast_like_socket_ones(people):
    room = people["room"]
    owner = await connect(people["owner"])
    await owner.send_json_to({"type": "subscribe", "room": room.pk})
    await next_of(owner, "subscribed")
    await sync_to_async(room_services.room_message_send)(user=people["member"], room=room, content="via REST")
    assert (await next_of(owner, "room.message"))["message"]["content"] == "via REST"
    await owner.disconnect()


async def test_edit_and_delete_frames(people):
    room = people["room"]
    message = await sync_to_async(room_services.room_message_send)(user=people["member"], room=room, content="v1")
    member, owner = await connect(people["member"]), await connect(people["owner"])
    for socket in (member, owner):
        await socket.send_json_to({"type": "subscribe", "room": room.pk})
        await next_of(socket, "subscribed")
    await owner.send_json_to({"type": "room.edit", "message_id": message.pk, "content": "not mine"})
    assert (await next_of(owner, "error"))["code"] == "forbidden"
    await member.send_json_to({"type": "room.edit", "message_id": message.pk, "content": "v2"})
    edited = await next_of(owner, "room.message_edited")
    assert edited["message"]["content"] == "v2" and edited["message"]["edited_at"]
    await owner.send_json_to({"type": "room.delete", "message_id": message.pk})  # the owner moderates
    deleted = await next_of(member, "room.message_deleted")
    assert deleted["message_id"] == message.pk
    await member.disconnect()
    await owner.disconnect()


async def test_direct_messages_read_receipts_and_typing(people):
    alice, bob = await connect(people["member"]), await connect(people["outsider"])
    await alice.send_json_to(
        {"type": "dm.send", "to_user": people["outsider"].pk, "content": "psst", "client_id": "d1"}
    )
    received = await next_of(bob, "dm.message")
    assert received["message"]["content"] == "psst" and received["client_id"] == "d1"
    assert (await next_of(alice, "dm.message"))["message"]["id"] == received["message"]["id"]
    await bob.send_json_to({"type": "typing", "to_user": people["member"].pk})
    assert (await next_of(alice, "typing"))["user"]["username"] == "out"
    await bob.send_json_to({"type": "dm.read", "user": people["member"].pk})
    assert (await next_of(alice, "dm.read"))["count"] == 1
    assert await sync_to_async(Message.objects.filter(is_read=True).count)() == 1
    await alice.disconnect()
    await bob.disconnect()


async def test_room_typing_goes_to_others_only(people):
    room = people["room"]
    owner, member = await connect(people["owner"]), await connect(people["member"])
    for socket in (owner, member):
        await socket.send_json_to({"type": "subscribe", "room": room.pk})
        await next_of(socket, "subscribed")
    await member.send_json_to({"type": "typing", "room": room.pk})
    assert (await next_of(owner, "typing"))["user"]["username"] == "member"
    await member.send_json_to({"type": "ping"})
    assert (await next_of(member, "pong"))["type"] == "pong"  # no typing frame of its own before it
    await owner.disconnect()
    await member.disconnect()


async def test_removed_member_stops_receiving_at_once(people):
    room = people["room"]
    member = await connect(people["member"])
    await member.send_json_to({"type": "subscribe", "room": room.pk})
    await next_of(member, "subscribed")
    await sync_to_async(room_services.member_remove)(actor=people["owner"], room=room, user=people["member"])
    assert (await next_of(member, "room.removed"))["room"] == room.pk
    await sync_to_async(room_services.room_message_send)(user=people["owner"], room=room, content="after removal")
    # Drain what was sent before the removal; nothing sent after it may arrive.
    while not await member.receive_nothing(timeout=0.7):
        frame = await member.receive_json_from(timeout=1)
        assert frame.get("message", {}).get("content") != "after removal"
    await member.send_json_to({"type": "room.message", "room": room.pk, "content": "still here?"})
    assert (await next_of(member, "error"))["code"] == "forbidden"
    await member.disconnect()


async def test_rate_limit_answers_an_error_frame_and_keeps_the_socket(people, settings):
    settings.CHAT_MESSAGES_PER_WINDOW = 2
    room = people["room"]
    member = await connect(people["member"])
    for i in range(3):
        await member.send_json_to({"type": "room.message", "room": room.pk, "content": f"m{i}", "ref": i})
    error = await next_of(member, "error")
    assert error["code"] == "rate_limited" and error["ref"] == 2 and error["retry_after"] > 0
    await member.send_json_to({"type": "ping"})
    assert (await next_of(member, "pong"))["type"] == "pong"
    await member.disconnect()


@pytest.mark.parametrize(
    "frame",
    [
        {"type": "nope"},
        {"no": "type"},
        {"type": "subscribe", "room": "1"},
        {"type": "room.message", "room": 1},
        {"type": "dm.send", "to_user": 1, "content": 5},
        ["a", "list"],
    ],
)
async def test_bad_frames_get_error_frames(people, frame):
    member = await connect(people["member"])
    await member.send_json_to(frame)
    assert (await member.receive_json_from(timeout=3))["type"] == "error"
    await member.send_to(text_data="{not json")
    assert (await member.receive_json_from(timeout=3))["code"] == "invalid"
    await member.disconnect()


async def test_unsubscribed_socket_gets_nothing_while_others_in_the_process_still_do(people):
    room = people["room"]
    owner, member = await connect(people["owner"]), await connect(people["member"])
    for socket in (owner, member):
        await socket.send_json_to({"type": "subscribe", "room": room.pk})
        await next_of(socket, "subscribed")
    await member.send_json_to({"type": "unsubscribe", "room": room.pk})
    await next_of(member, "unsubscribed")
    await sync_to_async(room_services.room_message_send)(user=people["owner"], room=room, content="only owner")
    assert (await next_of(owner, "room.message"))["message"]["content"] == "only owner"
    while not await member.receive_nothing(timeout=0.7):
        frame = await member.receive_json_from(timeout=1)
        assert frame["type"] != "room.message"
    await owner.disconnect()
    await member.disconnect()


async def test_a_room_update_reaches_the_rooms_sockets(people):
    """``room.updated`` names its room as an object: the hub still finds the room's sockets."""
    owner = await connect(people["owner"])
    await owner.send_json_to({"type": "subscribe", "room": people["room"].pk})
    await next_of(owner, "subscribed")
    await sync_to_async(room_services.room_update)(actor=people["owner"], room=people["room"], name="renamed room")
    updated = await next_of(owner, "room.updated")
    assert updated["room"] == {"id": people["room"].pk, "name": "renamed room", "description": None}
    await owner.disconnect()
