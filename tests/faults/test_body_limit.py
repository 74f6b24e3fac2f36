"""Against a real uvicorn process: a body over the limit gets its 413 while the client is still sending it
(or before it sends a byte of it), and the server stops reading there."""

import json
import select
import socket
import time
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import start_server, stop_servers

pytestmark = pytest.mark.timeout(120)
LIMIT = 100_000


@pytest.fixture
def limited_server(transactional_db, settings):
    running = start_server(settings, REQUEST_MAX_BYTES=str(LIMIT), UPLOAD_REQUEST_MAX_BYTES=str(4 * LIMIT))
    yield running
    stop_servers(running)


def connect(server) -> socket.socket:
    address = urlsplit(server.url)
    return socket.create_connection((address.hostname, address.port), timeout=30)


def head(server, method: str, path: str, *framing: str) -> bytes:
    host = urlsplit(server.url).netloc
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", "Content-Type: application/json", *framing]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def read_answer(sock: socket.socket) -> tuple[int, dict, bytes]:
    answer = b""
    try:
        while chunk := sock.recv(65536):
            answer += chunk
    except ConnectionResetError:
        # The server closed with the rest of the body unread: the kernel resets the connection after the answer.
        assert answer, "the connection was reset before any answer"
    header, _, body = answer.partition(b"\r\n\r\n")
    lines = header.decode().split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def test_a_declared_length_over_the_limit_is_answered_before_the_body_is_sent(limited_server):
    with connect(limited_server) as sock:
        sock.sendall(head(limited_server, "POST", "/api/v1/auth/login", f"Content-Length: {10**12}"))
        # Not a byte of the body: the answer comes from the headers alone, and the server closes.
        status, headers, body = read_answer(sock)
    assert status == 413
    assert json.loads(body)["error"]["code"] == "too_large"
    assert headers["connection"] == "close"


def test_an_upload_route_refuses_past_its_own_larger_limit_only(limited_server):
    with connect(limited_server) as sock:
        sock.sendall(head(limited_server, "POST", "/api/v1/files/", f"Content-Length: {4 * LIMIT + 1}"))
        status, _, _ = read_answer(sock)
    assert status == 413
    with connect(limited_server) as sock:
        sock.sendall(
            head(limited_server, "POST", "/api/v1/files/", f"Content-Length: {2 * LIMIT}", "Connection: close")
        )
        sock.sendall(b"x" * (2 * LIMIT))
        status, _, body = read_answer(sock)
    assert status == 401  # read whole, then the view asks who is uploading
    assert json.loads(body)["error"]["code"] == "not_authenticated"


def test_an_endless_chunked_body_is_cut_at_the_limit(limited_server):
    chunk = b"x" * 16_384
    frame = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    sent = 0
    with connect(limited_server) as sock:
        sock.sendall(head(limited_server, "POST", "/api/v1/auth/login", "Transfer-Encoding: chunked"))
        deadline = time.monotonic() + 30
        # The client would go on for ever; it stops only when the server has answered.
        while not select.select([sock], [], [], 0)[0]:
            assert time.monotonic() < deadline, "no answer while the body kept coming"
            try:
                sock.sendall(frame)
            except (BrokenPipeError, ConnectionResetError):
                break
            sent += len(chunk)
            assert sent < 500 * LIMIT, "the server kept reading past the limit"
        status, _, body = read_answer(sock)
    assert status == 413
    assert json.loads(body)["error"]["code"] == "too_large"
