"""Moderation in the console reaches open pages at once: the services broadcast after commit."""

import pytest
from channels.db import database_sync_to_async as sync_to_async  # closes its database connection after each call
from django.test import Client
from django.urls import reverse

from rooms import services as room_services
from tests.accounts.factories import AdminFactory, UserFactory
from tests.chat.factories import MessageFactory
from tests.sockets import connect, next_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def scene(db):
    owner, member = UserFactory(username="owner"), UserFactory(username="member")
    room = room_services.room_create(creator=owner, name="live-room")
    room_services.room_join(user=member, room=room)
    console = Client()
    console.force_login(AdminFactory(username="mod"))
    return {"owner": owner, "member": member, "room": room, "console": console}


async def subscribed(user, room):
    socket = await connect(user)
    await socket.send_json_to({"type": "subscribe", "room": room.pk})
    await next_of(socket, "subscribed")
    return socket


async def test_a_message_deleted_in_the_console_disappears_from_open_room_pages(scene):
    room = scene["room"]
    message = await sync_to_async(room_services.room_message_send)(user=scene["member"], room=room, content="spam")
    socket = await subscribed(scene["owner"], room)
    url = reverse("admin:rooms_roommessage_delete", args=[message.pk])
    response = await sync_to_async(scene["console"].post)(url, {"post": "yes"})
    assert response.status_code == 302
    event = await next_of(socket, "room.message_deleted")
    assert (event["room"], event["message_id"]) == (room.pk, message.pk)
    await socket.disconnect()


async def test_a_message_edited_in_the_console_is_updated_on_open_room_pages(scene):
    room = scene["room"]
    message = await sync_to_async(room_services.room_message_send)(user=scene["member"], room=room, content="rude")
    socket = await subscribed(scene["owner"], room)
    url = reverse("admin:rooms_roommessage_change", args=[message.pk])
    await sync_to_async(scene["console"].post)(url, {"content": "[removed]"})
    event = await next_of(socket, "room.message_edited")
    assert event["message"]["content"] == "[removed]" and event["message"]["edited_at"]
    await socket.disconnect()


async def test_closing_a_room_in_the_console_removes_its_open_sockets(scene):
    room = scene["room"]
    socket = await subscribed(scene["member"], room)
    data = {"action": "close", "_selected_action": [room.pk], "apply": "1", "reason": "Raid"}  # the reason page's
    await sync_to_async(scene["console"].post)(reverse("admin:rooms_room_changelist"), data)
    assert (await next_of(socket, "room.removed"))["room"] == room.pk
    await socket.disconnect()


async def test_a_direct_message_deleted_in_the_console_is_removed_for_both_people(scene):
    message = await sync_to_async(MessageFactory)(sender=scene["member"], recipient=scene["owner"])
    sender, recipient = await connect(scene["member"]), await connect(scene["owner"])
    url = reverse("admin:chat_message_delete", args=[message.pk])
    await sync_to_async(scene["console"].post)(url, {"post": "yes"})
    for socket in (sender, recipient):
        event = await next_of(socket, "dm.message_deleted")
        assert event == {
            "type": "dm.message_deleted",
            "message_id": message.pk,
            "from_user": scene["member"].pk,
            "to_user": scene["owner"].pk,
        }
        await socket.disconnect()
