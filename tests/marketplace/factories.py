from decimal import Decimal

import factory

from marketplace.models import Listing, Product
from tests.accounts.factories import UserFactory


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    description = "A product"
    price = Decimal("9.99")
    category = "Beats"
    creator = factory.SubFactory(UserFactory)


class ListingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Listing

    title = factory.Sequence(lambda n: f"Listing {n}")
    description = "A listing"
    price = Decimal("100.00")
    seller = factory.SubFactory(UserFactory)
