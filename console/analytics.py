"""Reads behind the moderation console's dashboard: totals and activity over time.

These are the monitoring queries of the schema document, made exact. Every window
is computed in UTC from one ``now`` (an aware datetime, ``timezone.now()`` by
default), so a page shows one consistent moment, and every series has one entry
per day or hour, zero when nothing happened. Each function runs a fixed number of
SQL queries whatever the amount of data.

"Room messages" are what people wrote (``message_type = 'message'``): the join,
leave and system notices the rooms write themselves are not activity.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db import connection
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, TruncDate, TruncHour
from django.utils import timezone

from accounts.models import User
from catalog.models import Track
from chat.models import Message
from marketplace.models import Listing, ListingStatus, Product
from rooms.models import MessageType, Room, RoomMember, RoomMessage

NEW_USERS_DAYS = 30
MESSAGES_HOURS = 24
TOP_ROOMS_DAYS = 7
TOP_ROOMS_LIMIT = 10
RECENT_LOGIN_DAYS = 30


class DailyCount(NamedTuple):
    day: dt.date
    count: int


class HourlyMessages(NamedTuple):
    hour: dt.datetime
    direct: int
    room: int

    @property
    def total(self) -> int:
        return self.direct + self.room


def _now(now: dt.datetime | None) -> dt.datetime:
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware")
    return now.astimezone(dt.UTC)


def _room_chat() -> QuerySet[RoomMessage]:
    return RoomMessage.objects.filter(message_type=MessageType.MESSAGE)


def _counts(**querysets: QuerySet) -> dict[str, int]:
    """The row count of every queryset, in one SQL statement."""
    selects, params = [], []
    for name, queryset in querysets.items():
        sql, sql_params = queryset.order_by().values("pk").query.sql_with_params()
        selects.append(f"(SELECT count(*) FROM ({sql}) AS {name}_rows) AS {name}")  # noqa: S608
        params.extend(sql_params)
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(selects), params)
        return dict(zip(querysets, cursor.fetchone(), strict=True))


def totals(*, now: dt.datetime | None = None) -> dict[str, int]:
    """How much Veza holds, in one query.

    ``recent_logins`` counts accounts that logged in within the last 30 days.
    """
    now = _now(now)
    return _counts(
        users=User.objects.all(),
        active_users=User.objects.filter(is_active=True),
        recent_logins=User.objects.filter(last_login__gte=now - dt.timedelta(days=RECENT_LOGIN_DAYS)),
        rooms=Room.objects.all(),
        private_rooms=Room.objects.filter(is_private=True),
        room_messages=_room_chat(),
        direct_messages=Message.objects.all(),
        tracks=Track.objects.all(),
        products=Product.objects.all(),
        active_products=Product.objects.filter(is_active=True),
        listings=Listing.objects.all(),
        active_listings=Listing.objects.filter(status=ListingStatus.ACTIVE),
    )


def new_users_per_day(*, now: dt.datetime | None = None, days: int = NEW_USERS_DAYS) -> list[DailyCount]:
    """Accounts created on each of the last ``days`` UTC days, today (so far) last; one query.

    The document's version (``created_at >= NOW() - INTERVAL '30 days'`` grouped by
    ``DATE(created_at)``) starts in the middle of a day, skips days without sign-ups
    and takes the date in the session's time zone; here the window is whole UTC days.
    """
    today = _now(now).date()
    first = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    rows = (
        User.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=dt.UTC))
        .values("day")
        .annotate(count=Count("pk"))
        .values_list("day", "count")
    )
    found = dict(rows)
    return [DailyCount(day, found.get(day, 0)) for day in (first + dt.timedelta(days=n) for n in range(days))]


def _per_hour(queryset: QuerySet, field: str, start: dt.datetime, end: dt.datetime) -> dict[dt.datetime, int]:
    rows = (
        queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end})
        .annotate(hour=TruncHour(field, tzinfo=dt.UTC))
        .values("hour")
        .annotate(count=Count("pk"))
        .values_list("hour", "count")
    )
    return dict(rows)


def messages_per_hour(*, now: dt.datetime | None = None, hours: int = MESSAGES_HOURS) -> list[HourlyMessages]:
    """Direct and room messages sent in each of the last ``hours`` UTC hours, the current one last; two queries.

    Direct messages are counted on ``messages.timestamp``, the partition key of the
    monthly partitions, so PostgreSQL reads only the partitions the window touches
    (two around the turn of a month).
    """
    current = _now(now).replace(minute=0, second=0, microsecond=0)
    start = current - dt.timedelta(hours=hours - 1)
    end = current + dt.timedelta(hours=1)
    direct = _per_hour(Message.objects.all(), "timestamp", start, end)
    room = _per_hour(_room_chat(), "created_at", start, end)
    series = (start + dt.timedelta(hours=n) for n in range(hours))
    return [HourlyMessages(hour, direct.get(hour, 0), room.get(hour, 0)) for hour in series]


def top_rooms(
    *, now: dt.datetime | None = None, days: int = TOP_ROOMS_DAYS, limit: int = TOP_ROOMS_LIMIT
) -> list[Room]:
    """The ``limit`` rooms with the most messages in the last ``days`` days; one query.

    Each room carries ``recent_messages`` and ``member_count``. Private rooms are
    included (moderators see everything; ``is_private`` tells them apart). Ties are
    broken by member count, then by name (unique), so the order is stable.

    The schema document's version is wrong twice:

    - it joins ``room_members`` and ``room_messages`` to ``rooms`` in the same
      ``FROM``, so each room yields members x messages rows, and both
      ``COUNT(rm.id)`` and ``COUNT(rmm.id)`` count that product (a room with 5
      members and 3 messages reports 15 and 15);
    - its ``WHERE rmm.created_at >= ...`` is false for the NULL row a room without
      recent messages gets from the LEFT JOIN, which turns it into an inner join:
      quiet rooms vanish instead of counting 0, and so do their members.

    Here each count is its own correlated subquery (served by
    ``idx_room_messages_room_timestamp`` and ``idx_room_members_room_id``), so
    neither multiplies the other, and every room is eligible.
    """
    now = _now(now)
    recent = (
        _room_chat()
        .filter(room=OuterRef("pk"), created_at__gte=now - dt.timedelta(days=days), created_at__lt=now)
        .order_by()
        .values("room")
        .annotate(count=Count("pk"))
        .values("count")
    )
    members = (
        RoomMember.objects.filter(room=OuterRef("pk"))
        .order_by()
        .values("room")
        .annotate(count=Count("pk"))
        .values("count")
    )
    zero = Value(0, output_field=IntegerField())
    return list(
        Room.objects.annotate(
            recent_messages=Coalesce(Subquery(recent, output_field=IntegerField()), zero),
            member_count=Coalesce(Subquery(members, output_field=IntegerField()), zero),
        ).order_by("-recent_messages", "-member_count", "name")[:limit]
    )
