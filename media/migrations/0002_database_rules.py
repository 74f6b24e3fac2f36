"""Foreign keys with the schema's names and ON DELETE rules, enforced by PostgreSQL."""

from django.db import migrations

from core.db import foreign_key


class Migration(migrations.Migration):
    dependencies = [
        ("media", "0001_initial"),
    ]

    operations = [
        foreign_key("files", "user_id", "users", name="fk_files_user_id", on_delete="CASCADE"),
    ]
