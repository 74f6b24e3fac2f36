"""``search_index`` moves from the catalog app to this one, in Django's state only.

The table, its indexes and constraints, and the functions and triggers that fill it stay as the
catalog migrations made them (``catalog/migrations/0001_initial.py`` .. ``0006``): nothing runs on the
database. ``catalog/migrations/0007_searchindex_moves_to_search.py`` drops the model from the catalog
app's state.
"""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.functions.datetime
import django.utils.timezone
from django.db import migrations, models

KINDS = ("user", "room", "track", "product", "listing")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("catalog", "0006_search_leaves_out_moderated"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="SearchIndex",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "entity_type",
                            models.CharField(choices=[(kind, kind.title()) for kind in KINDS], max_length=50),
                        ),
                        ("entity_id", models.BigIntegerField()),
                        ("title", models.CharField(db_default="", default="", max_length=255)),
                        ("content", models.TextField(db_default="", default="")),
                        ("search_vector", django.contrib.postgres.search.SearchVectorField()),
                        (
                            "indexed_at",
                            models.DateTimeField(
                                db_default=django.db.models.functions.datetime.Now(), default=django.utils.timezone.now
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "search index entries",
                        "db_table": "search_index",
                        "ordering": ["entity_type", "entity_id"],
                        "indexes": [
                            django.contrib.postgres.indexes.GinIndex(
                                fields=["search_vector"], name="idx_search_index_search_vector"
                            ),
                            *(
                                django.contrib.postgres.indexes.GinIndex(
                                    condition=models.Q(("entity_type", kind)),
                                    fields=["search_vector"],
                                    name=f"idx_search_index_{kind}_words",
                                )
                                for kind in KINDS
                            ),
                            models.Index(fields=["indexed_at"], name="idx_search_index_indexed_at"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(fields=("entity_type", "entity_id"), name="uk_search_index_entity"),
                            models.CheckConstraint(
                                condition=models.Q(("entity_type__in", list(KINDS))),
                                name="ck_search_index_entity_type",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
