"""Indexes for bounded counts and title-first ranking (see catalog/search.py).

``idx_search_index_<type>_words``: one full-text index per entity type, so counting a type's matches
reads only that type's and stops after the first rows. ``idx_search_index_title_words`` indexes the
title's words (weight A) alone, so the first page of a common word reads only the entities whose title
holds it. The indexes are built concurrently: entity writes (whose triggers update ``search_index``)
go on meanwhile.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models

KINDS = ("user", "room", "track", "product", "listing")


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("catalog", "0003_search"),
    ]

    # A build that failed half-way leaves an invalid index: each is dropped before it is built again.
    operations = [
        *(
            operation
            for kind in KINDS
            for operation in (
                migrations.RunSQL(
                    f"DROP INDEX CONCURRENTLY IF EXISTS idx_search_index_{kind}_words;",
                    reverse_sql=migrations.RunSQL.noop,
                ),
                AddIndexConcurrently(
                    model_name="searchindex",
                    index=GinIndex(
                        condition=models.Q(entity_type=kind),
                        fields=["search_vector"],
                        name=f"idx_search_index_{kind}_words",
                    ),
                ),
            )
        ),
        migrations.RunSQL(
            "DROP INDEX CONCURRENTLY IF EXISTS idx_search_index_title_words;", reverse_sql=migrations.RunSQL.noop
        ),
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY idx_search_index_title_words ON search_index "
            "USING gin (ts_filter(search_vector, '{a}'));",
            reverse_sql="DROP INDEX CONCURRENTLY idx_search_index_title_words;",
        ),
    ]
