"""How a search result is shown, by the search page and the API alike: matches as ``<mark>`` in
escaped HTML, and the address of the page that shows the entity or the message."""

from __future__ import annotations

import re

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from search.models import EntityType
from search.selectors import DIRECT_MESSAGE, ROOM_MESSAGE, START, STOP, Hit

MARKS = re.compile(f"([{START}{STOP}])")
ENTITY_PAGES = {
    EntityType.ROOM: "rooms:room",
    EntityType.TRACK: "catalog:track",
    EntityType.PRODUCT: "marketplace:product",
    EntityType.LISTING: "marketplace:listing",
}


def highlighted(text: str | None) -> SafeString:
    """HTML for a ``ts_headline`` result: every character of ``text`` escaped, matches in ``<mark>``."""
    parts, open_mark = [], False
    for piece in MARKS.split(text or ""):
        if piece == START and not open_mark:
            parts.append("<mark>")
            open_mark = True
        elif piece == STOP and open_mark:
            parts.append("</mark>")
            open_mark = False
        elif piece not in (START, STOP):
            parts.append(escape(piece))
    if open_mark:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped text and our own tags only


def hit_url(hit: Hit) -> str:
    """The page of what was found: a profile, a room, a track, a product, a listing, or the message
    in its room or conversation."""
    if hit.type == ROOM_MESSAGE:
        return f"{reverse('rooms:room', args=[hit.room_id])}#message-{hit.id}"
    if hit.type == DIRECT_MESSAGE:
        return f"{reverse('chat:conversation', args=[hit.peer])}#dm-{hit.id}"
    if hit.type == EntityType.USER:
        return reverse("accounts:profile", args=[hit.title])
    return reverse(ENTITY_PAGES[hit.type], args=[hit.id])


def hit_data(hit: Hit) -> dict:
    """A hit as the API gives it (``SearchHitSerializer``): the snippet as HTML text, the page's address,
    and when a message was written."""
    data = {
        "type": hit.type,
        "id": hit.id,
        "title": hit.title,
        "snippet": str(highlighted(hit.snippet)),
        "url": hit_url(hit),
    }
    if hit.created_at is not None:
        data["created_at"] = hit.created_at
    return data


def hit_html(hit: Hit) -> dict:
    """A hit as the search page shows it: the snippet and the title (entities) with matches marked."""
    return {
        "type": hit.type,
        "title": hit.title,
        "title_html": highlighted(hit.marked_title) if hit.marked_title is not None else None,
        "snippet": highlighted(hit.snippet),
        "url": hit_url(hit),
        "created_at": hit.created_at,
    }
