"""Veza under a mixed load (a locustfile): people browsing, searching, listening and chatting.

Run it through ``bench/load_run.py``, which seeds the data, starts the server, runs this file headless
and prints the table. By hand, against a server already seeded by ``load_run.seed``:

    VEZA_LOAD_FIXTURES=fixtures.json locust -f bench/load.py --headless -u 40 -r 10 -t 60s --host http://...

Every request name starts with its kind, ``browse``, ``search``, ``stream`` or ``chat``, so the results
can be read per kind. Anything but the expected answer (status, byte count, WebSocket echo) is a failure.
With ``VEZA_LOAD_TIMES`` set to a file name, every request's name, time (ms) and success are written
there as JSON when locust quits, for percentiles over groups of endpoints (``load_run.groups``).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import gevent
import websocket
from locust import FastHttpUser, between, events, task

FIXTURES = json.loads(Path(os.environ["VEZA_LOAD_FIXTURES"]).read_text())
CHUNK = 256 * 1024  # what a seeking player asks for
ECHO_TIMEOUT = 10  # seconds for a chat message to come back on the sender's own socket
_chatters = itertools.cycle(FIXTURES["chatters"])
_listeners = itertools.cycle(FIXTURES["listeners"])
_times: list[tuple[str, float, bool]] = []


@events.request.add_listener
def _record(name, response_time, exception=None, **_):
    _times.append((name, response_time, exception is None))


@events.quitting.add_listener
def _save(**_):
    if os.environ.get("VEZA_LOAD_TIMES"):
        Path(os.environ["VEZA_LOAD_TIMES"]).write_text(json.dumps(_times))


def _word() -> str:
    return random.choice(FIXTURES["search_words"])  # noqa: S311 (load generation)


class Browser(FastHttpUser):
    """An anonymous visitor going through the pages (and an app reading the tracks list)."""

    weight = 4
    wait_time = between(1, 3)
    pages = {"/": 2, "/tracks/": 2, "/shop/": 2, "/rooms/": 1, "/api/v1/tracks/?page_size=50": 1}  # path: weight  # noqa: RUF012

    @task
    def page(self):
        path = random.choices(list(self.pages), weights=list(self.pages.values()))[0]  # noqa: S311
        self.client.get(path, name=f"browse: {path.split('?')[0]}")


class Searcher(FastHttpUser):
    """Someone searching, through the API (an app) and the search page."""

    weight = 2
    wait_time = between(1, 3)

    @task(3)
    def api(self):
        self.client.get(f"/api/v1/search?q={_word()}", name="search: /api/v1/search?q=")

    @task(1)
    def page(self):
        self.client.get(f"/search?q={_word()}", name="search: /search?q=")


class Listener(FastHttpUser):
    """A player fetching 256 KiB ranges of tracks, with its access token or a signed URL."""

    weight = 2
    wait_time = between(1, 3)

    def on_start(self):
        self.headers = {"Authorization": f"Bearer {next(_listeners)}"}

    def _range(self, url: str, size: int, name: str, headers: dict) -> None:
        start = random.randrange(0, size - CHUNK)  # noqa: S311
        headers = {**headers, "Range": f"bytes={start}-{start + CHUNK - 1}"}
        with self.client.get(url, headers=headers, name=name, catch_response=True) as response:
            if response.status_code != 206 or len(response.content or b"") != CHUNK:
                response.failure(f"expected 206 with {CHUNK} bytes, got {response.status_code}")

    @task(3)
    def stream(self):
        track = random.choice(FIXTURES["tracks"])  # noqa: S311
        url = f"/api/v1/tracks/{track['id']}/stream"
        self._range(url, track["size"], "stream: /api/v1/tracks/[id]/stream (JWT)", self.headers)

    @task(1)
    def signed(self):
        track = random.choice(FIXTURES["tracks"])  # noqa: S311
        response = self.client.get(
            f"/api/v1/tracks/{track['id']}/stream-url",
            headers=self.headers,
            name="stream: /api/v1/tracks/[id]/stream-url",
        )
        if response.status_code == 200:
            signed = urlsplit(response.json()["url"])
            url = f"{signed.path}?{signed.query}"
            self._range(url, track["size"], "stream: /media/[path]?signature= (signed URL)", {})


class Chatter(FastHttpUser):
    """A room member on one WebSocket: sends messages on it and over REST, and waits for their echo."""

    weight = 2
    wait_time = between(1, 3)  # at most 10 messages in 10 s: under the default rate limit (20)

    def on_start(self):
        account = next(_chatters)
        self.token, self.room = account["token"], account["room"]
        self.pending: dict[str, float] = {}
        self.socket = None
        url = self.host.replace("http", "ws", 1) + f"/ws/?token={self.token}"
        started = time.perf_counter()
        try:
            self.socket = websocket.create_connection(url, origin=self.host, timeout=ECHO_TIMEOUT)
            self.socket.send(json.dumps({"type": "subscribe", "room": self.room}))
            while json.loads(self.socket.recv()).get("type") != "subscribed":
                pass
        except Exception as error:  # reported as the request's failure
            self._report("chat: WS connect + subscribe", started, error)
            self.socket = None
            return
        self._report("chat: WS connect + subscribe", started)
        self.reader = gevent.spawn(self._read)

    def _report(self, name: str, started: float, error: Exception | None = None, length: int = 0) -> None:
        self.environment.events.request.fire(
            request_type="WS", name=name, response_time=(time.perf_counter() - started) * 1000,
            response_length=length, exception=error, context={},
        )  # fmt: skip

    def _read(self) -> None:
        while self.socket is not None:
            try:
                raw = self.socket.recv()
            except websocket.WebSocketTimeoutException:
                continue
            except Exception as error:  # the socket broke: one failure
                if self.socket is not None:
                    self._report("chat: WS room.message (echo)", time.perf_counter(), error)
                return
            frame = json.loads(raw)
            if frame.get("type") == "room.message" and frame.get("client_id") in self.pending:
                started = self.pending.pop(frame["client_id"])
                self._report("chat: WS room.message (echo)", started, length=len(raw))
            elif frame.get("type") == "error":
                started = self.pending.pop(frame.get("ref"), time.perf_counter())
                self._report("chat: WS room.message (echo)", started, RuntimeError(f"error frame: {frame}"))

    @task(3)
    def socket_message(self):
        if self.socket is None:
            return
        client_id = uuid.uuid4().hex
        self.pending[client_id] = time.perf_counter()
        frame = {"type": "room.message", "room": self.room, "content": f"load {client_id[:8]}"}
        self.socket.send(json.dumps({**frame, "client_id": client_id, "ref": client_id}))

    @task(1)
    def rest_message(self):
        with self.client.post(
            f"/api/v1/rooms/{self.room}/messages/",
            json={"content": "load over REST", "client_id": uuid.uuid4().hex},
            headers={"Authorization": f"Bearer {self.token}"},
            name="chat: POST /api/v1/rooms/[id]/messages/",
            catch_response=True,
        ) as response:
            if response.status_code != 201:
                response.failure(f"expected 201, got {response.status_code}")

    def on_stop(self):
        deadline = time.perf_counter() + ECHO_TIMEOUT
        while self.pending and time.perf_counter() < deadline:
            gevent.sleep(0.05)
        for started in self.pending.values():
            self._report("chat: WS room.message (echo)", started, TimeoutError("no echo"))
        self.pending.clear()
        socket, self.socket = self.socket, None
        if socket is not None:
            socket.close()
