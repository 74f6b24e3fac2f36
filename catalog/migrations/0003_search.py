"""Unified search: text analysis, the documents of every searchable entity, and index upkeep.

- ``veza_fr`` / ``veza_en`` / ``veza_simple``: the French and English stemmers and the plain words,
  each after ``unaccent`` (``ete`` finds ``été``).
- ``veza_search_vector(a, b, c)``: the three configurations over weighted fields (A title or name,
  B artist/album/category/names, C the body); ``veza_query(text)``: the matching query.
- ``search_documents``: one row per entity that may be found (active users, public rooms, tracks of
  public files, active products, active listings) with its title, text and vector.
- ``search_index_sync(kind, first_id, last_id)``: makes ``search_index`` match ``search_documents`` for
  that range of ids; row triggers on every source table call it, so the index changes in the same
  transaction as the entity (it commits or rolls back with it), whatever wrote the row (services,
  admin, cascades, raw SQL). ``rebuild_search_index`` calls it in batches.
- ``veza_fold``: lower case without accents, for the trigram index on titles (near spellings).
"""

from django.db import migrations, models

ANALYSIS_SQL = """
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TEXT SEARCH CONFIGURATION veza_fr (COPY = pg_catalog.french);
ALTER TEXT SEARCH CONFIGURATION veza_fr ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;
CREATE TEXT SEARCH CONFIGURATION veza_en (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION veza_en ALTER MAPPING FOR hword, hword_part, word WITH unaccent, english_stem;
CREATE TEXT SEARCH CONFIGURATION veza_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION veza_simple ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple;

CREATE FUNCTION veza_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN lower(unaccent('unaccent'::regdictionary, value));

-- Analyses and fields are joined with a gap: a lexeme no query can contain (a space) ten positions
-- on, so that a phrase ("blue moon") never matches across two of them.
CREATE FUNCTION veza_analyse(value text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN to_tsvector('veza_fr'::regconfig, coalesce(value, '')) || $gap$' ':10$gap$::tsvector
    || to_tsvector('veza_en'::regconfig, coalesce(value, '')) || $gap$' ':10$gap$::tsvector
    || to_tsvector('veza_simple'::regconfig, coalesce(value, ''));

CREATE FUNCTION veza_search_vector(a text, b text, c text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN setweight(veza_analyse(a), 'A') || $gap$' ':10$gap$::tsvector
    || setweight(veza_analyse(b), 'B') || $gap$' ':10$gap$::tsvector
    || setweight(veza_analyse(c), 'C');

-- What a search box's text means (web search syntax: words, "phrases", -exclusions, or): the French
-- reading, or-ed with the English one when it differs; plain words when both drop everything.
CREATE FUNCTION veza_query(value text) RETURNS tsquery
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN (
    SELECT CASE
        WHEN numnode(fr) = 0 AND numnode(en) = 0 THEN websearch_to_tsquery('veza_simple'::regconfig, value)
        WHEN numnode(en) = 0 OR en = fr THEN fr
        WHEN numnode(fr) = 0 THEN en
        ELSE fr || en
    END
    FROM (
        SELECT websearch_to_tsquery('veza_fr'::regconfig, value) AS fr,
               websearch_to_tsquery('veza_en'::regconfig, value) AS en
    ) AS analysed
);
"""

ANALYSIS_REVERSE_SQL = """
DROP FUNCTION veza_query(text);
DROP FUNCTION veza_search_vector(text, text, text);
DROP FUNCTION veza_analyse(text);
DROP FUNCTION veza_fold(text);
DROP TEXT SEARCH CONFIGURATION veza_simple;
DROP TEXT SEARCH CONFIGURATION veza_en;
DROP TEXT SEARCH CONFIGURATION veza_fr;
"""

