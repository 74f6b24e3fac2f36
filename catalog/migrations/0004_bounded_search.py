"""Indexes for bounded counts and title-first ranking (see catalog/search.py).

``idx_search_index_type_vector`` (btree_gin) replaces the index on ``search_vector`` alone: it answers
the same full-text matches and also "matches of one type", so counting a type's matches stops after
the first rows. ``idx_search_index_title_words`` indexes the title's words (weight A) alone, so the
first page of a common word reads only the entities whose title matches.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_search"),
    ]

    operations = [
        BtreeGinExtension(),
        migrations.AddIndex(
            model_name="searchindex",
            index=GinIndex(fields=["entity_type", "search_vector"], name="idx_search_index_type_vector"),
        ),
        migrations.RemoveIndex(model_name="searchindex", name="idx_search_index_search_vector"),
        migrations.RunSQL(
            "CREATE INDEX idx_search_index_title_words ON search_index USING gin (ts_filter(search_vector, '{a}'));",
            reverse_sql="DROP INDEX idx_search_index_title_words;",
        ),
    ]
