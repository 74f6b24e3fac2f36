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
"""

from django.db import migrations

FUNCTIONS_SQL = r"""
CREATE FUNCTION veza_room_words(room bigint, words tsvector) RETURNS tsvector
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
RETURN (regexp_replace(words::text, '''((?:[^'']|'''')*)''', '''' || room || ':\1''', 'g')
        || ' ''' || room || ':''')::tsvector;

-- Parallel restricted: a search among someone's rooms reads a few posting lists, and PostgreSQL, which
-- cannot tell how many rows a query built at run time matches, would otherwise start workers for it.
CREATE FUNCTION veza_rooms_query(rooms bigint[], query tsquery) RETURNS tsquery
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
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY idx_room_messages_room_words ON room_messages "
            "USING gin (veza_room_words(room_id, to_tsvector('french', content))) WHERE message_type = 'message';",
            reverse_sql="DROP INDEX CONCURRENTLY idx_room_messages_room_words;",
        ),
    ]
