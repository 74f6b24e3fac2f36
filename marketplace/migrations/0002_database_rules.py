"""Foreign keys with the schema's names and ON DELETE rules, and the French full-text index on products."""

from django.db import migrations

from core.db import foreign_key


class Migration(migrations.Migration):
    dependencies = [
        ("marketplace", "0001_initial"),
    ]

    operations = [
        foreign_key("products", "creator_id", "users", name="fk_products_creator_id", on_delete="CASCADE"),
        migrations.RunSQL(
            "CREATE INDEX idx_products_search_fts ON products "
            "USING gin (to_tsvector('french', name || ' ' || description));",
            reverse_sql="DROP INDEX idx_products_search_fts;",
        ),
        foreign_key("listings", "seller_id", "users", name="fk_listings_seller_id", on_delete="CASCADE"),
    ]
