"""Every state change of the marketplace. Only the owner or a moderator changes an item."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from accounts.models import User
from core import moderated, pagecache
from marketplace import permissions
from marketplace.models import Listing, ListingStatus, Product

PRODUCT_FIELDS = ("name", "description", "price", "category")
LISTING_FIELDS = ("title", "description", "price")

# Which statuses each status may move to.
TRANSITIONS: dict[str, frozenset[str]] = {
    ListingStatus.DRAFT: frozenset({ListingStatus.ACTIVE, ListingStatus.ARCHIVED}),
    ListingStatus.ACTIVE: frozenset({ListingStatus.SOLD, ListingStatus.ARCHIVED}),
    ListingStatus.SOLD: frozenset({ListingStatus.ARCHIVED}),
    ListingStatus.ARCHIVED: frozenset(),
}


# The owner deletes their item; among moderators only super admins hard-delete (admins deactivate).
DELETE_REFUSED = "Only the owner or a super admin can delete this."


def _require_manager(actor: User, item: Product | Listing) -> None:
    """:func:`marketplace.permissions.can_manage_item`, or PermissionDenied saying why."""
    if not permissions.can_manage_item(actor, item):
        if not moderated.owner_or_moderator(actor, permissions.owner_id(item)):
            raise PermissionDenied("Only the owner or a moderator can change this.")
        moderated.refuse_if_moderated(actor, item, what="This product" if isinstance(item, Product) else "This listing")


def _clean_text(changes: dict) -> dict:
    return {k: v.strip() if isinstance(v, str) else v for k, v in changes.items()}


def _save(obj, fields) -> None:
    obj.full_clean(validate_unique=False)
    obj.save(update_fields=[*fields, "updated_at"] if fields else None)
    pagecache.changed(pagecache.MARKET)


# --- products -----------------------------------------------------------------


@transaction.atomic
def product_create(*, creator: User, name: str, description: str, price: Decimal, category: str) -> Product:
    product = Product(creator=creator, **_clean_text({"name": name, "description": description, "category": category}))
    product.price = price
    product.full_clean()
    product.save()
    pagecache.changed(pagecache.MARKET)
    return product


@transaction.atomic
def product_update(*, actor: User, product: Product, **changes) -> Product:
    """Change a product's name, description, price or category (and ``is_active``).

    A product hidden by moderators (:func:`product_hide`) changes through moderators only.
    """
    _require_manager(actor, product)
    unknown = set(changes) - {*PRODUCT_FIELDS, "is_active"}
    if unknown:
        raise ValidationError({field: ["This field cannot be changed."] for field in unknown})
    for field, value in _clean_text(changes).items():
        setattr(product, field, value)
    _save(product, list(changes))
    return product


def product_set_active(*, actor: User, product: Product, active: bool) -> Product:
    """Deactivate (hide from the catalogue) or reactivate a product."""
    return product_update(actor=actor, product=product, is_active=active)


@transaction.atomic
def product_hide(*, actor: User, product: Product, reason: str) -> Product:
    """Moderators take a product off the catalogue with a reason its owner reads; only staff lift it."""
    moderated.hide(product, actor=actor, reason=reason)
    pagecache.changed(pagecache.MARKET)
    return product


@transaction.atomic
def product_restore(*, actor: User, product: Product) -> Product:
    """Moderators lift the hiding: the product is again what its owner's ``is_active`` says."""
    moderated.restore(product, actor=actor)
    pagecache.changed(pagecache.MARKET)
    return product


@transaction.atomic
def product_delete(*, actor: User, product: Product) -> None:
    if not permissions.can_delete_product(actor, product):
        raise PermissionDenied(DELETE_REFUSED)
    product.delete()
    pagecache.changed(pagecache.MARKET)


# --- listings -----------------------------------------------------------------


@transaction.atomic
def listing_create(*, seller: User, title: str, description: str, price: Decimal) -> Listing:
    """A new listing always starts as a draft."""
    text = _clean_text({"title": title, "description": description})
    listing = Listing(seller=seller, status=ListingStatus.DRAFT, **text)
    listing.price = price
    listing.full_clean()
    listing.save()
    pagecache.changed(pagecache.MARKET)
    return listing


@transaction.atomic
def listing_update(*, actor: User, listing: Listing, **changes) -> Listing:
    """Change a listing's title, description or price; its status moves only through transitions.

    A listing hidden by moderators (:func:`listing_hide`) changes through moderators only.
    """
    _require_manager(actor, listing)
    if "status" in changes:
        raise ValidationError({"status": ["Use publish, mark-sold or archive to change the status."]})
    unknown = set(changes) - set(LISTING_FIELDS)
    if unknown:
        raise ValidationError({field: ["This field cannot be changed."] for field in unknown})
    if listing.status in (ListingStatus.SOLD, ListingStatus.ARCHIVED):
        raise ValidationError({"status": [f"A {listing.status} listing cannot be edited."]})
    for field, value in _clean_text(changes).items():
        setattr(listing, field, value)
    _save(listing, list(changes))
    return listing


@transaction.atomic
def _listing_move(*, actor: User, listing: Listing, to: str) -> Listing:
    locked = Listing.objects.select_for_update().get(pk=listing.pk)
    _require_manager(actor, locked)  # on the locked row: moderators may have hidden it meanwhile
    if to not in TRANSITIONS[locked.status]:
        raise ValidationError({"status": [f"A {locked.status} listing cannot become {to}."]})
    locked.status = to
    locked.save(update_fields=["status", "updated_at"])
    pagecache.changed(pagecache.MARKET)
    listing.status, listing.updated_at = locked.status, locked.updated_at
    return listing


def listing_publish(*, actor: User, listing: Listing) -> Listing:
    """draft -> active: the listing becomes public."""
    return _listing_move(actor=actor, listing=listing, to=ListingStatus.ACTIVE)


def listing_mark_sold(*, actor: User, listing: Listing) -> Listing:
    """active -> sold."""
    return _listing_move(actor=actor, listing=listing, to=ListingStatus.SOLD)


def listing_archive(*, actor: User, listing: Listing) -> Listing:
    """draft, active or sold -> archived (final)."""
    return _listing_move(actor=actor, listing=listing, to=ListingStatus.ARCHIVED)


@transaction.atomic
def listing_hide(*, actor: User, listing: Listing, reason: str) -> Listing:
    """Moderators hide a listing with a reason its seller reads; its status stays, only staff lift it."""
    moderated.hide(listing, actor=actor, reason=reason)
    pagecache.changed(pagecache.MARKET)
    return listing


@transaction.atomic
def listing_restore(*, actor: User, listing: Listing) -> Listing:
    moderated.restore(listing, actor=actor)
    pagecache.changed(pagecache.MARKET)
    return listing


@transaction.atomic
def listing_delete(*, actor: User, listing: Listing) -> None:
    if not permissions.can_delete_listing(actor, listing):
        raise PermissionDenied(DELETE_REFUSED)
    listing.delete()
    pagecache.changed(pagecache.MARKET)
