"""A newcomer's whole journey in Chromium, through the pages only, against a real server process.

Sign up, confirm the email address from the link in the mail the server sent, create a room, chat
live with a second person who joins it, upload a track and play it, list a product in the shop, then
find the room, the track and the product with the search box in the site header (its suggestions,
then the results page and its tabs).

On failure, screenshots of every open page are saved and their folder is named in the message.
"""

import email
import re
from contextlib import contextmanager
from email import policy

import pytest
from playwright.sync_api import expect

from tests.accounts.factories import PASSWORD, UserFactory
from tests.e2e.conftest import log_in, start_server, stop_servers, wait_for
from tests.media.conftest import make_audio

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 20_000  # milliseconds: generous, for a loaded two-core machine
VIEWPORT = {"width": 360, "height": 740}
NEWCOMER, NEWCOMER_PASSWORD = "nadia", "plum-velvet-orbit-42"
ROOM, TRACK, PRODUCT = "Nocturne Lounge", "Aurora Tide", "Crate Sampler Vinyl"


@pytest.fixture
def outbox(tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    return folder


@pytest.fixture
def server(transactional_db, settings, outbox):
    """The shared live server, sending its mail to files in ``outbox``."""
    running = start_server(settings, EMAIL_URL=f"filemail:///{outbox}")
    yield running
    stop_servers(running)


@pytest.fixture
def friend(server):
    """The second person, made before the browser starts (see conftest.browser_page)."""
    return UserFactory(username="theo")


@pytest.fixture(autouse=True)
def patient_expect():
    """Assertions wait up to WAIT (not Playwright's 5 s) in this module only."""
    expect.set_options(timeout=WAIT)
    yield
    expect.set_options(timeout=None)


@pytest.fixture
def audio_file(tmp_path):
    path = tmp_path / "aurora.ogg"
    path.write_bytes(make_audio(tmp_path, "ogg", seconds=4, tags=None))
    return path


class Journey:
    """Names the step under way, and saves screenshots of every page when one fails."""

    def __init__(self, folder):
        self.folder = folder
        self.pages = {}

    @contextmanager
    def step(self, name):
        try:
            yield
        except Exception as exc:
            self.folder.mkdir(exist_ok=True)
            for label, page in self.pages.items():
                if not page.is_closed():
                    page.screenshot(path=str(self.folder / f"{label}.png"), full_page=True)
            raise AssertionError(
                f"step '{name}' failed: {exc}\nscreenshots of the pages: {self.folder}"
                f"\nlast addresses: { {label: page.url for label, page in self.pages.items()} }"
            ) from exc


def verification_link(outbox, address) -> str:
    """The link of the one mail the server wrote to ``outbox`` (file backend: one file per mail)."""
    files = sorted(outbox.iterdir())
    assert len(files) == 1, f"expected one mail in {outbox}, found {[f.name for f in files]}"
    raw = files[0].read_bytes().rstrip(b"-\r\n")  # the backend ends each mail with a line of dashes
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["To"] == address
    body = message.get_body(preferencelist=("plain",)).get_content()
    match = re.search(r"https?://\S+/accounts/verify/\S+/", body)
    assert match, body
    return match.group(0)


def search_from_header(page, text):
    box = page.locator("form.site-search input[name=q]")
    box.fill(text)
    box.press("Enter")
    page.wait_for_url(re.compile(r".*/search\?q="), timeout=WAIT)


def test_newcomer_journey(server, outbox, friend, audio_file, browser_page, tmp_path):
    me = browser_page
    other = me.context.browser.new_context(viewport=VIEWPORT).new_page()
    other.errors = []
    other.on("pageerror", lambda exc: other.errors.append(str(exc)))
    journey = Journey(tmp_path / "screenshots")
    journey.pages = {"newcomer": me, "friend": other}

    with journey.step("sign up"):
        me.goto(f"{server.url}/")
        me.locator(".site-header").get_by_role("link", name="Sign up").click()
        expect(me.locator("h1")).to_have_text("Join Veza")
        me.fill("input[name=username]", NEWCOMER)
        me.fill("input[name=email]", f"{NEWCOMER}@example.org")
        me.fill("input[name=password1]", NEWCOMER_PASSWORD)
        me.fill("input[name=password2]", NEWCOMER_PASSWORD)
        me.get_by_role("button", name="Create my account").click()
        expect(me.locator(".messages")).to_contain_text(f"Welcome to Veza, {NEWCOMER}!")
        expect(me.locator(".site-header .me")).to_contain_text(NEWCOMER)

    with journey.step("verify the email address"):
        me.locator(".site-header .me").click()
        expect(me.locator(".profile")).to_contain_text("is not confirmed yet")
        link = verification_link(outbox, f"{NEWCOMER}@example.org")
        assert link.startswith(server.url), link  # links point at the site (SITE_URL)
        me.goto(link)
        expect(me.locator("h1")).to_have_text("Email confirmed")
        me.locator(".site-header .me").click()
        expect(me.locator(".profile h1")).to_be_visible()
        expect(me.locator(".profile")).not_to_contain_text("not confirmed")

    with journey.step("create a room"):
        me.locator(".site-header").get_by_role("link", name="Rooms", exact=True).click()
        me.get_by_role("link", name="New room").click()
        me.fill("input[name=name]", ROOM)
        me.fill("textarea[name=description]", "Late-night listening and talk")
        me.get_by_role("button", name="Save").click()
        expect(me.locator("#chat h1")).to_have_text(ROOM)
        expect(me.locator("#connection")).to_have_text("Live")

    with journey.step("chat with a second person"):
        log_in(other, server, friend.username, PASSWORD)
        other.locator(".site-header").get_by_role("link", name="Rooms", exact=True).click()
        other.get_by_role("link", name=ROOM).click()
        other.get_by_role("button", name="Join this room").click()
        expect(other.locator("#connection")).to_have_text("Live")
        expect(me.locator("#online")).to_contain_text(friend.username)
        other.fill("#message-input", "hello nadia, welcome!")
        other.press("#message-input", "Enter")
        expect(me.locator(".message", has_text="hello nadia, welcome!")).to_be_visible()
        me.fill("#message-input", "thanks theo")
        me.locator("#composer").get_by_role("button", name="Send").click()
        expect(other.locator(".message", has_text="thanks theo")).to_be_visible()

    with journey.step("upload a track and play it"):
        me.locator(".site-header").get_by_role("link", name="Tracks", exact=True).click()
        me.locator(".subnav").get_by_role("link", name="Upload", exact=True).click()
        me.set_input_files("input[name=file]", str(audio_file))
        me.fill("input[name=title]", TRACK)
        me.fill("input[name=artist]", "Nadia")
        expect(me.locator("input[name=is_public]")).to_be_checked()
        me.locator("#upload-form").get_by_role("button", name="Upload").click()
        me.wait_for_url(re.compile(r".*/tracks/\d+/$"), timeout=WAIT)
        expect(me.locator("h1")).to_have_text(TRACK)
        wait_for(me, "document.getElementById('player').readyState >= 1", timeout=WAIT)
        me.evaluate("document.getElementById('player').play()")
        wait_for(me, "document.getElementById('player').currentTime > 0.5", timeout=WAIT)
        assert not me.evaluate("document.getElementById('player').error")

    with journey.step("list a product"):
        me.locator(".site-header").get_by_role("link", name="Shop", exact=True).click()
        me.locator(".subnav").get_by_role("link", name="My shop", exact=True).click()
        me.get_by_role("link", name="New product").click()
        me.fill("input[name=name]", PRODUCT)
        me.fill("textarea[name=description]", "A sample pack cut from old records.")
        me.fill("input[name=price]", "12.50")
        me.fill("input[name=category]", "samples")
        me.get_by_role("button", name="Save").click()
        expect(me.locator("h1")).to_have_text(PRODUCT)
        me.locator(".subnav").get_by_role("link", name="My shop", exact=True).click()
        expect(me.locator(".rows").first).to_contain_text(PRODUCT)

    with journey.step("find the track from the header's suggestions"):
        box = me.locator("form.site-search input[name=q]")
        box.press_sequentially("auror", delay=50)
        suggestion = me.locator("#search-suggestions a", has_text=TRACK)
        expect(suggestion).to_be_visible()
        expect(suggestion).to_contain_text("track")
        suggestion.click()
        expect(me.locator("h1")).to_have_text(TRACK)

    with journey.step("find the room on the results page"):
        search_from_header(me, "nocturne")
        tab = me.locator(".tabs").get_by_role("link", name=re.compile(r"^Rooms"))
        expect(tab.locator(".count")).to_have_text("1")
        tab.click()
        expect(tab).to_have_attribute("aria-current", "page")
        me.locator(".search-results").get_by_role("link", name=ROOM).click()
        expect(me.locator("#chat h1")).to_have_text(ROOM)

    with journey.step("find the product on the results page"):
        search_from_header(me, "vinyl sampler")
        me.locator(".tabs").get_by_role("link", name=re.compile(r"^Products")).click()
        expect(me.locator(".search-results li")).to_have_count(1)
        me.locator(".search-results").get_by_role("link", name=PRODUCT).click()
        expect(me.locator("h1")).to_have_text(PRODUCT)

    with journey.step("no script error on any page"):
        assert me.errors == [] and other.errors == []
    other.context.close()
