"""WebSocket frames built once and written as they are to every socket of a room.

A room event reaches tens of sockets in one process. Handing its text to each socket's ASGI ``send``
makes the server encode the text, build and serialise a frame, and wake a coroutine, once per socket.
Frames from a server are not masked, so the bytes of one text frame are the same for every socket
without extensions: :func:`text_frame` builds them once per event, and the server protocol of
:mod:`realtime.server` lets the socket write them straight to its connection (the ASGI extension
:data:`EXTENSION`). Under another server (daphne, Channels' test communicator) or on a socket that
negotiated compression, the extension is absent or declines, and the event goes through ``send``.
"""

from __future__ import annotations

import struct
from collections.abc import Callable

# The scope's ``extensions`` key under which realtime.server offers ``{"write": write(frame) -> bool}``.
EXTENSION = "veza.websocket.frame"

_FIN_TEXT = 0x81  # FIN bit and the text opcode: a whole message in one frame
_HEAD_SHORT = struct.Struct("!BB")
_HEAD_MEDIUM = struct.Struct("!BBH")
_HEAD_LONG = struct.Struct("!BBQ")


def text_frame(payload: bytes) -> bytes:
    """The unmasked, unfragmented WebSocket text frame carrying ``payload`` (UTF-8 text, RFC 6455 5.2)."""
    length = len(payload)
    if length < 126:
        head = _HEAD_SHORT.pack(_FIN_TEXT, length)
    elif length < 65536:
        head = _HEAD_MEDIUM.pack(_FIN_TEXT, 126, length)
    else:
        head = _HEAD_LONG.pack(_FIN_TEXT, 127, length)
    return head + payload


def frame_writer(scope) -> Callable[[bytes], bool] | None:
    """The scope's frame writer (``write(frame) -> bool``), or None when the server offers none."""
    offered = (scope.get("extensions") or {}).get(EXTENSION)
    return offered.get("write") if isinstance(offered, dict) else None
