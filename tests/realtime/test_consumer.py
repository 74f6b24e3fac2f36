"""Hostile frames: each gets an error frame, the socket stays open and usable, and nothing is left behind."""

import json

import pytest
from asgiref.sync import sync_to_async
from prometheus_client import REGISTRY

from accounts import services as account_services
from chat.models import Message
from realtime.hub import hub
from rooms import services as room_services
from rooms.models import RoomMessage
from tests.accounts.factories import AdminFactory, UserFactory
from tests.sockets import connect, next_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


def gauge() -> float:
    return REGISTRY.get_sample_value("veza_websocket_connections") or 0.0


async def answers_ping(communicator) -> None:
    await communicator.send_json_to({"type": "ping", "ref": "after"})
    assert await next_of(communicator, "pong") == {"type": "pong", "ref": "after"}


def assert_nothing_left(start: float) -> None:
    """The gauge is back where it was, and the process's hub holds no socket and no room."""
    assert gauge() == start
    assert not hub().sockets
    assert not any(hub().rooms.values())


@pytest.fixture
def scene(transactional_db):
    member, other = UserFactory(username="member"), UserFactory(username="other")
    room = room_services.room_create(creator=member, name="frames-room")
    return {"member": member, "other": other, "room": room}


def nested(depth: int) -> str:
    return '{"type": "ping", "x": ' + "[" * depth + "]" * depth + "}"


HUGE = 10**30
HOSTILE_TEXT = {
    "NUL in content": lambda s: json.dumps({"type": "room.message", "room": s["room"].pk, "content": "a\x00b"}),
    "NUL in a key": lambda s: json.dumps({"type": "ping", "a\x00": 1}),
    "NUL in the type": lambda s: json.dumps({"type": "ping\x00"}),
    "lone surrogate in content": lambda s: f'{{"type": "room.message", "room": {s["room"].pk}, "content": "\\ud800"}}',
    "lone surrogate in a direct message": lambda s: (
        f'{{"type": "dm.send", "to_user": {s["other"].pk}, "content": "x\\udfff"}}'
    ),
    "lone surrogate in a client_id": lambda s: (
        f'{{"type": "dm.send", "to_user": {s["other"].pk}, "content": "x", "client_id": "\\ud83d"}}'
    ),
    "huge room id to subscribe": lambda s: json.dumps({"type": "subscribe", "room": HUGE}),
    "huge room id to send": lambda s: json.dumps({"type": "room.message", "room": HUGE, "content": "hi"}),
    "huge message id to edit": lambda s: json.dumps({"type": "room.edit", "message_id": HUGE, "content": "hi"}),
    "huge message id to delete": lambda s: json.dumps({"type": "room.delete", "message_id": -HUGE}),
    "huge user id": lambda s: json.dumps({"type": "dm.send", "to_user": HUGE, "content": "hi"}),
    "huge user id to read": lambda s: json.dumps({"type": "dm.read", "user": 2**63}),
    "huge typing target": lambda s: json.dumps({"type": "typing", "to_user": HUGE}),
    "zero room id": lambda s: json.dumps({"type": "subscribe", "room": 0}),
    "a number of 5000 digits": lambda s: '{"type": "subscribe", "room": ' + "9" * 5000 + "}",
    "a float id": lambda s: json.dumps({"type": "subscribe", "room": 1e308}),
    "deeply nested (10,000 levels)": lambda s: nested(10_000),
    "nested object as ref": lambda s: '{"type": "nope", "ref": ' + "[" * 500 + "]" * 500 + "}",
    "a list": lambda s: "[1, 2]",
    "a number": lambda s: "5",
    "a string": lambda s: '"ping"',
    "null": lambda s: "null",
    "not JSON": lambda s: "{not json",
    "blank": lambda s: "   ",
    "type not a string": lambda s: json.dumps({"type": ["ping"]}),
    "auth without a token": lambda s: json.dumps({"type": "auth", "token": 5}),
}


