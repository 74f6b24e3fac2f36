"""The Content-Security-Policy in Chromium: the main pages, the console and the API docs load and run with
no violation report and no console error."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import services as catalog_services
from tests.accounts.factories import PASSWORD, SuperAdminFactory, UserFactory
from tests.e2e.conftest import log_in, wait_for
from tests.media.conftest import make_audio
from tests.rooms.factories import RoomFactory, RoomMemberFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

# Recorded by a script the browser runs before the page's own (Playwright's init scripts are not subject
# to the page's policy).
WATCH_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || location.href}:${event.lineNumber}`);
});
"""


def record_error(page, message) -> None:
    # The browser's own favicon.ico request (Veza has no favicon) is no error of the page.
    if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
        page.console_errors.append(f"{message.text} ({message.location.get('url')})")


@pytest.fixture
def watched_page(browser_page):
    page = browser_page
    page.console_errors = []
    page.on("console", lambda message: record_error(page, message))
    page.add_init_script(WATCH_VIOLATIONS)
    return page


def visit(page, url: str, *, ready: str | None = None):
    response = page.goto(url)
    assert response.status < 400, f"{url}: {response.status}"
    policy = response.header_value("content-security-policy") or ""
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, url
    if ready:
        page.wait_for_selector(ready, timeout=15_000)
    page.wait_for_load_state("networkidle")
    violations = page.evaluate("window.__cspViolations")
    assert violations == [], f"{url}: {violations}"
    assert page.console_errors == [], f"{url}: {page.console_errors}"
    assert page.errors == [], f"{url}: {page.errors}"


def test_the_pages_run_under_the_policy_without_violations(watched_page, server, tmp_path):
    page = watched_page
    owner = UserFactory(username="listener")
    room = RoomFactory(name="lounge", creator=owner)
    RoomMemberFactory(room=room, user=owner)
    wav = make_audio(tmp_path, "wav", seconds=1.0)
    track = catalog_services.track_upload(creator=owner, upload=SimpleUploadedFile("s.wav", wav), is_public=True)

    for path in ("/", "/tracks/", "/accounts/login/", "/accounts/signup/", "/search?q=sine"):
        visit(page, server.url + path)
    log_in(page, server, "listener", PASSWORD)
    visit(page, f"{server.url}/tracks/{track.pk}/")
    visit(page, f"{server.url}/tracks/upload/")
    visit(page, f"{server.url}/accounts/profile/")
    # The room's live chat: its script opens the WebSocket (connect-src) and shows the history.
    visit(page, f"{server.url}/rooms/{room.pk}/")
    wait_for(page, "document.getElementById('connection').textContent === 'Live'", timeout=10_000)
    assert page.evaluate("window.__cspViolations") == []
    assert page.console_errors == []


def test_the_console_and_the_api_docs_run_under_the_policy(watched_page, server):
    SuperAdminFactory(username="moderator")
    someone = UserFactory(username="someone")
    page = watched_page
    visit(page, f"{server.url}/api/v1/docs/", ready=".swagger-ui .info")
    visit(page, f"{server.url}/admin/login/")
    page.fill("input[name=username]", "moderator")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{server.url}/admin/")
    change_user = f"/admin/accounts/user/{someone.pk}/change/"
    for path in ("/admin/", "/admin/dashboard/", "/admin/accounts/user/", change_user, "/admin/rooms/roommember/add/"):
        visit(page, server.url + path)
