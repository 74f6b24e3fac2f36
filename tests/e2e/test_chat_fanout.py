"""Room events through a real server: one frame built per event, the same bytes written to every socket."""

import json

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from rest_framework_simplejwt.tokens import AccessToken
from websockets.asyncio.client import connect

from rooms import services
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import start_server, stop_servers
from tests.e2e.test_chat_cluster import first_of, frames_of

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def open_socket(server, user, **options):
    token = str(await sync_to_async(AccessToken.for_user)(user))
    return await connect(server.url.replace("http://", "ws://") + f"/ws/?token={token}", origin=server.url, **options)


async def room_with(names):
    users = [await sync_to_async(UserFactory)(username=name) for name in names]
    room = await sync_to_async(services.room_create)(creator=users[0], name="fan-out room")
    for user in users[1:]:
        await sync_to_async(services.room_join)(user=user, room=room)
    return room, users


async def subscribed(sockets, room):
    for socket in sockets:
        await socket.send(json.dumps({"type": "subscribe", "room": room.pk}))
        await first_of(socket, "subscribed")


@pytest.fixture
def server(transactional_db, settings):
    running = start_server(settings)
    yield running
    stop_servers(running)


@pytest.fixture
def compressing_server(transactional_db, settings):
    running = start_server(settings, uvicorn_args=("--ws-per-message-deflate", "true"))
    yield running
    stop_servers(running)


async def test_every_socket_of_the_room_receives_each_message_once_and_in_order(server):
    room, (alice, bob, carol) = await room_with(["alice", "bob", "carol"])
    sockets = [await open_socket(server, user) for user in (alice, bob, bob, carol)]  # bob on two devices
    try:
        await subscribed(sockets, room)
        # Frames of each length encoding: under 126 bytes, under 65536, and more (JSON escapes each emoji in 12).
        contents = ["short", "é" * 300, "😀" * 6000]
        for n, content in enumerate(contents):
            frame = {"type": "room.message", "room": room.pk, "content": content, "client_id": f"fan-{n}"}
            await sockets[0].send(json.dumps(frame))
        for socket in sockets:
            received = [(await first_of(socket, "room.message"))["message"]["content"] for _ in contents]
            assert received == contents
            assert await frames_of(socket, "room.message", seconds=0.3) == []
    finally:
        for socket in sockets:
            await socket.close()
        await sync_to_async(connections.close_all)()


async def test_the_typist_is_not_told_that_they_are_typing(server):
    room, (alice, bob) = await room_with(["alice", "bob"])
    on_alice, on_bob = await open_socket(server, alice), await open_socket(server, bob)
    try:
        await subscribed([on_alice, on_bob], room)
        await on_alice.send(json.dumps({"type": "typing", "room": room.pk}))
        assert (await first_of(on_bob, "typing"))["user"]["id"] == alice.pk
        assert await frames_of(on_alice, "typing", seconds=0.5) == []
    finally:
        await on_alice.close()
        await on_bob.close()
        await sync_to_async(connections.close_all)()


async def test_compressed_sockets_still_receive_room_events(compressing_server):
    room, (alice, bob) = await room_with(["alice", "bob"])
    on_alice = await open_socket(compressing_server, alice, compression="deflate")
    on_bob = await open_socket(compressing_server, bob, compression=None)
    try:
        await subscribed([on_alice, on_bob], room)
        frame = {"type": "room.message", "room": room.pk, "content": "squeezed", "client_id": "z-1"}
        await on_bob.send(json.dumps(frame))
        for socket in (on_alice, on_bob):
            assert (await first_of(socket, "room.message"))["message"]["content"] == "squeezed"
    finally:
        await on_alice.close()
        await on_bob.close()
        await sync_to_async(connections.close_all)()
