"""Search leaves out what moderators hid: the documents skip moderated rooms, tracks (or their files),
products and listings, and the update triggers also fire when the moderation state changes, so a hidden
row leaves ``search_index`` in the hiding transaction and a restored one comes back in the restoring one.

Nothing is moderated when this runs (the columns are new), so the index needs no rebuild.
"""

from django.db import migrations

VIEW = """
CREATE OR REPLACE VIEW search_documents AS
    SELECT 'user'::varchar AS entity_type, u.id AS entity_id, u.username::varchar AS title,
           concat_ws(' · ', nullif(concat_ws(' ', u.first_name, u.last_name), ''), u.bio) AS content,
           veza_search_vector(u.username, concat_ws(' ', u.first_name, u.last_name), u.bio) AS vector
    FROM users u WHERE u.is_active
UNION ALL
    SELECT 'room', r.id, r.name, coalesce(r.description, ''),
           veza_search_vector(r.name, NULL, r.description)
    FROM rooms r WHERE NOT r.is_private{room}
UNION ALL
    SELECT 'track', t.id, t.title, concat_ws(' · ', t.artist, t.album, t.genre),
           veza_search_vector(t.title, t.artist || ' ' || t.album, t.genre)
    FROM tracks t JOIN files f ON f.id = t.file_id WHERE f.is_public{track}
UNION ALL
    SELECT 'product', p.id, p.name, p.category || ' · ' || p.description,
           veza_search_vector(p.name, p.category, p.description)
    FROM products p WHERE p.is_active{product}
UNION ALL
    SELECT 'listing', l.id, l.title, l.description,
           veza_search_vector(l.title, NULL, l.description)
    FROM listings l WHERE l.status = 'active'{listing};
"""
MODERATED = {
    "room": " AND r.moderated_at IS NULL",
    "track": " AND f.moderated_at IS NULL AND t.moderated_at IS NULL",
    "product": " AND p.moderated_at IS NULL",
    "listing": " AND l.moderated_at IS NULL",
}

# (table, kind, columns whose change can change the document), as in 0003_search
SOURCES = [
    ("rooms", "room", ["name", "description", "is_private"]),
    ("tracks", "track", ["title", "artist", "album", "genre", "file_id"]),
    ("products", "product", ["name", "description", "category", "is_active"]),
    ("listings", "listing", ["title", "description", "status"]),
]


def _triggers(extra: list[str]) -> str:
    statements = []
    for table, kind, columns in SOURCES:
        changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in [*columns, *extra])
        statements.append(
            f"DROP TRIGGER search_index_{table}_update ON {table};\n"
            f"CREATE TRIGGER search_index_{table}_update AFTER UPDATE ON {table} "
            f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION search_index_row_changed('{kind}');"
        )
    changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in ["is_public", *extra])
    statements.append(
        "DROP TRIGGER search_index_files_update ON files;\n"
        "CREATE TRIGGER search_index_files_update AFTER UPDATE ON files "
        f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION search_index_file_changed();"
    )
    return "\n".join(statements)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_moderation"),
        ("media", "0003_moderation"),
        ("rooms", "0005_moderation"),
        ("marketplace", "0004_moderation"),
    ]

    operations = [
        migrations.RunSQL(
            VIEW.format(**MODERATED) + _triggers(["moderated_at"]),
            reverse_sql=VIEW.format(**dict.fromkeys(MODERATED, "")) + _triggers([]),
        ),
    ]