@pytest.mark.parametrize("name", list(HOSTILE_TEXT))
async def test_hostile_text_frame_gets_an_error_frame_and_the_socket_stays_usable(scene, name):
    start = gauge()
    before = await sync_to_async(RoomMessage.objects.count)(), await sync_to_async(Message.objects.count)()
    member = await connect(scene["member"])
    await member.send_to(text_data=HOSTILE_TEXT[name](scene))
    error = await next_of(member, "error")
    assert error["code"] in {"invalid", "unknown_type", "not_found"}, error
    await answers_ping(member)
    await member.send_json_to({"type": "subscribe", "room": scene["room"].pk})
    assert (await next_of(member, "subscribed"))["room"] == scene["room"].pk
    after = await sync_to_async(RoomMessage.objects.count)(), await sync_to_async(Message.objects.count)()
    assert after == before  # nothing stored
    await member.disconnect()
    assert_nothing_left(start)


async def test_binary_frame_gets_an_error_frame_and_the_socket_stays_usable(scene):
    start = gauge()
    member = await connect(scene["member"])
    await member.send_to(bytes_data=b"\x00\xff binary")
    assert (await next_of(member, "error"))["code"] == "invalid"
    await answers_ping(member)
    await member.disconnect()
    assert_nothing_left(start)


async def test_nul_and_surrogates_get_field_errors_from_the_services_too(scene):
    from django.core.exceptions import ValidationError

    for content in ("a\x00b", "x\ud800y"):
        with pytest.raises(ValidationError):
            await sync_to_async(room_services.room_message_send)(
                user=scene["member"], room=scene["room"], content=content
            )
    assert await sync_to_async(RoomMessage.objects.filter(message_type="message").count)() == 0


async def test_a_frame_that_fails_unexpectedly_answers_server_error_and_leaves_no_subscription(scene, monkeypatch):
    from rooms import selectors as room_selectors

    def broken(room_id):
        raise RuntimeError("boom")

    monkeypatch.setattr(room_selectors, "online_users", broken)
    start = gauge()
    member = await connect(scene["member"])
    await member.send_json_to({"type": "subscribe", "room": scene["room"].pk, "ref": 7})
    error = await next_of(member, "error")
    assert (error["code"], error["ref"]) == ("server_error", 7)
    assert not any(hub().rooms.values())  # the half-done subscription was undone
    await answers_ping(member)
    await member.disconnect()
    assert_nothing_left(start)


async def test_gauge_and_hub_return_to_zero_after_subscriptions_failed_frames_and_4401_closes(scene):
    start = gauge()
    member, other = await connect(scene["member"]), await connect(scene["other"])
    await member.send_json_to({"type": "subscribe", "room": scene["room"].pk})
    await next_of(member, "subscribed")
    await member.send_to(text_data=nested(5000))
    await next_of(member, "error")
    assert gauge() == start + 2 and len(hub().sockets) == 2 and hub().rooms[scene["room"].pk]
    moderator = await sync_to_async(AdminFactory)()
    await sync_to_async(account_services.user_set_active)(actor=moderator, user=scene["member"], active=False)
    closed = await member.receive_output(timeout=5)
    while closed["type"] != "websocket.close":
        closed = await member.receive_output(timeout=5)
    assert closed["code"] == 4401
    # Gone from the gauge and the hub at once, before the client even acknowledges the close.
    assert gauge() == start + 1 and len(hub().sockets) == 1 and not any(hub().rooms.values())
    await member.disconnect()
    await other.disconnect()
    assert_nothing_left(start)


async def test_frames_in_flight_after_a_4401_close_are_ignored(scene):
    member = await connect(scene["member"])
    await sync_to_async(account_services.user_set_password)(user=scene["member"], password="a brand new passphrase 42")
    closed = await member.receive_output(timeout=5)
    assert (closed["type"], closed["code"]) == ("websocket.close", 4401)
    await member.send_json_to({"type": "room.message", "room": scene["room"].pk, "content": "too late"})
    assert await member.receive_nothing(timeout=0.5)
    assert not await sync_to_async(RoomMessage.objects.filter(content="too late").exists)()
    await member.disconnect()
