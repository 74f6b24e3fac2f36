"""The migrated database matches the schema document, checked through pg_catalog."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db

TS = "timestamp with time zone"

# table -> {column: (type, nullable)}
COLUMNS = {
    "users": {
        "id": ("bigint", False),
        "username": ("character varying(50)", False),
        "email": ("character varying(255)", False),
        "password_hash": ("character varying(255)", False),
        "first_name": ("character varying(100)", True),
        "last_name": ("character varying(100)", True),
        "bio": ("text", True),
        "avatar": ("character varying(500)", True),
        "role": ("character varying(20)", False),
        "is_active": ("boolean", False),
        "is_verified": ("boolean", False),
        "last_login_at": (TS, True),
        "created_at": (TS, False),
        "updated_at": (TS, False),
    },
    "refresh_tokens": {
        "id": ("bigint", False),
        "user_id": ("bigint", False),
        "token": ("character varying(255)", False),
        "expires_at": (TS, False),
        "created_at": (TS, False),
        # Beyond the document (docs/architecture.md): rotation families and revocation.
        "family": ("uuid", False),
        "revoked_at": (TS, True),
    },
    "messages": {
        "id": ("bigint", False),
        "from_user": ("bigint", False),
        "to_user": ("bigint", True),
        "room": ("character varying(100)", True),
        "content": ("text", False),
        "is_read": ("boolean", False),
        "edited_at": (TS, True),
        "timestamp": (TS, False),
        "created_at": (TS, False),
        "updated_at": (TS, False),
    },
    "rooms": {
        "id": ("bigint", False),
        "name": ("character varying(100)", False),
        "description": ("text", True),
        "is_private": ("boolean", False),
        "creator_id": ("bigint", True),
        "password_hash": ("character varying(255)", True),
        "created_at": (TS, False),
        "updated_at": (TS, False),
    },
    "room_members": {
        "id": ("bigint", False),
        "room_id": ("bigint", False),
        "user_id": ("bigint", False),
        "role": ("character varying(20)", False),
        "joined_at": (TS, False),
    },
    "room_messages": {
        "id": ("bigint", False),
        "room_id": ("bigint", False),
        "user_id": ("bigint", True),
        "content": ("text", False),
        "message_type": ("character varying(20)", False),
        "edited_at": (TS, True),
        "created_at": (TS, False),
    },
    "files": {
        "id": ("bigint", False),
        "user_id": ("bigint", False),
        "filename": ("character varying(255)", False),
        "original_name": ("character varying(255)", False),
        "mime_type": ("character varying(255)", False),
        "size": ("bigint", False),
        "path": ("character varying(500)", False),
        "url": ("character varying(500)", False),
        "is_public": ("boolean", False),
        "created_at": (TS, False),
        "updated_at": (TS, False),
    },
    "products": {
        "id": ("bigint", False),
        "name": ("character varying(255)", False),
        "description": ("text", False),
        "price": ("numeric(10,2)", False),
        "category": ("character varying(100)", False),
        "is_active": ("boolean", False),
        "creator_id": ("bigint", False),
        "created_at": (TS, False),
        "updated_at": (TS, False),
    },
    "listings": {
        "id": ("bigint", False),
        "title": ("character varying(255)", False),
        "description": ("text", False),
        "price": ("numeric(10,2)", False),
        "status": ("character varying(20)", False),
        "seller_id": ("bigint", False),
        "created_at": (TS, False),
        "updated_at": (TS, False),
    },
    "tracks": {
        "id": ("bigint", False),
        "title": ("character varying(255)", False),
        "artist": ("character varying(255)", False),
        "album": ("character varying(255)", False),
        "duration": ("integer", False),
        "genre": ("character varying(100)", False),
        "file_id": ("bigint", False),
        "creator_id": ("bigint", False),
        "created_at": (TS, False),
        "updated_at": (TS, False),
    },
    "search_index": {
        "id": ("bigint", False),
        "entity_type": ("character varying(50)", False),
        "entity_id": ("bigint", False),
        # Added for snippets and near spellings (docs/architecture.md, deviations).
        "title": ("character varying(255)", False),
        "content": ("text", False),
        "search_vector": ("tsvector", False),
        "indexed_at": (TS, False),
    },
    "audit_logs": {
        "id": ("bigint", False),
        "table_name": ("character varying(50)", False),
        "record_id": ("bigint", False),
        "action": ("character varying(20)", False),
        "old_values": ("jsonb", True),
        "new_values": ("jsonb", True),
        "user_id": ("bigint", True),
        "ip_address": ("inet", True),
        "created_at": (TS, False),
    },
}

# name -> (table, column, referenced table, ON DELETE: c = CASCADE, n = SET NULL)
FOREIGN_KEYS = {
    "fk_refresh_tokens_user_id": ("refresh_tokens", "user_id", "users", "c"),
    "fk_messages_from_user": ("messages", "from_user", "users", "c"),
    "fk_messages_to_user": ("messages", "to_user", "users", "c"),
    "fk_rooms_creator_id": ("rooms", "creator_id", "users", "n"),
    "fk_room_members_room_id": ("room_members", "room_id", "rooms", "c"),
    "fk_room_members_user_id": ("room_members", "user_id", "users", "c"),
    "fk_room_messages_room_id": ("room_messages", "room_id", "rooms", "c"),
    "fk_room_messages_user_id": ("room_messages", "user_id", "users", "n"),
    "fk_files_user_id": ("files", "user_id", "users", "c"),
    "fk_products_creator_id": ("products", "creator_id", "users", "c"),
    "fk_tracks_file_id": ("tracks", "file_id", "files", "c"),
    "fk_tracks_creator_id": ("tracks", "creator_id", "users", "c"),
    "fk_listings_seller_id": ("listings", "seller_id", "users", "c"),
    "fk_audit_logs_user_id": ("audit_logs", "user_id", "users", "n"),
}

UNIQUE_CONSTRAINTS = {
    "uk_users_username": ("users", ["username"]),
    "uk_users_email": ("users", ["email"]),
    "uk_rooms_name": ("rooms", ["name"]),
    "uk_refresh_tokens_token": ("refresh_tokens", ["token"]),
    "uk_files_filename": ("files", ["filename"]),
    "uk_room_members_room_user": ("room_members", ["room_id", "user_id"]),
    "uk_search_index_entity": ("search_index", ["entity_type", "entity_id"]),
}

CHECK_CONSTRAINTS = {
    "users": ["ck_users_username_length", "ck_users_email_format", "ck_users_password_hash", "ck_users_role"],
    "refresh_tokens": ["ck_refresh_tokens_expires_at", "ck_refresh_tokens_token_length"],
    "messages": ["ck_messages_content_length", "ck_messages_target"],
    "rooms": ["ck_rooms_name_length"],
    "room_members": ["ck_room_members_role"],
    "room_messages": ["ck_room_messages_content_length", "ck_room_messages_message_type"],
    "files": [
        "ck_files_original_name_length",
        "ck_files_filename_length",
        "ck_files_mime_type_format",
        "ck_files_size_positive",
        "ck_files_path_format",
        "ck_files_url_format",
    ],
    "products": [
        "ck_products_name_length",
        "ck_products_description_length",
        "ck_products_category_length",
        "ck_products_price_positive",
    ],
    "listings": [
        "ck_listings_title_length",
        "ck_listings_description_length",
        "ck_listings_price_positive",
        "ck_listings_status",
    ],
    "tracks": [
        "ck_tracks_title_length",
        "ck_tracks_artist_length",
        "ck_tracks_album_length",
        "ck_tracks_genre_length",
        "ck_tracks_duration_positive",
    ],
    "search_index": ["ck_search_index_entity_type"],
    "audit_logs": ["ck_audit_logs_action"],
}

# Every index the document names, with a fragment its definition must contain.
INDEXES = {
    "idx_users_username": ("users", "UNIQUE INDEX", "lower((username)::text)"),
    "idx_users_email": ("users", "UNIQUE INDEX", "lower((email)::text)"),
    "idx_users_role": ("users", "INDEX", "(role)"),
    "idx_users_created_at": ("users", "INDEX", "(created_at)"),
    "idx_refresh_tokens_user_id": ("refresh_tokens", "INDEX", "(user_id)"),
    "idx_refresh_tokens_token": ("refresh_tokens", "UNIQUE INDEX", "(token) INCLUDE (user_id, expires_at)"),
    "idx_refresh_tokens_expires_at": ("refresh_tokens", "INDEX", "(expires_at)"),
    "idx_refresh_tokens_family": ("refresh_tokens", "INDEX", "(family)"),
    "idx_messages_from_user": ("messages", "INDEX", "(from_user)"),
    "idx_messages_to_user": ("messages", "INDEX", "(to_user)"),
    "idx_messages_room": ("messages", "INDEX", "(room)"),
    "idx_messages_timestamp": ("messages", "INDEX", '("timestamp")'),
    "idx_messages_conversation": ("messages", "INDEX", '(from_user, to_user, "timestamp" DESC)'),
    "idx_messages_content_fts": ("messages", "USING gin", "to_tsvector('french'::regconfig, content)"),
    "idx_rooms_name": ("rooms", "UNIQUE INDEX", "lower((name)::text)"),
    "idx_rooms_creator_id": ("rooms", "INDEX", "(creator_id)"),
    "idx_rooms_is_private": ("rooms", "INDEX", "(is_private)"),
    "idx_rooms_created_at": ("rooms", "INDEX", "(created_at)"),
    "idx_room_members_room_id": ("room_members", "INDEX", "(room_id)"),
    "idx_room_members_user_id": ("room_members", "INDEX", "(user_id)"),
    "idx_room_members_role": ("room_members", "INDEX", "(role)"),
    "idx_room_members_unique": ("room_members", "UNIQUE INDEX", "(room_id, user_id) INCLUDE (role)"),
    "idx_room_messages_room_id": ("room_messages", "INDEX", "(room_id)"),
    "idx_room_messages_user_id": ("room_messages", "INDEX", "(user_id)"),
    "idx_room_messages_message_type": ("room_messages", "INDEX", "(message_type)"),
    "idx_room_messages_created_at": ("room_messages", "INDEX", "(created_at)"),
    "idx_room_messages_room_timestamp": ("room_messages", "INDEX", "(room_id, created_at DESC)"),
    "idx_files_user_id": ("files", "INDEX", "(user_id)"),
    "idx_files_filename": ("files", "UNIQUE INDEX", "(filename) INCLUDE (user_id, is_public)"),
    "idx_files_mime_type": ("files", "INDEX", "(mime_type)"),
    "idx_files_is_public": ("files", "INDEX", "(is_public)"),
    "idx_files_created_at": ("files", "INDEX", "(created_at)"),
    "idx_products_creator_id": ("products", "INDEX", "(creator_id)"),
    "idx_products_category": ("products", "INDEX", "(category)"),
    "idx_products_is_active": ("products", "INDEX", "(is_active)"),
    "idx_products_price": ("products", "INDEX", "(price)"),
    "idx_products_created_at": ("products", "INDEX", "(created_at)"),
    "idx_products_search": ("products", "INDEX", "(category, is_active, price) WHERE is_active"),
    "idx_products_search_fts": (
        "products",
        "USING gin",
        "to_tsvector('french'::regconfig, (((name)::text || ' '::text) || description))",
    ),
    "idx_tracks_file_id": ("tracks", "INDEX", "(file_id)"),
    "idx_tracks_creator_id": ("tracks", "INDEX", "(creator_id)"),
    "idx_tracks_artist": ("tracks", "INDEX", "(artist)"),
    "idx_tracks_album": ("tracks", "INDEX", "(album)"),
    "idx_tracks_genre": ("tracks", "INDEX", "(genre)"),
    "idx_tracks_duration": ("tracks", "INDEX", "(duration)"),
    "idx_tracks_search": ("tracks", "INDEX", "(genre, artist, album)"),
    "idx_search_index_search_vector": ("search_index", "USING gin", "(search_vector)"),
    **{
        f"idx_search_index_{kind}_words": (
            "search_index",
            "USING gin",
            f"(search_vector) WHERE ((entity_type)::text = '{kind}'",
        )
        for kind in ("user", "room", "track", "product", "listing")
    },
    "idx_search_index_title_words": ("search_index", "USING gin", "(ts_filter(search_vector, '{a}'::\"char\"[]))"),
}


# Added for moderation (docs/architecture.md, deviations): the same three columns, CHECK, foreign key and
# partial index on every table whose rows moderators hide (core/moderated.py).
MODERATED_TABLES = ("files", "tracks", "products", "listings", "rooms")
for _table in MODERATED_TABLES:
    COLUMNS[_table].update(
        {"moderated_at": (TS, True), "moderated_by_id": ("bigint", True), "moderation_reason": ("text", True)}
    )
    CHECK_CONSTRAINTS[_table].append(f"ck_{_table}_moderation_reason")
    FOREIGN_KEYS[f"fk_{_table}_moderated_by_id"] = (_table, "moderated_by_id", "users", "n")
    INDEXES[f"idx_{_table}_moderated"] = (_table, "INDEX", "(moderated_at) WHERE (moderated_at IS NOT NULL)")


def fetch(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall()


def test_every_table_of_the_document_exists():
    tables = {row[0] for row in fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    assert set(COLUMNS) <= tables


@pytest.mark.parametrize("table", sorted(COLUMNS))
def test_columns_types_and_nullability(table):
    rows = fetch(
        """
        SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull
        FROM pg_attribute a
        WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
        """,
        [table],
    )
    assert {name: (type_, nullable) for name, type_, nullable in rows} == COLUMNS[table]


@pytest.mark.parametrize("name", sorted(FOREIGN_KEYS))
def test_foreign_key_with_database_on_delete_rule(name):
    table, column, target, rule = FOREIGN_KEYS[name]
    rows = fetch(
        """
        SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, c.confdeltype
        FROM pg_constraint c
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
        WHERE c.conname = %s AND c.contype = 'f' AND c.conparentid = 0
        """,
        [name],
    )
    assert rows == [(table, column, target, rule)]


def test_no_foreign_key_of_the_document_tables_is_left_unnamed():
    rows = fetch(
        """
        SELECT conname FROM pg_constraint
        WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) AND conname NOT LIKE 'fk\\_%%'
        """,
        [list(COLUMNS)],
    )
    assert rows == []


@pytest.mark.parametrize("name", sorted(UNIQUE_CONSTRAINTS))
def test_unique_constraints(name):
    table, columns = UNIQUE_CONSTRAINTS[name]
    rows = fetch(
        """
        SELECT c.conrelid::regclass::text, array_agg(a.attname ORDER BY k.ord)
        FROM pg_constraint c
        CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord)
        JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum
        WHERE c.conname = %s AND c.contype = 'u'
        GROUP BY c.conrelid
        """,
        [name],
    )
    assert rows == [(table, columns)]


@pytest.mark.parametrize("table", sorted(CHECK_CONSTRAINTS))
def test_check_constraints(table):
    rows = fetch("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c'", [table])
    assert {row[0] for row in rows} == set(CHECK_CONSTRAINTS[table])


@pytest.mark.parametrize("name", sorted(INDEXES))
def test_named_indexes(name):
    table, kind, fragment = INDEXES[name]
    rows = fetch("SELECT tablename, indexdef FROM pg_indexes WHERE indexname = %s", [name])
    assert len(rows) == 1, f"index {name} is missing"
    found_table, definition = rows[0]
    assert found_table == table
    assert kind in definition
    assert fragment in definition, definition


def test_messages_is_partitioned_by_month_on_timestamp_with_a_default_partition():
    (strategy, key), *_ = fetch(
        """
        SELECT p.partstrat, pg_get_partkeydef(p.partrelid)
        FROM pg_partitioned_table p WHERE p.partrelid = 'messages'::regclass
        """
    )
    assert strategy == "r"
    assert key == 'RANGE ("timestamp")'
    primary_key = fetch(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'messages'::regclass AND contype = 'p'"
    )
    assert primary_key == [('PRIMARY KEY (id, "timestamp")',)]
    partitions = dict(
        fetch(
            """
            SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'messages'::regclass
            """
        )
    )
    assert partitions.pop("messages_default") == "DEFAULT"
    assert partitions, "the migration creates the current month's partitions"
    for name, bound in partitions.items():
        year, month = name.removeprefix("messages_").split("_")
        assert bound.startswith(f"FOR VALUES FROM ('{year}-{month}-01 00:00:00+00')")


def test_one_sequence_feeds_every_partition():
    rows = fetch("SELECT pg_get_serial_sequence('messages', 'id')")
    assert rows == [("public.messages_id_seq",)]


def test_audit_trigger_is_installed_on_users_for_update_and_delete():
    rows = fetch(
        """
        SELECT t.tgname, p.proname, pg_get_triggerdef(t.oid)
        FROM pg_trigger t JOIN pg_proc p ON p.oid = t.tgfoid
        WHERE t.tgrelid = 'users'::regclass AND NOT t.tgisinternal AND left(t.tgname, 13) <> 'search_index_'
        """
    )
    assert len(rows) == 1
    name, function, definition = rows[0]
    assert (name, function) == ("trigger_audit_users", "audit_user_changes")
    assert "AFTER DELETE OR UPDATE ON public.users FOR EACH ROW" in definition


def test_pgcrypto_is_not_used():
    assert fetch("SELECT 1 FROM pg_extension WHERE extname = 'pgcrypto'") == []


def test_models_and_migrations_agree():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)  # exits with 1 on a missing migration
    assert "No changes detected" in out.getvalue()
