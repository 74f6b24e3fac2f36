"""Prebuilt WebSocket frames (realtime.wire) and the server protocol that writes them (realtime.server)."""

import asyncio

import pytest
import uvicorn
from websockets.asyncio.client import connect
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from realtime import wire
from realtime.server import WebSocketProtocol
from tests.ports import free_port


def parse(data: bytes) -> Frame:
    """``data`` read back by the websockets library's frame parser, as a client reads it (unmasked)."""
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    parser = Frame.parse(reader.read_exact, mask=False)
    try:
        next(parser)
    except StopIteration as done:
        return done.value
    raise AssertionError("the frame is incomplete")


@pytest.mark.parametrize("length", [0, 1, 125, 126, 65535, 65536, 200_000])
def test_text_frame_is_one_unmasked_final_text_frame_of_any_length(length):
    payload = (b"veza \xc3\xa9 " * (length // 8 + 1))[:length]
    frame = parse(wire.text_frame(payload))
    assert (frame.opcode, frame.fin, frame.rsv1, bytes(frame.data)) == (Opcode.TEXT, True, False, payload)


def test_a_scope_without_the_extension_has_no_frame_writer():
    assert wire.frame_writer({"type": "websocket"}) is None
    assert wire.frame_writer({"type": "websocket", "extensions": {"websocket.http.response": {}}}) is None


async def serve(app, **options):
    """``app`` under a real uvicorn server with Veza's WebSocket protocol; returns the server and its URL."""
    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, ws=WebSocketProtocol, lifespan="off", log_level="warning", **options
    )
    server = uvicorn.Server(config)
    task = asyncio.ensure_future(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    return server, task, f"ws://127.0.0.1:{port}/"


def writing_app(results: list):
    """Writes frames through the extension before the handshake, while open, and after its close frame."""

    async def app(scope, receive, send):
        assert (await receive())["type"] == "websocket.connect"
        write = wire.frame_writer(scope)
        results.append(write(wire.text_frame(b"too early")))
        await send({"type": "websocket.accept"})
        results.append(write(wire.text_frame("héllo".encode())))
        results.append(write(wire.text_frame(b"x" * 70_000)))
        await send({"type": "websocket.send", "text": "through send"})
        assert (await receive())["type"] == "websocket.receive"
        await send({"type": "websocket.close", "code": 1000})
        results.append(write(wire.text_frame(b"too late")))

    return app


async def test_the_server_writes_prebuilt_frames_in_order_with_the_sent_ones_only_while_open():
    results = []
    server, task, url = await serve(writing_app(results), ws_per_message_deflate=False)
    try:
        async with connect(url, compression=None) as client:
            assert await client.recv() == "héllo"
            assert await client.recv() == "x" * 70_000
            assert await client.recv() == "through send"
            await client.send("done")
            await client.wait_closed()
            assert client.close_code == 1000
        assert results == [False, True, True, False]
    finally:
        server.should_exit = True
        await task


async def test_the_server_declines_prebuilt_frames_on_a_compressed_socket():
    results = []

    async def app(scope, receive, send):
        await receive()
        await send({"type": "websocket.accept"})
        write = wire.frame_writer(scope)
        results.append(write(wire.text_frame(b"raw")))
        await send({"type": "websocket.send", "text": "compressed"})
        await receive()

    server, task, url = await serve(app, ws_per_message_deflate=True)
    try:
        async with connect(url, compression="deflate") as client:
            assert await client.recv() == "compressed"
        assert results == [False]
    finally:
        server.should_exit = True
        await task
