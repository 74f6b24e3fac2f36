"""/api/v1/products/ and /api/v1/listings/: visibility, ownership, transitions, validation, query counts."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from marketplace.models import Listing, ListingStatus, Product
from tests.marketplace.factories import ListingFactory, ProductFactory

pytestmark = pytest.mark.django_db

PRODUCT = {"name": "Boom bap kit", "description": "Drums from vinyl.", "price": "12.50", "category": "Sample packs"}
LISTING = {"title": "Used MPC", "description": "Works fine.", "price": "300.00"}


def test_create_product(api, seller):
    api.force_authenticate(seller)
    response = api.post("/api/v1/products/", PRODUCT, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["price"] == "12.50"
    assert body["creator"] == {"id": seller.pk, "username": "seller"}
    assert body["is_active"] is True


def test_anonymous_cannot_create(api):
    assert api.post("/api/v1/products/", PRODUCT, format="json").status_code == 401
    assert api.post("/api/v1/listings/", LISTING, format="json").status_code == 401


@pytest.mark.parametrize("path", ["products/true/", "listings/1e3/", "listings/x/publish/", "products/-2/"])
def test_an_id_that_is_not_a_number_is_404(api, seller, path):
    api.force_authenticate(seller)
    for method in (api.get, api.patch, api.delete, api.post):
        response = method(f"/api/v1/{path}")
        if response.status_code != 405:
            assert response.status_code == 404
            assert response.json()["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    ("price", "reason"),
    [
        ("-1", "negative"),
        ("abc", "not a number"),
        ("1000000.01", "absurd"),
        ("1e20", "absurd"),
        ("NaN", "nan"),
        ("Infinity", "infinite"),
        ("1.234", "too many decimals"),
    ],
)
def test_bad_prices_are_400_with_a_field_error(api, seller, price, reason):
    api.force_authenticate(seller)
    for url, payload in (("/api/v1/products/", PRODUCT), ("/api/v1/listings/", LISTING)):
        response = api.post(url, {**payload, "price": price}, format="json")
        assert response.status_code == 400, (reason, response.json())
        assert "price" in response.json()["error"]["fields"]
    assert not Product.objects.exists() and not Listing.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "x" * 256), ("name", ""), ("category", "c" * 101), ("description", "d" * 10001), ("description", "")],
)
def test_overlong_or_empty_product_fields_are_400(api, seller, field, value):
    api.force_authenticate(seller)
    response = api.post("/api/v1/products/", {**PRODUCT, field: value}, format="json")
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]


def test_public_list_shows_active_products_only(api, seller):
    ProductFactory(name="On sale", creator=seller)
    ProductFactory(name="Hidden", creator=seller, is_active=False)
    names = [p["name"] for p in api.get("/api/v1/products/").json()["results"]]
    assert names == ["On sale"]


def test_owner_sees_own_inactive_products_with_mine(api, seller, other):
    ProductFactory(name="Hidden", creator=seller, is_active=False)
    ProductFactory(name="Someone else's", creator=other)
    api.force_authenticate(seller)
    assert [p["name"] for p in api.get("/api/v1/products/", {"mine": "true"}).json()["results"]] == ["Hidden"]


def test_hidden_product_is_404_for_others_and_visible_to_owner_and_moderators(api, seller, other, moderator):
    hidden = ProductFactory(creator=seller, is_active=False)
    url = f"/api/v1/products/{hidden.pk}/"
    assert api.get(url).status_code == 404
    api.force_authenticate(other)
    assert api.get(url).status_code == 404
    assert api.patch(url, {"price": "1.00"}, format="json").status_code == 404
    api.force_authenticate(seller)
    assert api.get(url).status_code == 200
    api.force_authenticate(moderator)
    assert api.get(url).status_code == 200


def test_another_user_cannot_change_a_visible_product_403(api, seller, other):
    product = ProductFactory(creator=seller, price=Decimal("5.00"))
    api.force_authenticate(other)
    url = f"/api/v1/products/{product.pk}/"
    assert api.patch(url, {"price": "0.01"}, format="json").status_code == 403
    assert api.delete(url).status_code == 403
    product.refresh_from_db()
    assert product.price == Decimal("5.00")


def test_owner_edits_deactivates_and_reactivates(api, seller):
    product = ProductFactory(creator=seller)
    api.force_authenticate(seller)
    url = f"/api/v1/products/{product.pk}/"
    assert api.patch(url, {"name": "Renamed", "price": "7.00"}, format="json").json()["name"] == "Renamed"
    assert api.patch(url, {"is_active": False}, format="json").json()["is_active"] is False
    assert api.get("/api/v1/products/").json()["results"] == []
    assert api.patch(url, {"is_active": True}, format="json").json()["is_active"] is True


def test_moderator_can_deactivate_anyones_product(api, seller, moderator):
    product = ProductFactory(creator=seller)
    api.force_authenticate(moderator)
    assert api.patch(f"/api/v1/products/{product.pk}/", {"is_active": False}, format="json").status_code == 200


def test_owner_deletes(api, seller):
    product = ProductFactory(creator=seller)
    api.force_authenticate(seller)
    assert api.delete(f"/api/v1/products/{product.pk}/").status_code == 204
    assert not Product.objects.filter(pk=product.pk).exists()


def test_product_filters_and_ordering(api, other):
    ProductFactory(name="Cheap beats", category="Beats", price=Decimal("1.00"))
    ProductFactory(name="Mid beats", category="Beats", price=Decimal("20.00"))
    ProductFactory(name="Pricey lesson", category="Lessons", price=Decimal("90.00"), creator=other)
    get = lambda **q: [p["name"] for p in api.get("/api/v1/products/", q).json()["results"]]  # noqa: E731
    assert get(category="Beats", ordering="-price") == ["Mid beats", "Cheap beats"]
    assert get(min_price="10", max_price="95", ordering="price") == ["Mid beats", "Pricey lesson"]
    assert get(creator=str(other.pk)) == ["Pricey lesson"]
    assert get(ordering="price")[0] == "Cheap beats"


@pytest.mark.parametrize(
    "query",
    [
        {"ordering": "password"},
        {"min_price": "abc"},
        {"min_price": "-5"},
        {"min_price": "10", "max_price": "5"},
        {"creator": "x"},
    ],
)
def test_bad_filters_are_400(api, query):
    response = api.get("/api/v1/products/", query)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"


def test_listing_starts_as_draft_and_is_private_until_published(api, seller, other):
    api.force_authenticate(seller)
    created = api.post("/api/v1/listings/", {**LISTING, "status": "active"}, format="json").json()
    assert created["status"] == "draft"
    api.force_authenticate(None)
    assert api.get(f"/api/v1/listings/{created['id']}/").status_code == 404
    assert api.get("/api/v1/listings/").json()["results"] == []
    api.force_authenticate(seller)
    assert api.post(f"/api/v1/listings/{created['id']}/publish").json()["status"] == "active"
    api.force_authenticate(other)
    assert api.get(f"/api/v1/listings/{created['id']}/").status_code == 200


def test_listing_transitions(api, seller):
    listing = ListingFactory(seller=seller)
    api.force_authenticate(seller)
    base = f"/api/v1/listings/{listing.pk}"
    assert api.post(f"{base}/mark-sold").status_code == 400  # draft cannot be sold
    assert api.post(f"{base}/publish").json()["status"] == "active"
    assert api.post(f"{base}/publish").status_code == 400  # already active
    assert api.post(f"{base}/mark-sold").json()["status"] == "sold"
    response = api.post(f"{base}/publish")  # sold cannot go back to active
    assert response.status_code == 400
    assert "status" in response.json()["error"]["fields"]
    assert api.patch(f"{base}/", {"price": "1.00"}, format="json").status_code == 400
    assert api.post(f"{base}/archive").json()["status"] == "archived"
    assert api.post(f"{base}/publish").status_code == 400  # archived is final
    assert api.post(f"{base}/archive").status_code == 400


def test_status_cannot_be_patched_directly(api, seller):
    listing = ListingFactory(seller=seller)
    api.force_authenticate(seller)
    api.patch(f"/api/v1/listings/{listing.pk}/", {"status": "sold"}, format="json")
    listing.refresh_from_db()
    assert listing.status == ListingStatus.DRAFT


def test_another_user_cannot_move_a_visible_listing_403(api, seller, other, moderator):
    listing = ListingFactory(seller=seller, status=ListingStatus.ACTIVE)
    api.force_authenticate(other)
    assert api.post(f"/api/v1/listings/{listing.pk}/mark-sold").status_code == 403
    assert api.post(f"/api/v1/listings/{ListingFactory(seller=seller).pk}/publish").status_code == 404  # draft
    api.force_authenticate(moderator)
    assert api.post(f"/api/v1/listings/{listing.pk}/archive").status_code == 200


def test_listing_filters(api, seller, other):
    ListingFactory(title="Guitar", seller=seller, status=ListingStatus.ACTIVE, price=Decimal("500"))
    ListingFactory(title="Pedal", seller=other, status=ListingStatus.ACTIVE, price=Decimal("50"))
    ListingFactory(title="Draft amp", seller=seller)
    get = lambda **q: [x["title"] for x in api.get("/api/v1/listings/", q).json()["results"]]  # noqa: E731
    assert get(ordering="price") == ["Pedal", "Guitar"]
    assert get(seller=str(seller.pk)) == ["Guitar"]
    assert get(q="peda") == ["Pedal"]
    assert get(status="draft") == []  # drafts are never public
    api.force_authenticate(seller)
    assert get(mine="true", status="draft") == ["Draft amp"]


@pytest.mark.parametrize("url", ["/api/v1/products/", "/api/v1/listings/"])
def test_lists_run_a_constant_number_of_queries(api, seller, url):
    for i in range(40):
        ProductFactory(creator=seller) if i % 2 else ProductFactory()
        ListingFactory(status=ListingStatus.ACTIVE)
    counts = []
    for size in (5, 40):
        with CaptureQueriesContext(connection) as queries:
            assert len(api.get(url, {"page_size": size}).json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 4  # audit context set + clear, count, page
