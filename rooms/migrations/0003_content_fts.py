"""Full-text index on room messages, the same expression as the schema's ``idx_messages_content_fts``."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("rooms", "0002_database_rules"),
    ]

    operations = [
        migrations.RunSQL(
            "CREATE INDEX idx_room_messages_content_fts ON room_messages USING gin (to_tsvector('french', content));",
            reverse_sql="DROP INDEX idx_room_messages_content_fts;",
        ),
    ]
