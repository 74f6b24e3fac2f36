"""Reads shared across apps (the home page overview)."""

from __future__ import annotations

from catalog.models import Track
from catalog.selectors import UNMODERATED as TRACK_UNMODERATED
from core.moderated import unmoderated
from marketplace.models import Listing, Product
from marketplace.selectors import LISTING_PUBLIC, PRODUCT_PUBLIC
from rooms.models import Room


def home_overview(limit: int = 6) -> dict:
    """Recent public rooms, tracks, products and listings for the home page (four queries).

    Nothing moderators hid or closed is shown.
    """
    return {
        "rooms": list(Room.objects.filter(unmoderated(), is_private=False).order_by("-created_at")[:limit]),
        "tracks": list(
            Track.objects.filter(TRACK_UNMODERATED, file__is_public=True)
            .select_related("creator")
            .order_by("-created_at")[:limit]
        ),
        "products": list(
            Product.objects.filter(PRODUCT_PUBLIC).select_related("creator").order_by("-created_at")[:limit]
        ),
        "listings": list(
            Listing.objects.filter(LISTING_PUBLIC).select_related("seller").order_by("-created_at")[:limit]
        ),
    }
