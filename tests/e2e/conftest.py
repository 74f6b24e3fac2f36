"""Browser tests: Playwright driving Debian's Chromium against a live server on the test database."""

import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass

import pytest

from tests.ports import free_port

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--autoplay-policy=no-user-gesture-required",
    "--mute-audio",
]


@pytest.fixture
def browser_page(server, monkeypatch):
    if not shutil.which("chromium"):
        pytest.skip("Debian's chromium is not installed (.ci/run installs it)")
    # Playwright's sync API keeps an event loop in this thread; the test still talks to the database.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 360, "height": 740})
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        # What the Content-Security-Policy blocks, Chromium reports on the console: an error of the page too.
        page.on(
            "console",
            lambda message: "Content Security Policy" in message.text and errors.append(message.text),
        )
        page.errors = errors
        yield page
        context.close()
        browser.close()
        # Code under Playwright's sync API runs in a context of its own, with its own database
        # connection: close it here, or it would outlive the test.
        from django.db import connections

        connections.close_all()


SERVER_APP_NAME = "veza-e2e-server"  # libpq tags the server processes' database sessions with it


@dataclass
class Server:
    url: str
    process: subprocess.Popen


# The production server's WebSocket options (docs/operations.md).
SERVER_WS_ARGS = ("--ws", "realtime.server:WebSocketProtocol", "--ws-per-message-deflate", "false")


def start_server(settings, *, workers: int = 1, uvicorn_args: tuple[str, ...] = (), **env) -> Server:
    """A real uvicorn process (``workers`` processes) serving Veza on the test database, Redis and media folder.

    It runs with the production WebSocket options; ``uvicorn_args`` adds options (a later one wins),
    ``env`` overrides the environment.
    """
    from tests.veza.test_settings import ROOT, manage_env

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    defaults = {"DEBUG": "true", "MEDIA_ROOT": str(settings.MEDIA_ROOT), "DATABASE_POOL": "true", "SITE_URL": url}
    environment = manage_env(**{**defaults, **env, "PGAPPNAME": SERVER_APP_NAME})
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "uvicorn", "veza.asgi:application", "--host", "127.0.0.1", "--port", str(port),
         "--workers", str(workers), "--log-level", "warning", "--timeout-graceful-shutdown", "2", *SERVER_WS_ARGS,
         *uvicorn_args],
        cwd=ROOT,
        env=environment,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)  # noqa: S310 (a local URL)
            return Server(url, process)
        except OSError:
            if process.poll() is not None:
                raise RuntimeError("the server process exited") from None
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the server did not start")


def stop_servers(*servers: Server) -> None:
    """Stop the processes, then wait until PostgreSQL has let go of their sessions."""
    from django.db import connection

    for running in servers:
        running.process.terminate()
    for running in servers:
        try:
            running.process.wait(10)
        except subprocess.TimeoutExpired:
            running.process.kill()
            running.process.wait(5)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name = %s",
                [SERVER_APP_NAME],
            )
            if cursor.fetchone()[0] == 0:
                return
        time.sleep(0.1)


@pytest.fixture
def server(transactional_db, settings):
    running = start_server(settings)
    yield running
    stop_servers(running)


def wait_for(page, expression: str, *, timeout: float) -> None:
    """Wait until the JavaScript ``expression`` is true on ``page``, for up to ``timeout`` milliseconds.

    ``page.wait_for_function`` polls by evaluating the string inside the page, which its
    Content-Security-Policy forbids (no ``'unsafe-eval'``); ``page.evaluate`` goes through the DevTools
    protocol, outside the page's policy.
    """
    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {expression}")
        page.wait_for_timeout(100)


def log_in(page, server, username, password):
    page.goto(f"{server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form button[type=submit]")
    page.wait_for_url(f"{server.url}/")
