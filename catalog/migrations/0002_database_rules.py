"""Foreign keys with the schema's names and ON DELETE rules, enforced by PostgreSQL."""

from django.db import migrations

from core.db import foreign_key


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        foreign_key("tracks", "file_id", "files", name="fk_tracks_file_id", on_delete="CASCADE"),
        foreign_key("tracks", "creator_id", "users", name="fk_tracks_creator_id", on_delete="CASCADE"),
    ]