DOCUMENTS_SQL = """
CREATE VIEW search_documents AS
    SELECT 'user'::varchar AS entity_type, u.id AS entity_id, u.username::varchar AS title,
           concat_ws(' · ', nullif(concat_ws(' ', u.first_name, u.last_name), ''), u.bio) AS content,
           veza_search_vector(u.username, concat_ws(' ', u.first_name, u.last_name), u.bio) AS vector
    FROM users u WHERE u.is_active
UNION ALL
    SELECT 'room', r.id, r.name, coalesce(r.description, ''),
           veza_search_vector(r.name, NULL, r.description)
    FROM rooms r WHERE NOT r.is_private
UNION ALL
    SELECT 'track', t.id, t.title, concat_ws(' · ', t.artist, t.album, t.genre),
           veza_search_vector(t.title, t.artist || ' ' || t.album, t.genre)
    FROM tracks t JOIN files f ON f.id = t.file_id WHERE f.is_public
UNION ALL
    SELECT 'product', p.id, p.name, p.category || ' · ' || p.description,
           veza_search_vector(p.name, p.category, p.description)
    FROM products p WHERE p.is_active
UNION ALL
    SELECT 'listing', l.id, l.title, l.description,
           veza_search_vector(l.title, NULL, l.description)
    FROM listings l WHERE l.status = 'active';

CREATE FUNCTION search_index_sync(kind text, first_id bigint, last_id bigint) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM search_index s
    WHERE s.entity_type = kind AND s.entity_id BETWEEN first_id AND last_id
      AND NOT EXISTS (
          SELECT 1 FROM search_documents d WHERE d.entity_type = kind AND d.entity_id = s.entity_id
      );
    INSERT INTO search_index (entity_type, entity_id, title, content, search_vector, indexed_at)
    SELECT d.entity_type, d.entity_id, d.title, d.content, d.vector, now()
    FROM search_documents d
    WHERE d.entity_type = kind AND d.entity_id BETWEEN first_id AND last_id
    ON CONFLICT (entity_type, entity_id) DO UPDATE
        SET title = EXCLUDED.title, content = EXCLUDED.content,
            search_vector = EXCLUDED.search_vector, indexed_at = EXCLUDED.indexed_at
        WHERE (search_index.title, search_index.content, search_index.search_vector)
              IS DISTINCT FROM (EXCLUDED.title, EXCLUDED.content, EXCLUDED.search_vector);
END $$;

CREATE FUNCTION search_index_row_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    row_id bigint := CASE WHEN TG_OP = 'DELETE' THEN OLD.id ELSE NEW.id END;
BEGIN
    PERFORM search_index_sync(TG_ARGV[0], row_id, row_id);
    RETURN NULL;
END $$;

CREATE FUNCTION search_index_file_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM search_index_sync('track', t.id, t.id) FROM tracks t WHERE t.file_id = NEW.id;
    RETURN NULL;
END $$;
"""

# (table, kind, columns whose change can change the document)
SOURCES = [
    ("users", "user", ["username", "first_name", "last_name", "bio", "is_active"]),
    ("rooms", "room", ["name", "description", "is_private"]),
    ("tracks", "track", ["title", "artist", "album", "genre", "file_id"]),
    ("products", "product", ["name", "description", "category", "is_active"]),
    ("listings", "listing", ["title", "description", "status"]),
]


def _triggers() -> str:
    statements = []
    for table, kind, columns in SOURCES:
        changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column in columns)
        statements.append(
            f"CREATE TRIGGER search_index_{table}_rows AFTER INSERT OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION search_index_row_changed('{kind}');\n"
            f"CREATE TRIGGER search_index_{table}_update AFTER UPDATE ON {table} "
            f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION search_index_row_changed('{kind}');"
        )
    statements.append(
        "CREATE TRIGGER search_index_files_update AFTER UPDATE ON files "
        "FOR EACH ROW WHEN (OLD.is_public IS DISTINCT FROM NEW.is_public) "
        "EXECUTE FUNCTION search_index_file_changed();"
    )
    kinds = ", ".join(f"('{kind}')" for _, kind, _ in SOURCES)
    statements.append(f"SELECT search_index_sync(kind, 0, 9223372036854775807) FROM (VALUES {kinds}) AS kinds (kind);")  # noqa: S608
    return "\n".join(statements)


def _drop_triggers() -> str:
    statements = [
        f"DROP TRIGGER search_index_{table}_rows ON {table}; DROP TRIGGER search_index_{table}_update ON {table};"
        for table, _, _ in SOURCES
    ]
    statements.append("DROP TRIGGER search_index_files_update ON files;")
    return "\n".join(statements)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_database_rules"),
        ("accounts", "0003_refresh_token_families"),
        ("rooms", "0002_database_rules"),
        ("media", "0002_database_rules"),
        ("marketplace", "0003_price_and_description_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="searchindex",
            name="title",
            field=models.CharField(db_default="", default="", max_length=255),
        ),
        migrations.AddField(
            model_name="searchindex",
            name="content",
            field=models.TextField(db_default="", default=""),
        ),
        migrations.RunSQL(ANALYSIS_SQL, reverse_sql=ANALYSIS_REVERSE_SQL),
        migrations.RunSQL(
            "CREATE INDEX idx_search_index_title_trgm ON search_index USING gin (veza_fold(title) gin_trgm_ops);",
            reverse_sql="DROP INDEX idx_search_index_title_trgm;",
        ),
        migrations.RunSQL(
            DOCUMENTS_SQL,
            reverse_sql="DROP FUNCTION search_index_file_changed(); DROP FUNCTION search_index_row_changed(); "
            "DROP FUNCTION search_index_sync(text, bigint, bigint); DROP VIEW search_documents;",
        ),
        migrations.RunSQL(_triggers(), reverse_sql=_drop_triggers()),
    ]
