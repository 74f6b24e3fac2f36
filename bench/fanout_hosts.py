"""Two Veza hosts for bench/chat_fanout.py ``--hosts 2``: one network namespace each, shared PostgreSQL and Redis.

Needs root and ``ip`` (iproute2) and ``socat`` (Debian packages). The layout, made for the run and
removed after it (also when the run fails or is interrupted):

- a bridge ``vzbench0`` (10.231.0.1/24) in this namespace; each host is a namespace ``veza-bench-<n>``
  joined to the bridge by a veth pair (10.231.0.2, 10.231.0.3), with its Veza server on that address;
- PostgreSQL and Redis stay where they are, and the hosts reach both over TCP across their interface,
  as two machines would; every client-to-server byte also crosses a veth pair. The embedded Redis
  (on a unix socket) listens on 10.231.0.1 for the run as well (``CONFIG SET``, undone after it); a
  ``socat`` on 10.231.0.1 forwards to PostgreSQL (whose listening addresses change only with a
  restart) and to a Redis reached over TCP (the machine's, left as it is). The forwarders set
  ``TCP_NODELAY``, as PostgreSQL and Redis do on their own sockets: without it, Nagle's algorithm holds
  back each small write behind an unacknowledged one.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from contextlib import ExitStack, contextmanager
from urllib.parse import quote, urlsplit

from bench.common import free_port, start_veza, stop

BRIDGE = "vzbench0"
SUBNET = "10.231.0"
GATEWAY = f"{SUBNET}.1"


def _ip(*args: str, check: bool = True) -> None:
    subprocess.run(["ip", *args], check=check, capture_output=True)  # noqa: S603, S607


def namespace(n: int) -> str:
    return f"veza-bench-{n}"


def address(n: int) -> str:
    return f"{SUBNET}.{n + 2}"


def teardown(count: int = 2) -> None:
    """Remove the namespaces (their veth pairs go with them) and the bridge; what is missing is skipped."""
    for n in range(count):
        _ip("netns", "del", namespace(n), check=False)
    _ip("link", "del", BRIDGE, check=False)


def setup(count: int = 2) -> None:
    teardown(count)  # leftovers of an interrupted run
    _ip("link", "add", BRIDGE, "type", "bridge")
    _ip("addr", "add", f"{GATEWAY}/24", "dev", BRIDGE)
    _ip("link", "set", BRIDGE, "up")
    for n in range(count):
        name, outer, inner = namespace(n), f"vzb{n}o", f"vzb{n}i"
        _ip("netns", "add", name)
        _ip("link", "add", outer, "type", "veth", "peer", "name", inner)
        _ip("link", "set", outer, "master", BRIDGE, "up")
        _ip("link", "set", inner, "netns", name)
        _ip("-n", name, "addr", "add", f"{address(n)}/24", "dev", inner)
        _ip("-n", name, "link", "set", inner, "up")
        _ip("-n", name, "link", "set", "lo", "up")


def _forward(target: str) -> tuple[int, subprocess.Popen]:
    """A socat listening on the bridge's address and relaying each connection to ``target`` (a socat address)."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        ["socat", f"TCP-LISTEN:{port},bind={GATEWAY},reuseaddr,fork,backlog=512,nodelay", target],  # noqa: S607
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return port, process


def _database_target() -> tuple[str, str]:
    """The socat address of this process's PostgreSQL, and the DATABASE_URL template ({port}) for the hosts."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    host, port = db.get("HOST") or "/var/run/postgresql", db.get("PORT") or "5432"
    target = f"UNIX-CONNECT:{host}/.s.PGSQL.{port}" if host.startswith("/") else f"TCP:{host}:{port}"
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    return target, f"postgres://{quote(db['USER'], safe='')}{password}@{GATEWAY}:{{port}}/{quote(db['NAME'], safe='')}"


def _redis_url(stack: ExitStack) -> str:
    """The REDIS_URL for the hosts: this process's Redis, reached on the bridge's address."""
    from django.conf import settings

    parts = urlsplit(settings.REDIS_URL)
    auth = f":{quote(parts.password, safe='')}@" if parts.password else ""
    if parts.scheme == "unix":  # the embedded Redis: it listens on the bridge itself while the run lasts
        import redis

        client = redis.Redis(unix_socket_path=parts.path)
        before = client.config_get("bind")["bind"], client.config_get("port")["port"]
        port = free_port()
        client.config_set("bind", GATEWAY)
        client.config_set("port", port)
        stack.callback(lambda: (client.config_set("port", before[1]), client.config_set("bind", before[0])))
    else:
        port, forward = _forward(f"TCP:{parts.hostname}:{parts.port or 6379}")
        stack.callback(stop, forward)
    return f"redis://{auth}{GATEWAY}:{port}/0"


def check() -> None:
    if os.geteuid() != 0:
        raise SystemExit("--hosts 2 makes network namespaces: run it as root")
    for tool in ("ip", "socat"):
        if not shutil.which(tool):
            raise SystemExit(f"--hosts 2 needs {tool}: apt-get install {'iproute2' if tool == 'ip' else tool}")


@contextmanager
def veza_hosts(count: int, workers: int, uvicorn_args: tuple[str, ...] = (), **env):
    """``count`` Veza servers, each in its namespace, sharing this process's PostgreSQL and Redis; yields their URLs."""
    check()
    with ExitStack() as stack:
        stack.callback(teardown, count)
        setup(count)
        db_target, db_url = _database_target()
        db_port, db_forward = _forward(db_target)
        stack.callback(stop, db_forward)
        redis_url = _redis_url(stack)
        hosts = ",".join(["127.0.0.1", "localhost", *(address(n) for n in range(count))])
        urls = []
        for n in range(count):
            url, process = start_veza(
                workers,
                uvicorn_args,
                host=address(n),
                prefix=("ip", "netns", "exec", namespace(n)),
                DATABASE_URL=db_url.format(port=db_port),
                REDIS_URL=redis_url,
                ALLOWED_HOSTS=hosts,
                **env,
            )
            stack.callback(stop, process)
            urls.append(url)
        yield urls
