"""The rules of products and listings, held by the services themselves: ownership, prices, status moves."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from marketplace import services
from marketplace.models import Listing, ListingStatus, Product
from tests.accounts.factories import SuperAdminFactory
from tests.marketplace.factories import ListingFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def product(seller):
    return ProductFactory(creator=seller, name="Drum kit", price=Decimal("20.00"))


@pytest.fixture
def listing(seller):
    return ListingFactory(seller=seller, title="Old amp", price=Decimal("80.00"))


def status_of(listing) -> str:
    return Listing.objects.get(pk=listing.pk).status


# --- products -------------------------------------------------------------------------------------


def test_a_product_is_created_with_trimmed_text(seller):
    product = services.product_create(
        creator=seller, name="  Beat pack ", description=" Ten beats ", price=Decimal("4.50"), category=" Beats "
    )
    stored = Product.objects.get(pk=product.pk)
    assert (stored.name, stored.description, stored.category, stored.price) == (
        "Beat pack",
        "Ten beats",
        "Beats",
        Decimal("4.50"),
    )
    assert stored.creator_id == seller.pk


def test_a_negative_price_is_refused_and_no_product_is_written(seller):
    with pytest.raises(ValidationError) as refused:
        services.product_create(creator=seller, name="Free money", description="", price=Decimal("-1"), category="X")
    assert "price" in refused.value.message_dict
    assert not Product.objects.exists()


def test_a_product_without_a_name_is_refused(seller):
    with pytest.raises(ValidationError) as refused:
        services.product_create(creator=seller, name="   ", description="", price=Decimal("1"), category="X")
    assert "name" in refused.value.message_dict
    assert not Product.objects.exists()


def test_someone_else_cannot_change_a_product(other, product):
    with pytest.raises(PermissionDenied):
        services.product_update(actor=other, product=product, price=Decimal("0.01"))
    assert Product.objects.get(pk=product.pk).price == Decimal("20.00")


def test_the_owner_cannot_change_the_creator_of_a_product(seller, other, product):
    with pytest.raises(ValidationError) as refused:
        services.product_update(actor=seller, product=product, creator=other, name="Renamed")
    assert "creator" in refused.value.message_dict
    stored = Product.objects.get(pk=product.pk)
    assert (stored.creator_id, stored.name) == (seller.pk, "Drum kit")


def test_an_invalid_change_leaves_the_product_as_it_was(seller, product):
    with pytest.raises(ValidationError):
        services.product_update(actor=seller, product=product, name="New name", price=Decimal("-5"))
    stored = Product.objects.get(pk=product.pk)
    assert (stored.name, stored.price) == ("Drum kit", Decimal("20.00"))


def test_the_owner_and_moderators_change_a_product(seller, moderator, product):
    services.product_update(actor=seller, product=product, price=Decimal("15.00"))
    services.product_update(actor=moderator, product=product, category="Kits")
    stored = Product.objects.get(pk=product.pk)
    assert (stored.price, stored.category) == (Decimal("15.00"), "Kits")


def test_the_owner_deactivates_and_reactivates_a_product(seller, product):
    services.product_set_active(actor=seller, product=product, active=False)
    assert Product.objects.get(pk=product.pk).is_active is False
    services.product_set_active(actor=seller, product=product, active=True)
    assert Product.objects.get(pk=product.pk).is_active is True


def test_someone_else_cannot_deactivate_a_product(other, product):
    with pytest.raises(PermissionDenied):
        services.product_set_active(actor=other, product=product, active=False)
    assert Product.objects.get(pk=product.pk).is_active is True


def test_the_owner_cannot_change_a_product_hidden_by_moderators(seller, moderator, product):
    services.product_hide(actor=moderator, product=product, reason="Stolen samples")
    with pytest.raises(PermissionDenied):
        services.product_set_active(actor=seller, product=product, active=True)
    with pytest.raises(PermissionDenied):
        services.product_update(actor=seller, product=product, name="Totally new")
    assert Product.objects.get(pk=product.pk).name == "Drum kit"


def test_an_admin_moderator_cannot_delete_a_product_but_a_super_admin_can(moderator, product):
    with pytest.raises(PermissionDenied):
        services.product_delete(actor=moderator, product=product)
    assert Product.objects.filter(pk=product.pk).exists()
    services.product_delete(actor=SuperAdminFactory(), product=product)
    assert not Product.objects.filter(pk=product.pk).exists()


def test_someone_else_cannot_delete_a_product_its_owner_can(seller, other, product):
    with pytest.raises(PermissionDenied):
        services.product_delete(actor=other, product=product)
    assert Product.objects.filter(pk=product.pk).exists()
    services.product_delete(actor=seller, product=product)
    assert not Product.objects.filter(pk=product.pk).exists()


# --- listings -------------------------------------------------------------------------------------


def test_a_new_listing_is_a_draft(seller):
    listing = services.listing_create(seller=seller, title=" Guitar ", description="Red", price=Decimal("300"))
    stored = Listing.objects.get(pk=listing.pk)
    assert (stored.title, stored.status, stored.seller_id) == ("Guitar", ListingStatus.DRAFT, seller.pk)


def test_a_listing_with_a_negative_price_is_refused(seller):
    with pytest.raises(ValidationError) as refused:
        services.listing_create(seller=seller, title="Guitar", description="", price=Decimal("-0.01"))
    assert "price" in refused.value.message_dict
    assert not Listing.objects.exists()


def test_a_listing_walks_from_draft_to_archived(seller, listing):
    services.listing_publish(actor=seller, listing=listing)
    assert status_of(listing) == ListingStatus.ACTIVE
    services.listing_mark_sold(actor=seller, listing=listing)
    assert status_of(listing) == ListingStatus.SOLD
    services.listing_archive(actor=seller, listing=listing)
    assert status_of(listing) == ListingStatus.ARCHIVED
    assert listing.status == ListingStatus.ARCHIVED  # the caller's instance follows


@pytest.mark.parametrize(
    "start, move",
    [
        (ListingStatus.DRAFT, services.listing_mark_sold),
        (ListingStatus.SOLD, services.listing_publish),
        (ListingStatus.ARCHIVED, services.listing_publish),
        (ListingStatus.ARCHIVED, services.listing_archive),
    ],
)
def test_a_status_move_the_transitions_do_not_allow_is_refused(seller, start, move):
    listing = ListingFactory(seller=seller, status=start)
    with pytest.raises(ValidationError) as refused:
        move(actor=seller, listing=listing)
    assert "status" in refused.value.message_dict
    assert status_of(listing) == start


def test_the_status_does_not_change_through_an_edit(seller, listing):
    with pytest.raises(ValidationError) as refused:
        services.listing_update(actor=seller, listing=listing, status=ListingStatus.SOLD)
    assert "status" in refused.value.message_dict
    assert status_of(listing) == ListingStatus.DRAFT


@pytest.mark.parametrize("status", [ListingStatus.SOLD, ListingStatus.ARCHIVED])
def test_a_sold_or_archived_listing_cannot_be_edited(seller, status):
    listing = ListingFactory(seller=seller, status=status, title="Final")
    with pytest.raises(ValidationError):
        services.listing_update(actor=seller, listing=listing, title="Changed after the sale")
    assert Listing.objects.get(pk=listing.pk).title == "Final"


def test_someone_else_cannot_edit_publish_or_delete_a_listing(other, listing):
    with pytest.raises(PermissionDenied):
        services.listing_update(actor=other, listing=listing, price=Decimal("1"))
    with pytest.raises(PermissionDenied):
        services.listing_publish(actor=other, listing=listing)
    with pytest.raises(PermissionDenied):
        services.listing_delete(actor=other, listing=listing)
    stored = Listing.objects.get(pk=listing.pk)
    assert (stored.price, stored.status) == (Decimal("80.00"), ListingStatus.DRAFT)


def test_the_seller_cannot_move_a_listing_hidden_by_moderators(seller, moderator, listing):
    services.listing_hide(actor=moderator, listing=listing, reason="Scam")
    with pytest.raises(PermissionDenied):
        services.listing_publish(actor=seller, listing=listing)
    stored = Listing.objects.get(pk=listing.pk)
    assert (stored.status, stored.moderation_reason) == (ListingStatus.DRAFT, "Scam")


def test_hiding_a_listing_keeps_its_status(moderator):
    listing = ListingFactory(status=ListingStatus.ACTIVE)
    services.listing_hide(actor=moderator, listing=listing, reason="Scam")
    stored = Listing.objects.get(pk=listing.pk)
    assert (stored.status, stored.moderated_by_id) == (ListingStatus.ACTIVE, moderator.pk)


def test_an_admin_moderator_cannot_delete_a_listing_but_a_super_admin_can(moderator, listing):
    with pytest.raises(PermissionDenied):
        services.listing_delete(actor=moderator, listing=listing)
    assert Listing.objects.filter(pk=listing.pk).exists()
    services.listing_delete(actor=SuperAdminFactory(), listing=listing)
    assert not Listing.objects.filter(pk=listing.pk).exists()
