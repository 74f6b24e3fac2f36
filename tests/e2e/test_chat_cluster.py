"""Two real ASGI server processes sharing Redis: a message sent to one arrives on the other exactly once."""

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from rest_framework_simplejwt.tokens import AccessToken
from websockets.asyncio.client import connect

from rooms import services
from rooms.models import RoomMessage
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import start_server, stop_servers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def cluster(transactional_db, settings):
    servers = [start_server(settings), start_server(settings)]
    yield servers
    stop_servers(*servers)


async def open_socket(server, user):
    token = str(await sync_to_async(AccessToken.for_user)(user))
    url = server.url.replace("http://", "ws://") + f"/ws/?token={token}"
    return await connect(url, origin=server.url)


async def first_of(socket, kind, *, seconds=5):
    """The first frame of type ``kind``."""
    while True:
        frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=seconds))
        if frame["type"] == kind:
            return frame


async def frames_of(socket, kind, *, seconds):
    """Every frame of type ``kind`` received within ``seconds``."""
    found = []
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (left := deadline - loop.time()) > 0:
        try:
            frame = json.loads(await asyncio.wait_for(socket.recv(), timeout=left))
        except TimeoutError:
            break
        if frame["type"] == kind:
            found.append(frame)
    return found


async def test_message_crosses_processes_exactly_once(cluster):
    alice, bob = await sync_to_async(UserFactory)(username="alice"), await sync_to_async(UserFactory)(username="bob")
    room = await sync_to_async(services.room_create)(creator=alice, name="cluster-room")
    await sync_to_async(services.room_join)(user=bob, room=room)
    first, second = cluster
    on_a, on_b = await open_socket(first, alice), await open_socket(second, bob)
    try:
        for socket in (on_a, on_b):
            await socket.send(json.dumps({"type": "subscribe", "room": room.pk}))
            await first_of(socket, "subscribed")
        frame = {"type": "room.message", "room": room.pk, "content": "across processes", "client_id": "x-1"}
        await on_a.send(json.dumps(frame))
        await on_a.send(json.dumps(frame))  # a retry after a flaky moment: stored and delivered once
        assert (await first_of(on_b, "room.message"))["message"]["content"] == "across processes"
        assert (await first_of(on_a, "room.message"))["message"]["content"] == "across processes"
        # No second copy arrives on either process.
        assert await frames_of(on_b, "room.message", seconds=1.5) == []
        assert await frames_of(on_a, "room.message", seconds=0.5) == []
        assert await sync_to_async(RoomMessage.objects.filter(content="across processes").count)() == 1
    finally:
        await on_a.close()
        await on_b.close()
        await sync_to_async(connections.close_all)()  # the connection of sync_to_async's thread
