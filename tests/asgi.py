"""Building ASGI requests for tests that call an ASGI application directly."""


def http_scope(method: str, path: str, *, query: bytes = b"", headers=(), client_port: int = 50000) -> dict:
    """The scope of an HTTP/1.1 request to ``testserver`` (its ``host`` header first, then ``headers``)."""
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("127.0.0.1", client_port),
        "server": ("testserver", 80),
    }
