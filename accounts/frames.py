"""The socket's ``auth`` frame: a token socket renews its access token in-band (see ``realtime.frames``)."""

from __future__ import annotations

from datetime import UTC, datetime

from accounts import credentials
from realtime import events, frames
from realtime.frames import FrameError, call, text


@frames.handler("auth")
async def auth(socket, content: dict) -> None:
    """A fresh access token for a socket opened with ``?token=``: it then lives until that one expires."""
    raw = text(content, "token")
    if socket.credential.session_key is not None:
        raise FrameError("invalid", "This socket is authenticated by its session: it takes no token.")
    found = await call(credentials.token_credential, raw)
    if found is None:
        raise FrameError("invalid_token", "The access token is invalid, expired or revoked.")
    user, credential = found
    if user.pk != socket.user.pk:
        raise FrameError("invalid_token", "The access token belongs to another account.")
    # A revocation since the socket opened still ends it: it keeps the marker it opened with.
    socket.credential = credentials.Credential(
        user_id=user.pk,
        marker=socket.credential.marker,
        expires_at=credential.expires_at,
        password_digest=credential.password_digest,
    )
    expires_at = datetime.fromtimestamp(credential.expires_at, tz=UTC).isoformat()
    await socket.send_json(events.AUTHENTICATED(expires_at=expires_at, ref=frames.ref(content)))
