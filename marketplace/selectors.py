"""Reads of the marketplace: visibility, filters, French full-text search."""

from __future__ import annotations

from django.db.models import FloatField, Q, QuerySet
from django.db.models.expressions import RawSQL

from accounts.models import User
from core.db import french_match
from core.errors import NotFound
from core.moderated import is_moderator, unmoderated
from marketplace.models import Listing, ListingStatus, Product

# The exact expression of idx_products_search_fts, so PostgreSQL can use the index.
PRODUCT_DOCUMENT = 'to_tsvector(\'french\', "products"."name" || \' \' || "products"."description")'


# What anyone may see: the owner's switch on, and not hidden by moderators.
PRODUCT_PUBLIC = Q(is_active=True) & unmoderated()
LISTING_PUBLIC = Q(status=ListingStatus.ACTIVE) & unmoderated()


def _visible(queryset: QuerySet, user: User, *, public: Q, owner_field: str) -> QuerySet:
    if is_moderator(user):
        return queryset
    if user.is_authenticated:
        return queryset.filter(public | Q(**{owner_field: user.pk}))
    return queryset.filter(public)


def products_visible(user: User) -> QuerySet[Product]:
    """Active products nobody hid, plus the viewer's own (hidden ones flagged), and everything for moderators."""
    return _visible(Product.objects.select_related("creator"), user, public=PRODUCT_PUBLIC, owner_field="creator")


def listings_visible(user: User) -> QuerySet[Listing]:
    """Active listings nobody hid, plus the viewer's own (hidden ones flagged), and everything for moderators."""
    return _visible(Listing.objects.select_related("seller"), user, public=LISTING_PUBLIC, owner_field="seller")


def product_for_viewer(user: User, product_id: int) -> Product:
    """The product if ``user`` may see it; the same 404 whether it is missing or hidden."""
    product = products_visible(user).filter(pk=product_id).first()
    if product is None:
        raise NotFound("No such product.")
    return product


def listing_for_viewer(user: User, listing_id: int) -> Listing:
    listing = listings_visible(user).filter(pk=listing_id).first()
    if listing is None:
        raise NotFound("No such listing.")
    return listing


def product_search(queryset: QuerySet[Product], text: str) -> QuerySet[Product]:
    """Ranked French full-text search (``websearch_to_tsquery``; ``idx_products_search_fts``)."""
    # The SQL is constant; the user's text only ever travels as a query parameter.
    rank = RawSQL(  # noqa: S611
        f"ts_rank_cd({PRODUCT_DOCUMENT}, websearch_to_tsquery('french', %s))", [text], output_field=FloatField()
    )
    return queryset.filter(french_match(PRODUCT_DOCUMENT, text)).annotate(rank=rank)


def product_categories() -> list[str]:
    """Categories of active products, for the catalogue's filter."""
    return list(
        Product.objects.filter(PRODUCT_PUBLIC).order_by("category").values_list("category", flat=True).distinct()
    )


def seller_overview(*, username: str) -> tuple[User, list[Product], list[Listing]] | None:
    """A seller's public shop: their active products and listings."""
    seller = User.objects.filter(username__iexact=username, is_active=True).first()
    if seller is None:
        return None
    products = list(Product.objects.filter(PRODUCT_PUBLIC, creator=seller).order_by("-created_at"))
    listings = list(Listing.objects.filter(LISTING_PUBLIC, seller=seller).order_by("-created_at"))
    return seller, products, listings


def shop_of(owner: User) -> tuple[list[Product], list[Listing]]:
    """Everything ``owner`` sells, whatever its status (the "my shop" page)."""
    return (
        list(Product.objects.filter(creator=owner).order_by("-created_at", "-id")),
        list(Listing.objects.filter(seller=owner).order_by("-created_at", "-id")),
    )
