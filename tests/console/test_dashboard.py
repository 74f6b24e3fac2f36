"""The activity dashboard of the moderation console: its queries, its page, who may see it."""

import datetime as dt
import re
from html.parser import HTMLParser

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from chat import partitions
from console import analytics
from marketplace.models import ListingStatus
from rooms.models import MessageType
from tests.accounts.factories import AdminFactory, SuperAdminFactory, UserFactory
from tests.catalog.factories import TrackFactory
from tests.chat.factories import MessageFactory
from tests.marketplace.factories import ListingFactory, ProductFactory
from tests.rooms.factories import RoomFactory, RoomMemberFactory, RoomMessageFactory

pytestmark = pytest.mark.django_db

UTC = dt.UTC
# Early on the first day of a month, so the last 24 hours span two monthly partitions of `messages`.
NOW = dt.datetime(2030, 7, 1, 5, 30, tzinfo=UTC)
XSS = "<script>x</script>"


def at(month, day, hour=0, minute=0, second=0):
    return dt.datetime(2030, month, day, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def activity():
    """A small community around NOW (2030-07-01 05:30 UTC), with rows on both sides of every window.

    New users (last 30 days = 2030-06-02 .. 2030-07-01): 2 on 06-02, 3 on 06-30, 1 on 07-01;
    ``old`` (05-20) and ``late`` (06-01 23:59:59) fall outside.

    Last 24 hours = 2030-06-30 06:00 .. 2030-07-01 05:59, hour by hour:
    direct messages: 1 at 06-30 06h, 2 at 23h, 1 at 07-01 00h, 1 at 05h (one at 06-30 05:59:59
    and one in May are outside); room messages: 1 at 23h, 1 at 00h, 1 at 05h.

    Last 7 days = from 2030-06-24 05:30:
    rock (5 members): 3 messages, plus an older one and a join notice (not counted);
    jazz (private, 2 members): 3 messages, one exactly on the window's start, one a second before it;
    <script>x</script> (1 member): 1 message; lobby (8 members): one old message only;
    alpha and beta: no members, no messages.
    """
    partitions.ensure_month_partition(dt.date(2030, 6, 1))
    partitions.ensure_month_partition(dt.date(2030, 7, 1))

    old = UserFactory(username="old", created_at=at(5, 20), is_active=False)
    late = UserFactory(username="late", created_at=at(6, 1, 23, 59, 59))
    ann = UserFactory(username="ann", created_at=at(6, 2))
    ben = UserFactory(username="ben", created_at=at(6, 2, 18))
    cid = UserFactory(username="cid", created_at=at(6, 30, 0, 10))
    dee = UserFactory(username="dee", created_at=at(6, 30, 12))
    eve = UserFactory(username="eve", created_at=at(6, 30, 23, 59, 59))
    fay = UserFactory(username="fay", created_at=at(7, 1, 5), last_login=at(6, 30, 8))
    everyone = [old, late, ann, ben, cid, dee, eve, fay]

    rock = RoomFactory(name="rock", creator=ann)
    jazz = RoomFactory(name="jazz", creator=late, is_private=True)
    lobby = RoomFactory(name="lobby", creator=ann)
    xss = RoomFactory(name=XSS, creator=ann)
    RoomFactory(name="alpha", creator=ann)
    RoomFactory(name="beta", creator=ann)
    for user in (ann, ben, cid, dee, eve):
        RoomMemberFactory(room=rock, user=user)
    for user in (late, fay):
        RoomMemberFactory(room=jazz, user=user)
    for user in everyone:
        RoomMemberFactory(room=lobby, user=user)
    RoomMemberFactory(room=xss, user=ann)

    def said(room, user, when, kind=MessageType.MESSAGE):
        RoomMessageFactory(room=room, user=user, created_at=when, message_type=kind)

    said(rock, ann, at(6, 10))
    said(rock, ben, at(6, 28, 12))
    said(rock, cid, at(6, 30, 23, 30))
    said(rock, dee, at(7, 1, 0, 30), MessageType.JOIN)
    said(rock, eve, at(7, 1, 5, 20))
    said(jazz, late, at(6, 24, 5, 29, 59))
    said(jazz, late, at(6, 24, 5, 30))
    said(jazz, fay, at(6, 25, 10))
    said(jazz, fay, at(7, 1, 0, 40))
    said(lobby, old, at(6, 20))
    said(xss, ann, at(6, 29))

    direct = [
        at(5, 15),
        at(6, 30, 5, 59, 59),
        at(6, 30, 6),
        at(6, 30, 23, 15),
        at(6, 30, 23, 45),
        at(7, 1, 0, 5),
        at(7, 1, 5, 10),
    ]
    for when in direct:
        MessageFactory(sender=ann, recipient=ben, timestamp=when)

    TrackFactory(file__user=ann)
    ProductFactory(creator=ann)
    ProductFactory(creator=ann, is_active=False)
    ListingFactory(seller=ben, status=ListingStatus.ACTIVE)
    ListingFactory(seller=ben)


def test_direct_messages_of_the_fixture_span_three_partitions(activity):
    with connection.cursor() as cursor:
        cursor.execute("SELECT DISTINCT tableoid::regclass::text FROM messages ORDER BY 1")
        assert [row[0] for row in cursor.fetchall()] == ["messages_2030_06", "messages_2030_07", "messages_default"]


def test_new_users_per_day_has_every_day_of_the_last_30_days(activity):
    series = analytics.new_users_per_day(now=NOW)
    assert len(series) == 30
    assert series[0] == (dt.date(2030, 6, 2), 2)
    assert series[-1] == (dt.date(2030, 7, 1), 1)
    assert [(day.isoformat(), count) for day, count in series if count] == [
        ("2030-06-02", 2),
        ("2030-06-30", 3),
        ("2030-07-01", 1),
    ]
    assert sum(count for _, count in series) == 6


def test_messages_per_hour_has_every_hour_of_the_last_24_hours(activity):
    series = analytics.messages_per_hour(now=NOW)
    assert [row.hour for row in series] == [at(6, 30, 6) + dt.timedelta(hours=n) for n in range(24)]
    assert [(row.direct, row.room) for row in series] == [
        (1, 0),  # 06-30 06h
        *[(0, 0)] * 16,  # 07h .. 22h
        (2, 1),  # 23h
        (1, 1),  # 07-01 00h: the join notice is not a message
        *[(0, 0)] * 4,  # 01h .. 04h
        (1, 1),  # 05h, the current hour
    ]
    assert series[-1].total == 2


def test_days_and_hours_are_utc_whatever_the_active_time_zone(activity):
    with timezone.override("Pacific/Kiritimati"):  # UTC+14: eve's 06-30 23:59:59 UTC is 07-01 there
        assert analytics.new_users_per_day(now=NOW)[-1] == (dt.date(2030, 7, 1), 1)
        assert analytics.messages_per_hour(now=NOW.astimezone(timezone.get_current_timezone()))[-1].hour == at(7, 1, 5)


def test_top_rooms_counts_messages_and_members_independently(activity):
    top = analytics.top_rooms(now=NOW)
    assert [(room.name, room.recent_messages, room.member_count, room.is_private) for room in top] == [
        ("rock", 3, 5, False),
        ("jazz", 3, 2, True),  # ties with rock on messages, has fewer members
        (XSS, 1, 1, False),
        ("lobby", 0, 8, False),  # no recent messages: still listed
        ("alpha", 0, 0, False),
        ("beta", 0, 0, False),
    ]


def test_top_rooms_keeps_the_first_ones(activity):
    assert [room.name for room in analytics.top_rooms(now=NOW, limit=3)] == ["rock", "jazz", XSS]


DOCUMENT_TOP_ROOMS = """
SELECT r.name, COUNT(rm.id) AS member_count, COUNT(rmm.id) AS message_count
FROM rooms r
LEFT JOIN room_members rm ON r.id = rm.room_id
LEFT JOIN room_messages rmm ON r.id = rmm.room_id
WHERE rmm.created_at >= %s - INTERVAL '7 days'
GROUP BY r.id, r.name
ORDER BY message_count DESC
LIMIT 10
"""


def test_the_documents_top_rooms_query_multiplies_counts_and_drops_quiet_rooms(activity):
    """What ``analytics.top_rooms`` fixes: members x messages, and no lobby, alpha or beta."""
    with connection.cursor() as cursor:
        cursor.execute(DOCUMENT_TOP_ROOMS, [NOW])
        assert cursor.fetchall() == [("rock", 20, 20), ("jazz", 6, 6), (XSS, 1, 1)]


def test_totals(activity):
    assert analytics.totals(now=NOW) == {
        "users": 8,
        "active_users": 7,
        "recent_logins": 1,
        "rooms": 6,
        "private_rooms": 1,
        "room_messages": 10,
        "direct_messages": 7,
        "tracks": 1,
        "products": 2,
        "active_products": 1,
        "listings": 2,
        "active_listings": 1,
    }


def test_each_read_runs_a_fixed_number_of_queries(activity, django_assert_max_num_queries):
    for n in range(5):
        room = RoomFactory(name=f"more-{n}")
        RoomMemberFactory(room=room)
        RoomMessageFactory(room=room, created_at=NOW - dt.timedelta(hours=n))
        MessageFactory(timestamp=NOW - dt.timedelta(hours=n))
    with django_assert_max_num_queries(1):
        analytics.totals(now=NOW)
    with django_assert_max_num_queries(1):
        analytics.new_users_per_day(now=NOW)
    with django_assert_max_num_queries(2):
        analytics.messages_per_hour(now=NOW)
    with django_assert_max_num_queries(1):
        assert len(analytics.top_rooms(now=NOW)) == 10


def test_naive_now_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        analytics.totals(now=dt.datetime(2030, 7, 1))


def test_messages_per_hour_reads_only_the_partitions_of_its_window(activity):
    with CaptureQueriesContext(connection) as queries:
        analytics.messages_per_hour(now=NOW)
    (direct,) = [query["sql"] for query in queries.captured_queries if 'FROM "messages"' in query["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + direct)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert sorted(set(re.findall(r" on (messages_\w+)", plan))) == ["messages_2030_06", "messages_2030_07"]


# --- The page ------------------------------------------------------------------------------------

URL = "/admin/dashboard/"


class TableRows(HTMLParser):
    """The text of each body cell of the table with the given id."""

    def __init__(self, table_id):
        super().__init__()
        self.table_id, self.inside, self.in_body, self.rows, self.cell = table_id, False, False, [], None

    def handle_starttag(self, tag, attrs):
        if tag == "table" and dict(attrs).get("id") == self.table_id:
            self.inside = True
        elif self.inside and tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append([])
        elif self.in_body and tag in ("td", "th"):
            self.cell = ""

    def handle_endtag(self, tag):
        if self.in_body and tag in ("td", "th"):
            self.rows[-1].append(" ".join(self.cell.split()))
            self.cell = None
        elif tag == "table":
            self.inside = self.in_body = False

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def table(body, table_id):
    parser = TableRows(table_id)
    parser.feed(body)
    return parser.rows


@pytest.fixture
def live_activity():
    """Activity around the real clock, far enough from every window's edge."""
    now = timezone.now()
    rock = RoomFactory(name="rock")
    xss = RoomFactory(name=XSS, is_private=True)
    members = [RoomMemberFactory(room=rock).user, RoomMemberFactory(room=rock).user]
    RoomMemberFactory(room=xss, user=members[0])
    for n in range(3):
        RoomMessageFactory(room=rock, user=members[n % 2], created_at=now - dt.timedelta(days=2))
    RoomMessageFactory(room=xss, user=members[0], created_at=now - dt.timedelta(days=10))
    MessageFactory(sender=members[0], recipient=members[1], timestamp=now - dt.timedelta(hours=2))


@pytest.mark.parametrize("factory", [AdminFactory, SuperAdminFactory])
def test_staff_see_the_dashboard_with_its_numbers(client, live_activity, factory):
    client.force_login(factory())
    response = client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'role="img"' in body
    assert table(body, "rooms-table") == [["rock", "no", "3", "2"], [XSS, "yes", "0", "1"]]
    messages = table(body, "messages-table")
    assert len(messages) == 24
    assert sum(int(row[1]) for row in messages) == 1
    new_users = table(body, "new-users-table")
    assert len(new_users) == 30
    # Every user was created today: the two rooms' creators, rock's two members and the staff member.
    assert sum(int(row[1]) for row in new_users) == 5


def test_user_content_is_escaped_on_the_dashboard(client, live_activity):
    client.force_login(AdminFactory())
    body = client.get(URL).content.decode()
    assert XSS not in body
    assert "&lt;script&gt;x&lt;/script&gt;" in body


def test_dashboard_runs_a_constant_number_of_queries(client, live_activity, django_assert_max_num_queries):
    client.force_login(AdminFactory())
    for n in range(12):
        room = RoomFactory(name=f"more-{n}")
        RoomMessageFactory(room=room, created_at=timezone.now() - dt.timedelta(days=1))
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200


def test_anonymous_is_sent_to_the_console_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/login/?next={URL}"


@pytest.mark.parametrize("user", [lambda: UserFactory(), lambda: AdminFactory(is_active=False)])
def test_non_staff_cannot_see_the_dashboard(client, user):
    client.force_login(user())
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_console_index_links_to_the_dashboard(client):
    client.force_login(AdminFactory())
    body = client.get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin_dashboard")}"' in body
    assert reverse("admin_dashboard") == URL


def test_dashboard_renders_on_an_empty_site(client):
    client.force_login(SuperAdminFactory())
    response = client.get(URL)
    assert response.status_code == 200
    assert table(response.content.decode(), "rooms-table") == [["No rooms yet."]]
