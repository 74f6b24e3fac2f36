"""The activity dashboard of the moderation console (``/admin/dashboard/``).

Wrapped by ``admin.site.admin_view`` in ``veza/urls.py``: only the staff roles
(``admin``, ``super_admin``) see it; anyone else is sent to the console's login.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest
from django.template.defaultfilters import pluralize
from django.template.response import TemplateResponse
from django.utils import timezone

from console import analytics, charts
from rooms.models import Room


def _new_users_chart(days: list[analytics.DailyCount]) -> charts.Chart:
    total = sum(count for _, count in days)
    return charts.columns(
        title=f"New users per day, last {len(days)} days (UTC)",
        description=f"{total} accounts created from {days[0].day:%Y-%m-%d} to {days[-1].day:%Y-%m-%d}.",
        labels=[f"{row.day:%d/%m}" for row in days],
        tooltips=[f"{row.day:%Y-%m-%d}: {row.count} new user{pluralize(row.count)}" for row in days],
        series=[charts.Series("New users", [row.count for row in days])],
        label_every=7,
    )


def _messages_chart(hours: list[analytics.HourlyMessages]) -> charts.Chart:
    direct = sum(row.direct for row in hours)
    room = sum(row.room for row in hours)
    return charts.columns(
        title=f"Messages per hour, last {len(hours)} hours (UTC)",
        description=f"{direct} direct messages and {room} room messages since {hours[0].hour:%Y-%m-%d %H:00} UTC.",
        labels=[f"{row.hour:%H}h" for row in hours],
        tooltips=[f"{row.hour:%Y-%m-%d %H:00}: {row.direct} direct, {row.room} in rooms" for row in hours],
        series=[
            charts.Series("Direct messages", [row.direct for row in hours], "series-a"),
            charts.Series("Room messages", [row.room for row in hours], "series-b"),
        ],
        label_every=6,
    )


def _rooms_chart(rooms: list[Room]) -> charts.Chart:
    return charts.bars(
        title=f"Most active rooms, last {analytics.TOP_ROOMS_DAYS} days",
        description=f"Messages in the last {analytics.TOP_ROOMS_DAYS} days of the {len(rooms)} most active rooms.",
        labels=[room.name for room in rooms],
        tooltips=[
            f"{room.name}: {room.recent_messages} message{pluralize(room.recent_messages)}, "
            f"{room.member_count} member{pluralize(room.member_count)}"
            for room in rooms
        ],
        values=[room.recent_messages for room in rooms],
        css_class="series-b",
    )


def dashboard(request: HttpRequest) -> TemplateResponse:
    """Totals, new users per day, messages per hour and the most active rooms, as charts and tables."""
    now = timezone.now()
    days = analytics.new_users_per_day(now=now)
    hours = analytics.messages_per_hour(now=now)
    rooms = analytics.top_rooms(now=now)
    context = {
        **admin.site.each_context(request),
        "title": "Activity dashboard",
        "now": now,
        "totals": analytics.totals(now=now),
        "days": days,
        "hours": hours,
        "rooms": rooms,
        "top_rooms_days": analytics.TOP_ROOMS_DAYS,
        "recent_login_days": analytics.RECENT_LOGIN_DAYS,
        "users_chart": _new_users_chart(days),
        "messages_chart": _messages_chart(hours),
        "rooms_chart": _rooms_chart(rooms),
    }
    return TemplateResponse(request, "admin/dashboard.html", context)
