"""The marketplace policy (marketplace.permissions): for each rule, a user it allows and one it refuses."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from marketplace import permissions
from tests.accounts.factories import AdminFactory, SuperAdminFactory, UserFactory
from tests.marketplace.factories import ListingFactory, ProductFactory

pytestmark = pytest.mark.django_db

ITEMS = [
    (ProductFactory, "creator", permissions.can_manage_product, permissions.can_delete_product),
    (ListingFactory, "seller", permissions.can_manage_listing, permissions.can_delete_listing),
]


@pytest.mark.parametrize(("factory", "owner", "can_manage", "can_delete"), ITEMS)
def test_the_owner_and_moderators_manage_an_item_others_do_not(factory, owner, can_manage, can_delete):
    item = factory()
    for rule in (can_manage, permissions.can_manage_item):
        assert rule(getattr(item, owner), item)
        assert rule(AdminFactory(), item)
        assert not rule(UserFactory(), item)
        assert not rule(AnonymousUser(), item)


@pytest.mark.parametrize(("factory", "owner", "can_manage", "can_delete"), ITEMS)
def test_a_hidden_item_is_managed_by_moderators_only(factory, owner, can_manage, can_delete):
    item = factory()
    item.moderated_at, item.moderation_reason = timezone.now(), "spam"
    assert not can_manage(getattr(item, owner), item)
    assert can_manage(AdminFactory(), item)


@pytest.mark.parametrize(("factory", "owner", "can_manage", "can_delete"), ITEMS)
def test_the_owner_and_super_admins_delete_an_item_admins_do_not(factory, owner, can_manage, can_delete):
    item = factory()
    item.moderated_at, item.moderation_reason = timezone.now(), "spam"  # even hidden, its owner deletes it
    assert can_delete(getattr(item, owner), item)
    assert can_delete(SuperAdminFactory(), item)
    assert not can_delete(AdminFactory(), item)
    assert not can_delete(UserFactory(), item)
    assert not can_delete(AnonymousUser(), item)


def test_owner_id_is_the_creator_of_a_product_and_the_seller_of_a_listing():
    product, listing = ProductFactory(), ListingFactory()
    assert permissions.owner_id(product) == product.creator_id
    assert permissions.owner_id(listing) == listing.seller_id
