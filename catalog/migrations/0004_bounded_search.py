"""Indexes for bounded counts and title-first ranking (see catalog/search.py).

``idx_search_index_type_vector`` (btree_gin) replaces the index on ``search_vector`` alone: it answers
the same full-text matches and also "matches of one type", so counting a type's matches stops after
the first rows. ``idx_search_index_title_words`` indexes the title's words (weight A) alone, so the
first page of a common word reads only the entities whose title matches. The indexes are built
concurrently: entity writes (whose triggers update ``search_index``) go on meanwhile.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db import migrations


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("catalog", "0003_search"),
    ]

    operations = [
        # Left in place on the way back: other indexes may use it.
        migrations.RunSQL("CREATE EXTENSION IF NOT EXISTS btree_gin;", reverse_sql=migrations.RunSQL.noop),
        AddIndexConcurrently(
            model_name="searchindex",
            index=GinIndex(fields=["entity_type", "search_vector"], name="idx_search_index_type_vector"),
        ),
        RemoveIndexConcurrently(model_name="searchindex", name="idx_search_index_search_vector"),
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY idx_search_index_title_words ON search_index "
            "USING gin (ts_filter(search_vector, '{a}'));",
            reverse_sql="DROP INDEX CONCURRENTLY idx_search_index_title_words;",
        ),
    ]
