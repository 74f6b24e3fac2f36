"""Typing frames are rate limited per user: over the limit, an error frame, and the socket stays."""

import pytest

from rooms import services as room_services
from tests.accounts.factories import UserFactory
from tests.realtime.test_consumer import answers_ping, connect, next_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def scene(transactional_db):
    member, other = UserFactory(username="member"), UserFactory(username="other")
    room = room_services.room_create(creator=member, name="frames-room")
    return {"member": member, "other": other, "room": room}


async def test_typing_frames_over_the_limit_get_rate_limited_and_the_socket_stays(scene, settings):
    settings.TYPING_FRAMES_PER_WINDOW = 3
    member, other = await connect(scene["member"]), await connect(scene["other"])
    for i in range(4):
        await member.send_json_to({"type": "typing", "to_user": scene["other"].pk, "ref": i})
    error = await next_of(member, "error")
    assert (error["code"], error["ref"]) == ("rate_limited", 3)
    assert 0 < error["retry_after"] <= settings.TYPING_RATE_WINDOW
    for _ in range(3):
        assert (await next_of(other, "typing"))["user"]["username"] == "member"
    assert await other.receive_nothing(timeout=0.5)  # the fourth went nowhere
    await answers_ping(member)
    await member.disconnect()
    await other.disconnect()


async def test_typing_limit_is_per_user_across_sockets(scene, settings):
    settings.TYPING_FRAMES_PER_WINDOW = 2
    first, second = await connect(scene["member"]), await connect(scene["member"])
    await first.send_json_to({"type": "subscribe", "room": scene["room"].pk})
    await next_of(first, "subscribed")
    await first.send_json_to({"type": "typing", "room": scene["room"].pk})
    # A socket handles its frames in order: once the pong is back, the first socket's typing counted.
    await first.send_json_to({"type": "ping", "ref": "typed"})
    await next_of(first, "pong")
    await second.send_json_to({"type": "typing", "to_user": scene["other"].pk})
    await second.send_json_to({"type": "typing", "to_user": scene["other"].pk})
    assert (await next_of(second, "error"))["code"] == "rate_limited"
    await first.disconnect()
    await second.disconnect()
