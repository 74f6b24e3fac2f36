"""The socket frames of rooms: following a room, and its messages (see ``realtime.frames``).

Access is checked through the rooms selectors; writes go through the same services as the REST API.
Registered when the app is ready (``rooms.apps``), with how a room's presence is shown.
"""

from __future__ import annotations

from accounts.serializers import user_ref
from realtime import frames, presence
from realtime.frames import call, integer, text
from rooms import events
from rooms import selectors as room_selectors
from rooms import services as room_services


def online(room_id: int) -> list[dict]:
    """The users with a live socket in the room, as events show a user."""
    return [user_ref(user) for user in room_selectors.online_users(room_id)]


presence.register(online=online, event=events.PRESENCE)


@frames.handler("subscribe")
async def subscribe(socket, content: dict) -> None:
    """Follow a room (members only): answered with ``subscribed``, and the room learns who is online."""
    room_id = integer(content, "room")
    await call(room_selectors.room_of_member, socket.user, room_id)
    online = await socket.join_room(room_id)
    await socket.send_json(events.SUBSCRIBED(room=room_id, online=online))
    await socket.announce_presence(room_id, online)


@frames.handler("unsubscribe")
async def unsubscribe(socket, content: dict) -> None:
    room_id = integer(content, "room")
    if room_id in socket.rooms:
        await socket.leave_room(room_id, announce=True)
    await socket.send_json(events.UNSUBSCRIBED(room=room_id))


def _send(*, user, room_id: int, content: dict):
    return room_services.room_message_send(
        user=user, room=room_id, content=text(content, "content"), client_id=content.get("client_id")
    )


@frames.handler("room.message")
async def room_message(socket, content: dict) -> None:
    """Checked and stored in one worker-thread call (see ``room_message_send``)."""
    await socket.write(_send, user=socket.user, room_id=integer(content, "room"), content=content)


@frames.handler("room.edit")
async def room_edit(socket, content: dict) -> None:
    message = await call(room_selectors.message_for_member, socket.user, integer(content, "message_id"))
    await socket.write(
        room_services.room_message_edit, actor=socket.user, message=message, content=text(content, "content")
    )


@frames.handler("room.delete")
async def room_delete(socket, content: dict) -> None:
    message = await call(room_selectors.message_for_member, socket.user, integer(content, "message_id"))
    await socket.write(room_services.room_message_delete, actor=socket.user, message=message)
