"""Who may do what in the marketplace: the one policy that services, views, templates and the console apply.

The owner of a product is its creator; of a listing, its seller.
"""

from __future__ import annotations

from accounts.models import User
from core import moderated
from marketplace.models import Listing, Product


def owner_id(item: Product | Listing) -> int:
    return item.creator_id if isinstance(item, Product) else item.seller_id


def can_manage_product(user: User, product: Product) -> bool:
    """Its owner while moderators have not hidden it, and moderators."""
    return moderated.may_change(user, product.creator_id, product)


def can_manage_listing(user: User, listing: Listing) -> bool:
    """Its seller while moderators have not hidden it, and moderators."""
    return moderated.may_change(user, listing.seller_id, listing)


def can_delete_product(user: User, product: Product) -> bool:
    """Its owner (even while it is hidden), and super admins: admins deactivate or hide instead."""
    return moderated.owner_or_permitted(user, product.creator_id, "marketplace.delete_product")


def can_delete_listing(user: User, listing: Listing) -> bool:
    """Its seller (even while it is hidden), and super admins: admins archive or hide instead."""
    return moderated.owner_or_permitted(user, listing.seller_id, "marketplace.delete_listing")


def can_manage_item(user: User, item: Product | Listing) -> bool:
    """:func:`can_manage_product` or :func:`can_manage_listing`, whichever ``item`` is."""
    return can_manage_product(user, item) if isinstance(item, Product) else can_manage_listing(user, item)
