"""Reads shared across apps (the home page overview)."""

from __future__ import annotations

from catalog.models import Track
from marketplace.models import Listing, ListingStatus, Product
from rooms.models import Room


def home_overview(limit: int = 6) -> dict:
    """Recent public rooms, tracks, products and listings for the home page (four queries)."""
    return {
        "rooms": list(Room.objects.filter(is_private=False).order_by("-created_at")[:limit]),
        "tracks": list(
            Track.objects.filter(file__is_public=True).select_related("creator").order_by("-created_at")[:limit]
        ),
        "products": list(
            Product.objects.filter(is_active=True).select_related("creator").order_by("-created_at")[:limit]
        ),
        "listings": list(
            Listing.objects.filter(status=ListingStatus.ACTIVE).select_related("seller").order_by("-created_at")[:limit]
        ),
    }
