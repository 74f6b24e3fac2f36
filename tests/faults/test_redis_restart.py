"""Redis restarts while two WebSocket clients chat: nothing is lost, nothing arrives twice.

The server runs in its own process on a Redis of its own, which the test stops and starts again. The
clients are written like real ones: reconnect with back-off, subscribe, resync over REST with
``?after=<last id>``, keep messages by id, and resend unconfirmed sends through REST with the same
``client_id``.
"""

import asyncio
import contextlib
import inspect
import json
import random
import uuid

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from rest_framework_simplejwt.tokens import AccessToken
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake

from rooms import services
from rooms.models import RoomMessage
from tests.accounts.factories import UserFactory
from tests.e2e.conftest import start_server, stop_servers
from tests.faults.conftest import http

pytestmark = pytest.mark.timeout(120)


class ChatClient:
    """One user's client of one room."""

    def __init__(self, server, token, room_id):
        self.base = server.url
        self.token = token
        self.room_id = room_id
        self.messages: dict[int, dict] = {}  # by id: a message seen twice is kept once
        self.live: set[int] = set()  # ids that arrived on a socket
        # Resync from here: the last id that came from the room's feed (a socket or a resync), not from
        # my own sends' answers, since others may have written in between.
        self.synced_to = 0
        self.pending: dict[str, str] = {}  # client_id -> content, sent on a socket, not echoed yet
        self.close_codes: list[int | None] = []
        self.subscriptions = 0  # how many times a socket got subscribed (and resynced)
        self.socket = None

    @property
    def api(self) -> str:
        return f"{self.base}/api/v1/rooms/{self.room_id}/messages/"

    def keep(self, message: dict, *, live: bool = False, feed: bool = True) -> None:
        self.messages.setdefault(message["id"], message)
        if live:
            self.live.add(message["id"])
        if feed:
            self.synced_to = max(self.synced_to, message["id"])

    async def run(self) -> None:
        backoff = 0.1
        url = self.base.replace("http://", "ws://") + f"/ws/?token={self.token}"
        while True:
            try:
                async with connect(url, origin=self.base, open_timeout=10) as socket:
                    await socket.send(json.dumps({"type": "subscribe", "room": self.room_id}))
                    while (frame := json.loads(await socket.recv()))["type"] != "subscribed":
                        self.handle(frame)
                    await self.resync()
                    self.socket, backoff = socket, 0.1
                    self.subscriptions += 1
                    async for raw in socket:
                        self.handle(json.loads(raw))
                    self.close_codes.append(socket.close_code)
            except ConnectionClosed as exc:
                self.close_codes.append(exc.rcvd.code if exc.rcvd else None)
            except (OSError, InvalidHandshake, TimeoutError):
                pass  # the server refused or was unreachable: try again later
            self.socket = None
            await asyncio.sleep(backoff * random.uniform(0.75, 1.25))  # noqa: S311 (jitter)
            backoff = min(backoff * 2, 2.0)

    def handle(self, frame: dict) -> None:
        if frame["type"] == "room.message" and frame["message"]["room"] == self.room_id:
            self.keep(frame["message"], live=True)
            self.pending.pop(frame.get("client_id"), None)

    async def resync(self) -> None:
        """Fetch what was missed (newest first, page after page), then resend what was never confirmed."""
        url = f"{self.api}?after={self.synced_to}&page_size=200"
        while url:
            status, _, body = await asyncio.to_thread(http, "GET", url, token=self.token)
            assert status == 200, body
            page = json.loads(body)
            for message in page["results"]:
                self.keep(message)
            url = page["next"]
        for client_id, content in list(self.pending.items()):
            message = await self.post(content, client_id)
            self.pending.pop(client_id, None)
            self.keep(message, feed=False)

    async def post(self, content: str, client_id: str) -> dict:
        status, _, body = await asyncio.to_thread(
            http, "POST", self.api, token=self.token, body={"content": content, "client_id": client_id}
        )
        assert status == 201, body
        return json.loads(body)

    async def say(self, content: str) -> None:
        """Send on the socket (the echo confirms it), or through REST when there is no socket."""
        client_id = uuid.uuid4().hex
        if self.socket is None:
            self.keep(await self.post(content, client_id), feed=False)
            return
        self.pending[client_id] = content
        frame = {"type": "room.message", "room": self.room_id, "content": content, "client_id": client_id}
        with contextlib.suppress(ConnectionClosed):  # then it stays pending, and is resent after the reconnect
            await self.socket.send(json.dumps(frame))


