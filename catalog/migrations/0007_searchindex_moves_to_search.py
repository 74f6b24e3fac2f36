"""``search_index`` now belongs to the search app (``search/migrations/0001_initial.py``): the model
leaves the catalog app's state; the table and everything that keeps it stay as they are."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_search_leaves_out_moderated"),
        ("search", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="SearchIndex")],
            database_operations=[],
        ),
    ]
