"""Marketplace pages: catalogue, item pages, seller page, "my shop"."""

from decimal import Decimal

import pytest

from marketplace.models import Listing, ListingStatus, Product
from tests.marketplace.factories import ListingFactory, ProductFactory

pytestmark = pytest.mark.django_db


def test_catalogue_lists_active_products_with_filters_and_search(client):
    ProductFactory(name="Recueil de chansons", category="Partitions", price=Decimal("15"))
    ProductFactory(name="Kit batterie", category="Samples", price=Decimal("5"))
    ProductFactory(name="Caché", is_active=False)
    body = client.get("/shop/").content.decode()
    assert "Recueil de chansons" in body and "Kit batterie" in body and "Caché" not in body
    body = client.get("/shop/", {"q": "chanson"}).content.decode()
    assert "Recueil de chansons" in body and "Kit batterie" not in body
    body = client.get("/shop/", {"category": "Samples", "max_price": "10"}).content.decode()
    assert "Kit batterie" in body and "Recueil" not in body


def test_catalogue_bad_filter_shows_an_error_not_a_crash(client):
    response = client.get("/shop/", {"min_price": "abc", "ordering": "secret"})
    assert response.status_code == 400
    assert 'class="form-errors"' in response.content.decode()


def test_catalogue_escapes_user_content(client):
    ProductFactory(name="<script>alert(1)</script>", description="<img src=x onerror=alert(2)>")
    body = client.get("/shop/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "<img src=x" not in body


def test_catalogue_paginates(client):
    ProductFactory.create_batch(30)
    first = client.get("/shop/").content.decode()
    assert "Page 1 of 2" in first
    assert client.get("/shop/", {"page": "2"}).status_code == 200


def test_product_and_listing_pages_hide_what_is_not_public(client, seller, other):
    hidden = ProductFactory(creator=seller, is_active=False)
    draft = ListingFactory(seller=seller)
    assert client.get(f"/shop/products/{hidden.pk}/").status_code == 404
    assert client.get(f"/shop/listings/{draft.pk}/").status_code == 404
    client.force_login(seller)
    assert client.get(f"/shop/products/{hidden.pk}/").status_code == 200
    assert client.get(f"/shop/listings/{draft.pk}/").status_code == 200


def test_seller_page_shows_active_items_only(client, seller):
    ProductFactory(name="Live product", creator=seller)
    ProductFactory(name="Dead product", creator=seller, is_active=False)
    ListingFactory(title="Live listing", seller=seller, status=ListingStatus.ACTIVE)
    ListingFactory(title="Draft listing", seller=seller)
    body = client.get("/shop/seller/seller/").content.decode()
    assert "Live product" in body and "Live listing" in body
    assert "Dead product" not in body and "Draft listing" not in body
    assert client.get("/shop/seller/nobody/").status_code == 404


def test_my_shop_needs_login(client):
    response = client.get("/shop/mine/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_create_product_from_the_page_with_inline_errors(client, seller):
    client.force_login(seller)
    bad = client.post("/shop/mine/products/new/", {"name": "", "description": "d", "price": "-3", "category": "Beats"})
    assert bad.status_code == 200
    assert bad.content.decode().count('class="field-error"') >= 2
    assert not Product.objects.exists()
    good = client.post(
        "/shop/mine/products/new/", {"name": "Kit", "description": "d", "price": "3.50", "category": "Beats"}
    )
    assert good.status_code == 302
    assert Product.objects.get().creator == seller


def test_listing_lifecycle_from_my_shop(client, seller):
    client.force_login(seller)
    client.post("/shop/mine/listings/new/", {"title": "Amp", "description": "Loud", "price": "100"})
    listing = Listing.objects.get()
    assert listing.status == ListingStatus.DRAFT
    for op, status in (("publish", "active"), ("mark-sold", "sold"), ("archive", "archived")):
        assert client.post(f"/shop/mine/listings/{listing.pk}/{op}/").status_code == 302
        listing.refresh_from_db()
        assert listing.status == status
    client.post(f"/shop/mine/listings/{listing.pk}/publish/", follow=True)
    listing.refresh_from_db()
    assert listing.status == ListingStatus.ARCHIVED


def test_other_users_cannot_manage_items_from_pages(client, seller, other):
    product = ProductFactory(creator=seller)
    listing = ListingFactory(seller=seller, status=ListingStatus.ACTIVE)
    client.force_login(other)
    assert client.get(f"/shop/mine/products/{product.pk}/edit/").status_code == 403
    assert client.post(f"/shop/mine/products/{product.pk}/deactivate/").status_code == 403
    assert client.post(f"/shop/mine/listings/{listing.pk}/mark-sold/").status_code == 403
    draft = ListingFactory(seller=seller)
    assert client.post(f"/shop/mine/listings/{draft.pk}/publish/").status_code == 404
    product.refresh_from_db()
    listing.refresh_from_db()
    assert product.is_active and listing.status == ListingStatus.ACTIVE


def test_catalogue_runs_a_constant_number_of_queries(client, django_assert_max_num_queries):
    ProductFactory.create_batch(24)
    with django_assert_max_num_queries(7):
        client.get("/shop/")
