"""Products and listings hidden by moderators: the owner cannot lift it, nobody else finds them."""

import pytest
from django.core.exceptions import PermissionDenied

from marketplace import services
from marketplace.models import Listing, ListingStatus, Product
from search.models import SearchIndex
from tests.accounts.factories import AdminFactory, UserFactory
from tests.marketplace.factories import ListingFactory, ProductFactory

pytestmark = pytest.mark.django_db

REASON = "Counterfeit goods"
PRODUCT_FORM = {"name": "Zanzibar beats", "description": "Beats", "price": "5.00", "category": "Beats"}
LISTING_FORM = {"title": "Zanzibar amp", "description": "Loud", "price": "50.00"}


@pytest.fixture
def moderator():
    return AdminFactory()


@pytest.fixture
def product():
    return ProductFactory(name="Zanzibar beats")


@pytest.fixture
def listing():
    return ListingFactory(title="Zanzibar amp", status=ListingStatus.ACTIVE)


def indexed(kind: str, item) -> bool:
    return SearchIndex.objects.filter(entity_type=kind, entity_id=item.pk).exists()


def ids(response) -> list[int]:
    assert response.status_code == 200
    return [row["id"] for row in response.json()["results"]]


def search_ids(api, kind: str) -> list[int]:
    return [hit["id"] for hit in api.get("/api/v1/search", {"q": "zanzibar", "type": kind}).json()["results"]]


# --- products -------------------------------------------------------------------------------------------


def test_hidden_product_leaves_lists_details_filters_and_search(api, client, product, moderator):
    assert indexed("product", product)
    services.product_hide(actor=moderator, product=product, reason=REASON)
    assert not indexed("product", product)
    stranger = UserFactory()
    for viewer in (None, stranger):
        api.force_authenticate(viewer)
        assert api.get(f"/api/v1/products/{product.pk}/").status_code == 404
        assert product.pk not in ids(api.get("/api/v1/products/"))
        assert product.pk not in ids(api.get("/api/v1/products/", {"q": "zanzibar"}))
        assert product.pk not in search_ids(api, "product")
    client.force_login(stranger)
    assert client.get(f"/shop/products/{product.pk}/").status_code == 404
    assert "Zanzibar" not in client.get("/shop/", {"q": "zanzibar"}).content.decode()
    assert "Zanzibar" not in client.get(f"/shop/seller/{product.creator.username}/").content.decode()


def test_owner_sees_the_hidden_product_flagged_with_the_reason(api, client, product, moderator):
    services.product_hide(actor=moderator, product=product, reason=REASON)
    api.force_authenticate(product.creator)
    assert api.get(f"/api/v1/products/{product.pk}/").json()["moderation"]["reason"] == REASON
    mine = api.get("/api/v1/products/", {"mine": "true"}).json()["results"]
    assert [row["moderation"]["reason"] for row in mine] == [REASON]
    client.force_login(product.creator)
    for page in (f"/shop/products/{product.pk}/", "/shop/mine/"):
        text = client.get(page).content.decode()
        assert "idden by moderation" in text and REASON in text


def test_owner_cannot_undo_a_product_hiding_through_api_page_or_service(api, client, product, moderator):
    services.product_hide(actor=moderator, product=product, reason=REASON)
    owner = product.creator
    api.force_authenticate(owner)
    assert api.patch(f"/api/v1/products/{product.pk}/", {"is_active": True}, format="json").status_code == 403
    assert api.patch(f"/api/v1/products/{product.pk}/", {"name": "Other"}, format="json").status_code == 403
    client.force_login(owner)
    assert client.post(f"/shop/mine/products/{product.pk}/edit/", PRODUCT_FORM).status_code == 403
    assert client.post(f"/shop/mine/products/{product.pk}/activate/").status_code == 403
    for call in (
        lambda: services.product_set_active(actor=owner, product=product, active=True),
        lambda: services.product_update(actor=owner, product=product, name="Other"),
        lambda: services.product_restore(actor=owner, product=product),
    ):
        with pytest.raises(PermissionDenied):
            call()
    product.refresh_from_db()
    assert product.moderation_reason == REASON and product.name == "Zanzibar beats"


