"""Room-scoped full-text index on room messages, so a search among the rooms someone belongs to reads
only the matches in those rooms.

``veza_room_words(room, words)`` prefixes every lexeme of a message with its room (``'42:guitar'``)
and adds the room's own marker (``'42:'``). ``veza_rooms_query(rooms, query)`` rewrites a query for a
list of rooms: ``('1:guitar') | ('2:guitar') | ...``, each alternative also requiring its room's
marker when the query looks for nothing but excluded words (``-rock``), so a message can only ever
match inside its own room. A search in 50 rooms then reads 50 short posting lists (the word's messages
in each room) instead of combining the rooms' 50,000 messages with the word's matches everywhere.
``idx_room_messages_content_fts`` stays: it serves searches across all rooms (the console).

Lexemes are rewritten in their text form, where they are quoted and a quote inside one is doubled.
The migration can be run again after a failure half-way (the index is built concurrently, outside a
transaction).
"""

from django.db import migrations

FUNCTIONS_SQL = r"""
-- Lexemes that would pass PostgreSQL's limit (2046 bytes) once prefixed are left out.
CREATE OR REPLACE FUNCTION veza_room_words(room bigint, words tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (regexp_replace(
            ts_delete(words, ARRAY(SELECT w.lexeme FROM unnest(words) AS w
                                   WHERE octet_length(w.lexeme) > 2045 - octet_length(room::text)))::text,
            '''((?:[^'']|'''')*)''', '''' || room || ':\1''', 'g')
        || ' ''' || room || ':''')::tsvector;

-- Parallel restricted: a search among someone's rooms reads a few posting lists, and PostgreSQL, which
-- cannot tell how many rows a query built at run time matches, would otherwise start workers for it.
CREATE OR REPLACE FUNCTION veza_rooms_query(rooms bigint[], query tsquery) RETURNS tsquery
LANGUAGE sql IMMUTABLE STRICT PARALLEL RESTRICTED
RETURN (
    SELECT coalesce(string_agg(
        CASE WHEN querytree(query) = 'T' THEN '''' || room || ':'' & ' ELSE '' END
        || '(' || regexp_replace(query::text, '''((?:[^'']|'''')*)''', '''' || room || ':\1''', 'g') || ')',
        ' | '), '')::tsquery
    FROM unnest(rooms) AS room
    WHERE numnode(query) > 0
);
"""

FUNCTIONS_REVERSE_SQL = """
DROP FUNCTION veza_rooms_query(bigint[], tsquery);
DROP FUNCTION veza_room_words(bigint, tsvector);
"""


class Migration(migrations.Migration):
    atomic = False  # the index is built concurrently: people keep chatting meanwhile

    dependencies = [
        ("rooms", "0003_content_fts"),
    ]

    operations = [
        migrations.RunSQL(FUNCTIONS_SQL, reverse_sql=FUNCTIONS_REVERSE_SQL),
        # A build that failed half-way leaves an invalid index: it is dropped before building again.
        migrations.RunSQL(
            "DROP INDEX CONCURRENTLY IF EXISTS idx_room_messages_room_words;", reverse_sql=migrations.RunSQL.noop
        ),
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY idx_room_messages_room_words ON room_messages "
            "USING gin (veza_room_words(room_id, to_tsvector('french', content))) WHERE message_type = 'message';",
            reverse_sql="DROP INDEX CONCURRENTLY idx_room_messages_room_words;",
        ),
    ]
