"""French full-text search of products (?q=), ranked, on the document's indexes."""

import re
from decimal import Decimal

import pytest
from django.db import connection

from marketplace import selectors
from marketplace.filters import ProductFilter
from marketplace.models import Product
from tests.marketplace.factories import ProductFactory

pytestmark = pytest.mark.django_db


def names(api, **query):
    response = api.get("/api/v1/products/", query)
    assert response.status_code == 200, response.json()
    return [p["name"] for p in response.json()["results"]]


def test_french_stemming_finds_plural_and_conjugated_forms(api):
    ProductFactory(name="Recueil de chansons", description="Des mélodies pour guitare.")
    ProductFactory(name="Batterie", description="Rythmes enregistrés en studio.")
    assert names(api, q="chanson") == ["Recueil de chansons"]
    assert names(api, q="enregistrer") == ["Batterie"]


def test_results_are_ranked_by_relevance(api):
    ProductFactory(name="Pack synthé", description="Un son de basse.")
    ProductFactory(name="Basse et basse", description="La basse, encore la basse, toujours la basse.")
    assert names(api, q="basse") == ["Basse et basse", "Pack synthé"]


def test_explicit_ordering_wins_over_relevance(api):
    ProductFactory(name="Basse chère", description="basse basse basse", price=Decimal("50"))
    ProductFactory(name="Basse pas chère", description="basse", price=Decimal("5"))
    assert names(api, q="basse", ordering="price") == ["Basse pas chère", "Basse chère"]


def test_websearch_syntax_quotes_and_exclusion(api):
    ProductFactory(name="Guitare folk", description="Cordes acier.")
    ProductFactory(name="Guitare électrique", description="Micros double bobinage.")
    assert names(api, q="guitare -folk") == ["Guitare électrique"]
    assert names(api, q='"guitare folk"') == ["Guitare folk"]


def test_inactive_products_are_never_found(api):
    ProductFactory(name="Chansons cachées", is_active=False)
    assert names(api, q="chanson") == []


@pytest.mark.parametrize("query", ["'", '"', "&|!:*", "a & b | !c", "(((", "x" * 200, "\\", "%_", "<script>"])
def test_hostile_queries_are_answered_without_error(api, query):
    ProductFactory(name="Chanson")
    response = api.get("/api/v1/products/", {"q": query})
    assert response.status_code == 200


def test_overlong_query_is_a_400(api):
    assert api.get("/api/v1/products/", {"q": "x" * 201}).status_code == 400


def explain(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_search_uses_the_french_full_text_index():
    ProductFactory.create_batch(5)
    plan = explain(selectors.product_search(Product.objects.order_by(), "chanson"))
    assert "idx_products_search_fts" in plan


def test_catalogue_filters_use_the_partial_search_index():
    """The filters' WHERE implies the partial index's predicate (active products), so the index serves them.

    The single-column indexes that could compete are dropped inside the test's transaction (rolled back
    after it): on a handful of rows the planner's pick among usable indexes is a coin toss, while what
    this pins is that ``idx_products_search`` is usable at all.
    """
    ProductFactory.create_batch(5)
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX idx_products_category, idx_products_is_active, idx_products_price")
    filters = ProductFilter({"category": "Beats", "min_price": "1", "max_price": "20"}, queryset=Product.objects.all())
    assert filters.is_valid()
    plan = explain(filters.qs.order_by())
    assert re.search(r"idx_products_search\b", plan), plan
