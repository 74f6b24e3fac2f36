"""Opening Veza's socket in tests with Channels' communicator, and reading the frames it sends."""

from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework_simplejwt.tokens import AccessToken

# A browser on the site itself: the socket's origin check lets it in.
ORIGIN = [(b"origin", b"http://localhost"), (b"host", b"localhost")]


def asgi_app():
    from veza.asgi import application  # imported by the first test: it checks the database at import

    return application


async def connect(user=None, *, token=None, headers=None, path="/ws/") -> WebsocketCommunicator:
    """An open socket of ``user`` (an access token of theirs), or of ``token``, or anonymous."""
    if user is not None:
        token = str(await sync_to_async(AccessToken.for_user)(user))
    if token:
        path = f"{path}?token={token}"
    communicator = WebsocketCommunicator(asgi_app(), path, headers=headers if headers is not None else ORIGIN)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def next_of(communicator, kind, timeout=3):
    """The next frame of type ``kind`` (presence frames and the like in between are skipped)."""
    while True:
        frame = await communicator.receive_json_from(timeout=timeout)
        if frame["type"] == kind:
            return frame