def test_staff_lift_a_product_hiding(api, product, moderator):
    services.product_hide(actor=moderator, product=product, reason=REASON)
    api.force_authenticate(moderator)
    assert api.get(f"/api/v1/products/{product.pk}/").json()["moderation"]["reason"] == REASON
    services.product_restore(actor=moderator, product=product)
    assert indexed("product", product)
    api.force_authenticate(None)
    assert api.get(f"/api/v1/products/{product.pk}/").json()["moderation"] is None
    assert product.pk in search_ids(api, "product")


def test_plain_users_cannot_hide_products(product):
    with pytest.raises(PermissionDenied):
        services.product_hide(actor=UserFactory(), product=product, reason="Rival")
    assert Product.objects.get(pk=product.pk).moderated_at is None


# --- listings -------------------------------------------------------------------------------------------


def test_hidden_listing_leaves_lists_details_filters_and_search(api, client, listing, moderator):
    assert indexed("listing", listing)
    services.listing_hide(actor=moderator, listing=listing, reason=REASON)
    assert not indexed("listing", listing)
    stranger = UserFactory()
    for viewer in (None, stranger):
        api.force_authenticate(viewer)
        assert api.get(f"/api/v1/listings/{listing.pk}/").status_code == 404
        assert listing.pk not in ids(api.get("/api/v1/listings/", {"q": "zanzibar"}))
        assert listing.pk not in search_ids(api, "listing")
    client.force_login(stranger)
    assert client.get(f"/shop/listings/{listing.pk}/").status_code == 404
    assert "Zanzibar" not in client.get("/shop/listings/").content.decode()
    assert "Zanzibar" not in client.get(f"/shop/seller/{listing.seller.username}/").content.decode()
    api.force_authenticate(listing.seller)
    assert api.get(f"/api/v1/listings/{listing.pk}/").json()["moderation"]["reason"] == REASON


def test_owner_cannot_undo_a_listing_hiding_through_api_page_or_service(api, client, moderator):
    listing = ListingFactory(title="Zanzibar amp", status=ListingStatus.DRAFT)
    services.listing_hide(actor=moderator, listing=listing, reason=REASON)
    seller = listing.seller
    api.force_authenticate(seller)
    assert api.post(f"/api/v1/listings/{listing.pk}/publish/").status_code == 403
    assert api.patch(f"/api/v1/listings/{listing.pk}/", {"title": "Other"}, format="json").status_code == 403
    client.force_login(seller)
    assert client.post(f"/shop/mine/listings/{listing.pk}/edit/", LISTING_FORM).status_code == 403
    assert client.post(f"/shop/mine/listings/{listing.pk}/publish/").status_code == 403
    for call in (
        lambda: services.listing_publish(actor=seller, listing=listing),
        lambda: services.listing_update(actor=seller, listing=listing, title="Other"),
        lambda: services.listing_restore(actor=seller, listing=listing),
    ):
        with pytest.raises(PermissionDenied):
            call()
    listing.refresh_from_db()
    assert listing.status == ListingStatus.DRAFT and listing.moderation_reason == REASON


def test_staff_lift_a_listing_hiding_and_the_owner_may_delete_a_hidden_one(api, listing, moderator):
    services.listing_hide(actor=moderator, listing=listing, reason=REASON)
    services.listing_restore(actor=moderator, listing=listing)
    assert indexed("listing", listing)
    assert api.get(f"/api/v1/listings/{listing.pk}/").status_code == 200
    services.listing_hide(actor=moderator, listing=listing, reason=REASON)
    api.force_authenticate(listing.seller)
    assert api.delete(f"/api/v1/listings/{listing.pk}/").status_code == 204
    assert not Listing.objects.filter(pk=listing.pk).exists()
