"""Two people chat in a room page in Chromium: live delivery, escaping, typing, edit in place."""

import pytest

from rooms import services
from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import log_in, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def room(server):
    """Made before the browser starts: services broadcast, which needs no running event loop here."""
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    room = services.room_create(creator=alice, name="browser-room")
    services.room_join(user=bob, room=room)
    return room


def test_two_users_chat_in_a_room(server, room, browser_page):
    page_a = browser_page
    page_b = page_a.context.browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    log_in(page_a, server, "alice", PASSWORD)
    log_in(page_b, server, "bob", PASSWORD)
    for page in (page_a, page_b):
        page.goto(f"{server.url}/rooms/{room.pk}/")
        wait_for(page, "document.getElementById('connection').textContent === 'Live'", timeout=10000)
    page_b.wait_for_selector("#online li:has-text('alice')", timeout=10000)

    page_b.fill("#message-input", "<script>alert(1)</script> hello alice")
    page_a.wait_for_selector("#typing:has-text('bob is typing')", timeout=10000)
    page_b.click("#composer button[type=submit]")
    line = page_a.wait_for_selector(".message:has-text('hello alice') .text", timeout=10000)
    assert line.inner_text() == "<script>alert(1)</script> hello alice"  # shown as text, never run
    assert page_a.evaluate("document.querySelectorAll('#messages script').length") == 0

    page_a.fill("#message-input", "hi bob")
    page_a.press("#message-input", "Enter")
    page_b.wait_for_selector(".message:has-text('hi bob')", timeout=10000)

    mine = page_b.locator(".message:has-text('hello alice')")
    mine.locator("button:has-text('Edit')").click()
    page_b.fill(".edit-input", "hello again")
    page_b.press(".edit-input", "Enter")
    page_a.wait_for_selector(".message:has-text('hello again') .edited", timeout=10000)
    assert page_a.errors == [] and page_b.context.pages
    page_b.context.close()
