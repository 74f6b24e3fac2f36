"""The moderation console's activity dashboard in a 360 px wide browser."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.accounts.factories import PASSWORD, AdminFactory
from tests.chat.factories import MessageFactory
from tests.rooms.factories import RoomFactory, RoomMemberFactory, RoomMessageFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_dashboard_fits_a_narrow_screen(browser_page, server):
    admin = AdminFactory(username="moderator")
    room = RoomFactory(name="a-room-with-a-rather-long-name-for-a-phone")
    for _ in range(3):
        RoomMemberFactory(room=room)
        RoomMessageFactory(room=room, created_at=timezone.now() - dt.timedelta(hours=3))
    MessageFactory(sender=admin, timestamp=timezone.now() - dt.timedelta(hours=1))

    page = browser_page
    page.goto(f"{server.url}/admin/login/?next=/admin/dashboard/")
    page.fill("input[name=username]", "moderator")
    page.fill("input[name=password]", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(f"{server.url}/admin/dashboard/")

    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    for index in range(3):
        box = charts.nth(index).bounding_box()
        assert 200 < box["width"] <= 360
        assert box["x"] >= 0
    assert page.get_by_role("img", name="Most active rooms, last 7 days").is_visible()
    assert page.locator("#rooms-table").get_by_text("a-room-with-a-rather-long-name-for-a-phone").is_visible()
    assert page.errors == []