async def until(condition, *, seconds=30.0, what="the condition"):
    """Poll ``condition`` (a function, maybe async) until it is true, or fail after ``seconds``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        result = condition()
        if inspect.isawaitable(result):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


@sync_to_async
def stored() -> dict[int, str]:
    return dict(RoomMessage.objects.order_by("id").values_list("id", "content"))


@sync_to_async
def ids_of(contents) -> set[int]:
    return set(RoomMessage.objects.filter(content__in=contents).values_list("id", flat=True))


@pytest.fixture
def chat_server(transactional_db, settings, redis_server):
    running = start_server(settings, REDIS_URL=redis_server.url, CHAT_MESSAGES_PER_WINDOW="1000")
    yield running
    stop_servers(running)


class Conversation:
    """Alice and Bob, each with a client running, in one room."""

    def __init__(self, server, room_id, tokens):
        self.server = server
        self.clients = [ChatClient(server, token, room_id) for token in tokens]
        self.said: list[str] = []

    async def chat(self, phase: str, rounds: int) -> None:
        for n in range(rounds):
            for who, client in enumerate(self.clients):
                self.said.append(f"{phase} {n} from {who}")
                await client.say(self.said[-1])
            await asyncio.sleep(0.05)

    async def everyone_has_everything(self) -> bool:
        expected = set(await stored())
        return all(set(c.messages) == expected and not c.pending for c in self.clients)

    async def settled(self) -> None:
        """Wait until both clients hold every stored message, then check that it is all exactly once."""
        await until(self.everyone_has_everything, what="every message on every client")
        in_db = await stored()
        contents = list(in_db.values())
        for content in self.said:
            assert contents.count(content) == 1, content  # stored once, whatever the retries
        for client in self.clients:
            assert set(client.messages) == set(in_db)

    async def live_again(self) -> None:
        """A message reaches the other socket live (not only by resync): the subscriptions recovered.

        A probe may still meet a socket that is being closed and arrive by resync: then another is sent.
        """
        for attempt in range(5):
            await self.chat(f"probe {attempt}", 1)
            await until(self.everyone_has_everything, what="the probe")
            if await ids_of(self.said[-2:]) <= self.clients[1].live:
                return
        raise AssertionError("no message arrived live after the restart")


@pytest.fixture
async def conversation(chat_server):
    alice = await sync_to_async(UserFactory)(username="alice")
    bob = await sync_to_async(UserFactory)(username="bob")
    room = await sync_to_async(services.room_create)(creator=alice, name="restart-room")
    await sync_to_async(services.room_join)(user=bob, room=room)
    tokens = [str(await sync_to_async(AccessToken.for_user)(user)) for user in (alice, bob)]
    talk = Conversation(chat_server, room.pk, tokens)
    tasks = [asyncio.create_task(client.run()) for client in talk.clients]
    try:
        await until(lambda: all(c.subscriptions for c in talk.clients), what="both clients to subscribe")
        await talk.chat("before", 4)
        await until(talk.everyone_has_everything, what="the first messages")
        sent = await ids_of(talk.said)
        assert all(sent <= client.live for client in talk.clients)  # every one of them came on the sockets
        yield talk
        assert chat_server.process.poll() is None  # the same server process all along
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await sync_to_async(connections.close_all)()  # the connection of sync_to_async's thread


async def test_clients_get_every_message_exactly_once_across_a_redis_outage(conversation, redis_server):
    clients = conversation.clients
    redis_server.stop()
    # The server notices and closes the sockets with 1012, so the clients will resync.
    await until(lambda: all(c.socket is None for c in clients), what="the sockets to close")
    assert all(1012 in client.close_codes for client in clients)
    await conversation.chat("during", 3)  # no socket: the clients send through REST, which stores them

    redis_server.start()
    await until(lambda: all(c.socket is not None for c in clients), what="the clients to reconnect")
    await conversation.chat("after", 4)
    await conversation.settled()
    await conversation.live_again()
    await conversation.settled()


async def test_a_quick_redis_restart_is_noticed_too(conversation, redis_server):
    """Events published before the server's subscriptions came back are lost for it: clients resync."""
    redis_server.stop()
    redis_server.start()
    await conversation.chat("right after", 4)  # on the sockets if still open, else through REST
    await conversation.settled()
    assert all(1012 in client.close_codes for client in conversation.clients)
    await conversation.live_again()
    await conversation.settled()
