"""The WebSocket protocol Veza serves with under uvicorn: uvicorn's own, plus prebuilt frames.

    uvicorn veza.asgi:application --ws realtime.server:WebSocketProtocol --ws-per-message-deflate false ...

It is uvicorn's default WebSocket implementation (on the ``websockets`` library's sans-I/O protocol)
that also offers each socket the ASGI extension :data:`realtime.wire.EXTENSION`: ``write(frame)``
writes a frame built by :func:`realtime.wire.text_frame` to the connection at once, with no encoding,
no frame object and no await per socket. It declines (returns False, the caller then uses ``send``)
unless the socket is open and writable with no extension negotiated: before the handshake, once a
close frame is sent or received, while the connection's write buffer is over its high-water mark (a
client that does not read: ``send`` then waits for it, as it always did), and when compression is on.

Importing this module imports no Django: uvicorn loads it before the application.
"""

from __future__ import annotations

from typing import Any

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.protocol import State

from realtime.wire import EXTENSION


class WebSocketProtocol(WebSocketsSansIOProtocol):
    def handle_connect(self, event: Any) -> None:
        super().handle_connect(event)
        scope = getattr(self, "scope", None)  # set only when the handshake goes on to the application
        if scope is not None and self.response.status_code == 101:
            scope["extensions"][EXTENSION] = {"write": self.write_frame}

    def write_frame(self, frame: bytes) -> bool:
        """Write a complete, unmasked data frame now; False (nothing written) when ``send`` must be used."""
        if (
            not self.handshake_complete
            or self.close_sent
            or self.disconnected
            or self.initial_response is not None
            or self.conn.state is not State.OPEN
            or self.conn.extensions
            or not self.writable.is_set()
            or self.transport.is_closing()
        ):
            return False
        self.transport.write(frame)
        return True
