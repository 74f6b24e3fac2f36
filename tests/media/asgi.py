"""Calling an ASGI application as a server does, in tests: one request, every message it sends back."""

import asyncio

from asgiref.sync import sync_to_async
from django.db import connections

from tests.asgi import http_scope

# Headers that differ between two answers for reasons of their own.
NOT_COMPARED = {b"date", b"server"}


class Counted:
    """The application behind the lean path, counting the requests it gets."""

    def __init__(self, app):
        self.app = app
        self.calls = 0

    async def __call__(self, scope, receive, send):
        self.calls += 1
        await self.app(scope, receive, send)


class Answer:
    def __init__(self, messages):
        start = messages[0]
        self.status = start["status"]
        self.header_list = sorted(
            (name.lower(), value) for name, value in start["headers"] if name.lower() not in NOT_COMPARED
        )
        self.headers = {name.decode(): value.decode() for name, value in self.header_list}
        self.body = b"".join(message.get("body", b"") for message in messages[1:])
        self.messages = messages


async def call(app, path, *, method="GET", query="", extensions=None, **request_headers) -> Answer:
    """One request through ``app``, as an ASGI server makes it."""
    headers = [(name.replace("_", "-").lower().encode(), value.encode()) for name, value in request_headers.items()]
    scope = http_scope(method, path, query=query.encode(), headers=headers, client_port=40000)
    if extensions is not None:
        scope["extensions"] = extensions
    messages = []
    done = asyncio.Event()
    delivered = False

    async def receive():
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await done.wait()
        return {"type": "http.disconnect"}

    async def send(message):
        messages.append(message)

    await app(scope, receive, send)
    done.set()
    await sync_to_async(connections.close_all)()
    return Answer(messages)
