"""Two real server processes: a password change through the API on one closes the user's socket on the other."""

import asyncio
import json
import urllib.request

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from rest_framework_simplejwt.tokens import AccessToken
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import start_server, stop_servers

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


@pytest.fixture
def cluster(transactional_db, settings):
    servers = [start_server(settings), start_server(settings)]
    yield servers
    stop_servers(*servers)


async def open_socket(server, user):
    token = str(await sync_to_async(AccessToken.for_user)(user))
    return await connect(server.url.replace("http://", "ws://") + f"/ws/?token={token}", origin=server.url)


def change_password(server, access: str, new_password: str) -> int:
    body = json.dumps({"current_password": PASSWORD, "new_password": new_password}).encode()
    request = urllib.request.Request(  # noqa: S310 (a local URL)
        f"{server.url}/api/v1/auth/password",
        data=body,
        headers={"Authorization": f"Bearer {access}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status


async def pong(socket) -> bool:
    await socket.send(json.dumps({"type": "ping", "ref": "p"}))
    while True:
        if json.loads(await asyncio.wait_for(socket.recv(), timeout=5))["type"] == "pong":
            return True


async def test_password_change_through_the_api_on_one_process_closes_the_socket_on_another_within_5_s(cluster):
    first, second = cluster
    melody = await sync_to_async(UserFactory)(username="melody")
    bystander = await sync_to_async(UserFactory)(username="bystander")
    on_second, other = await open_socket(second, melody), await open_socket(second, bystander)
    try:
        assert await pong(on_second)
        access = str(await sync_to_async(AccessToken.for_user)(melody))
        loop = asyncio.get_running_loop()
        status = await loop.run_in_executor(None, change_password, first, access, "a brand new passphrase 42")
        assert status == 200
        changed_at = loop.time()
        with pytest.raises(ConnectionClosed):
            while True:  # frames before the close (presence and the like) are skipped
                await asyncio.wait_for(on_second.recv(), timeout=5)
        assert loop.time() - changed_at < 5
        assert on_second.close_code == 4401
        assert await pong(other)  # somebody else's socket on that process stays open
    finally:
        await on_second.close()
        await other.close()
        await sync_to_async(connections.close_all)()
