"""The lean path of ``/api/v1/tracks/<id>/stream`` (see :mod:`media.fastpath`).

Asked without credentials, a public track nobody hid (nor its file) plays for everyone alike, so
that answer needs no user: it is given in front of Django, from the track's state read at most once
per ``STREAM_ACCESS_SECONDS``. Anything else (a Bearer token, a query, an ``Accept`` the API would
refuse, a private or hidden track) goes to the API view.
"""

from __future__ import annotations

import re
from functools import cache

from django.urls import resolve

from catalog import selectors
from core.api import ID_REGEX
from media.fastpath import Ask, Plan
from media.selectors import StreamState

STREAM = re.compile(rf"/api/v1/tracks/({ID_REGEX})/stream/?")
# What the API view adds to its answer (DRF: the methods of the route, and negotiation on Accept).
API_HEADERS = ((b"vary", b"Accept, Cookie"), (b"allow", b"GET, HEAD, OPTIONS"))


@cache
def route_label() -> str:
    """The URL pattern of the stream route, as the request metrics name it."""
    return "/" + resolve("/api/v1/tracks/1/stream").route


def track_stream_route(ask: Ask) -> Plan | None:
    match = STREAM.fullmatch(ask.path)
    if match is None or ask.query or b"authorization" in ask.headers:
        return None
    accept = ask.headers.get(b"accept")
    if accept is not None and b"*/*" not in accept:
        return None  # the API's content negotiation decides (406 for a type it cannot give)
    track_id = int(match.group(1))
    return Plan(
        ("track", track_id), lambda: selectors.track_stream_state(track_id), _public, route_label(), API_HEADERS
    )


def _public(state: StreamState) -> bool:
    return state.is_public and not state.hidden
