"""realtime.transport: worker-thread calls from the event loop, and publishing through the channel layer."""

import asyncio
import threading

import pytest
from channels.layers import get_channel_layer
from django.db import connection

from realtime import transport

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.asyncio]


async def test_a_call_runs_in_a_worker_thread_and_gives_its_database_connection_back():
    def query() -> tuple[str, int, bool]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            (one,) = cursor.fetchone()
        return threading.current_thread().name, one, connection.connection is not None

    name, one, connected = await transport.in_thread(query)
    assert name.startswith("chat-db") and one == 1 and connected

    def still_connected() -> bool:
        return connection.connection is not None

    # Every call starts without a connection: the previous call of the same thread gave its back.
    assert not any(await asyncio.gather(*(transport.in_thread(still_connected) for _ in range(20))))


async def test_an_error_in_the_call_reaches_the_caller():
    def fail() -> None:
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        await transport.in_thread(fail)


async def test_without_a_direct_publisher_a_worker_thread_publishes_through_the_loops_channel_layer(settings):
    """A channel layer configured so that transport cannot publish itself (a host given as connection
    options): a service running in a worker thread sends through the layer, on the calling loop."""
    layer_config = settings.CHANNEL_LAYERS["default"]
    host = layer_config["CONFIG"]["hosts"][0]
    settings.CHANNEL_LAYERS = {
        "default": {**layer_config, "CONFIG": {**layer_config["CONFIG"], "hosts": [{"address": host}]}}
    }
    assert transport._publisher() is None
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add("room-test-fallback", channel)
    try:
        await transport.in_thread(transport.send_now, "room-test-fallback", {"type": "chat.event", "n": 1})
        assert await asyncio.wait_for(layer.receive(channel), 5) == {"type": "chat.event", "n": 1}
    finally:
        await layer.group_discard("room-test-fallback", channel)
