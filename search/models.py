"""The unified search index (``search_index``): one row per entity anyone may find."""

from __future__ import annotations

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.functions import Now
from django.utils import timezone

from core.db import one_of


class EntityType(models.TextChoices):
    USER = "user", "User"
    ROOM = "room", "Room"
    TRACK = "track", "Track"
    PRODUCT = "product", "Product"
    LISTING = "listing", "Listing"


class SearchIndex(models.Model):
    """One row per searchable entity, holding its weighted ``tsvector``.

    PostgreSQL keeps the rows (triggers in ``catalog/migrations/0003_search.py``, amended by
    ``0006_search_leaves_out_moderated.py``): ``title`` and ``content`` are copies of the entity's
    text, kept for snippets and near-spelling matches.
    """

    entity_type = models.CharField(max_length=50, choices=EntityType.choices)
    entity_id = models.BigIntegerField()
    title = models.CharField(max_length=255, default="", db_default="")
    content = models.TextField(default="", db_default="")
    search_vector = SearchVectorField()
    indexed_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        db_table = "search_index"
        verbose_name_plural = "search index entries"
        ordering = ["entity_type", "entity_id"]
        constraints = [
            models.UniqueConstraint(fields=["entity_type", "entity_id"], name="uk_search_index_entity"),
            one_of("entity_type", EntityType, name="ck_search_index_entity_type"),
        ]
        indexes = [
            GinIndex(fields=["search_vector"], name="idx_search_index_search_vector"),
            # One per type, so that counting a type's matches reads only that type's.
            *(
                GinIndex(
                    fields=["search_vector"],
                    condition=models.Q(entity_type=kind),
                    name=f"idx_search_index_{kind}_words",
                )
                for kind in EntityType.values
            ),
            models.Index(fields=["indexed_at"], name="idx_search_index_indexed_at"),
        ]

    def __str__(self) -> str:
        return f"{self.entity_type}#{self.entity_id}"
