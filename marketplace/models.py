"""Marketplace: ``products`` (catalogue items) and ``listings`` (one-off offers)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from core.db import length_between, one_of
from core.moderated import Moderated, moderation_constraints, moderation_index

MAX_PRICE = Decimal("1000000.00")
PRICE_FIELD = {
    "max_digits": 10,
    "decimal_places": 2,
    "validators": [MinValueValidator(Decimal("0")), MaxValueValidator(MAX_PRICE)],
}
DESCRIPTION_MAX = 10000


class Product(Moderated):
    name = models.CharField(max_length=255)
    description = models.TextField(validators=[MaxLengthValidator(DESCRIPTION_MAX)])
    price = models.DecimalField(help_text="Price in euros.", **PRICE_FIELD)
    category = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True, db_default=True)
    creator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="products", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        db_table = "products"
        ordering = ["-created_at", "-id"]
        constraints = [
            *moderation_constraints("products"),
            length_between("name", 1, 255, name="ck_products_name_length"),
            length_between("description", 1, 10000, name="ck_products_description_length"),
            length_between("category", 1, 100, name="ck_products_category_length"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="ck_products_price_positive"),
        ]
        indexes = [
            moderation_index("products"),
            models.Index(fields=["creator"], name="idx_products_creator_id"),
            models.Index(fields=["category"], name="idx_products_category"),
            models.Index(fields=["is_active"], name="idx_products_is_active"),
            models.Index(fields=["price"], name="idx_products_price"),
            models.Index(fields=["created_at"], name="idx_products_created_at"),
            models.Index(
                fields=["category", "is_active", "price"],
                condition=models.Q(is_active=True),
                name="idx_products_search",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ListingStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ACTIVE = "active", "Active"
    SOLD = "sold", "Sold"
    ARCHIVED = "archived", "Archived"


class Listing(Moderated):
    title = models.CharField(max_length=255)
    description = models.TextField(validators=[MaxLengthValidator(DESCRIPTION_MAX)])
    price = models.DecimalField(help_text="Price in euros.", **PRICE_FIELD)
    status = models.CharField(
        max_length=20, choices=ListingStatus.choices, default=ListingStatus.DRAFT, db_default=ListingStatus.DRAFT
    )
    seller = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listings", db_index=False
    )
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    class Meta:
        db_table = "listings"
        ordering = ["-created_at", "-id"]
        constraints = [
            *moderation_constraints("listings"),
            length_between("title", 1, 255, name="ck_listings_title_length"),
            length_between("description", 1, 10000, name="ck_listings_description_length"),
            models.CheckConstraint(condition=models.Q(price__gte=0), name="ck_listings_price_positive"),
            one_of("status", ListingStatus, name="ck_listings_status"),
        ]
        indexes = [
            moderation_index("listings"),
            models.Index(fields=["seller"], name="idx_listings_seller_id"),
            models.Index(fields=["status"], name="idx_listings_status"),
            models.Index(fields=["price"], name="idx_listings_price"),
            models.Index(fields=["created_at"], name="idx_listings_created_at"),
        ]

    def __str__(self) -> str:
        return self.title
