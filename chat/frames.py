"""The socket frames of direct messages and typing (see ``realtime.frames``), registered by ``chat.apps``."""

from __future__ import annotations

from accounts import selectors as account_selectors
from accounts.models import User
from chat import services as chat_services
from core.errors import NotFound
from realtime import frames
from realtime.frames import FrameError, call, integer, text


def _active_user(user_id: int) -> User:
    user = account_selectors.user_get_public(user_id=user_id)
    if user is None:
        raise NotFound("No such user.")
    return user


@frames.handler("dm.send")
async def dm_send(socket, content: dict) -> None:
    recipient = await call(_active_user, integer(content, "to_user"))
    await socket.write(
        chat_services.dm_send,
        sender=socket.user,
        recipient=recipient,
        content=text(content, "content"),
        client_id=content.get("client_id"),
    )


@frames.handler("dm.read")
async def dm_read(socket, content: dict) -> None:
    peer = await call(_active_user, integer(content, "user"))
    await socket.write(chat_services.dm_mark_read, reader=socket.user, peer=peer)


@frames.handler("typing")
async def typing(socket, content: dict) -> None:
    """Tell a followed room, or a person, that the socket's user is typing."""
    if "room" in content:
        room_id = integer(content, "room")
        if room_id not in socket.rooms:
            raise FrameError("not_subscribed", "Subscribe to the room first.")
        await call(chat_services.typing_send, user=socket.user, room_id=room_id)
    else:
        await call(chat_services.typing_send, user=socket.user, peer_id=integer(content, "to_user"))
