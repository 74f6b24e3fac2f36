"""The statements of unified search, run by ``search.selectors`` as prepared statements.

Every statement starts with the ``query`` CTE, which reads what was typed once. The functions and
dictionaries they call (``veza_query``, ``veza_fold``, ``veza_room_words``, ``veza_rooms_query``,
``veza_fr``, ``veza_simple``) and the triggers that keep ``search_index`` are created by the
migrations: ``catalog/migrations/0003_search.py`` .. ``0006_search_leaves_out_moderated.py`` and
``rooms/migrations/0004_room_words.py``.
"""

from search.models import EntityType

# What was typed, read once per statement (the ``query`` CTE that starts each of them), so that a
# prepared statement's plan never re-reads it row by row:
# - ``words``: its French and English readings, for entities (catalog/migrations/0003_search.py);
# - ``title_words``: what it looks for, without excluded words (``querytree``), NULL when it only
#   excludes words; entities whose title holds it come first;
# - ``message_words``: for messages, the schema's index expression ``to_tsvector('french', content)``;
# - ``folded``: accents and case folded, for near spellings of titles.
QUERY_CTE = """
    query AS MATERIALIZED (
        SELECT typed.words,
               NULLIF(querytree(typed.words), 'T')::tsquery AS title_words,
               websearch_to_tsquery('french', %(q)s) AS message_words,
               veza_fold(%(q)s) AS folded
        FROM (SELECT veza_query(%(q)s) AS words) AS typed
    )
"""
ENTITY_QUERY = "(SELECT query.words FROM query)"
MESSAGE_QUERY = "(SELECT query.message_words FROM query)"


# -- what the viewer may find among messages -------------------------------------------------------

# The viewer's rooms, less those moderators closed (their history is read by nobody but staff).
VIEWER_ROOMS = (
    "ARRAY(SELECT rm.room_id FROM room_members rm JOIN rooms r ON r.id = rm.room_id"
    " WHERE rm.user_id = %(viewer)s AND r.moderated_at IS NULL)"
)
# The query rewritten for the viewer's rooms matches only messages of those rooms, through the
# room-scoped idx_room_messages_room_words (rooms/migrations/0004_room_words.py): the index returns just
# the matches in those rooms. The room check after it is a second lock on the door, checked on those
# rows only (written so that it is not combined with the 50,000 messages of the rooms' own index).
ROOM_MESSAGES_FROM = f"""
    FROM room_messages m
    WHERE veza_room_words(m.room_id, to_tsvector('french', m.content))
              @@ veza_rooms_query({VIEWER_ROOMS}, {MESSAGE_QUERY})
      AND m.message_type = 'message'
      AND (m.room_id = ANY({VIEWER_ROOMS})) IS TRUE
"""
DIRECT_MESSAGES_FROM = f"""
    FROM messages m
    WHERE to_tsvector('french', m.content) @@ {MESSAGE_QUERY}
      AND (m.from_user = %(viewer)s OR m.to_user = %(viewer)s)
      AND m.to_user IS NOT NULL
"""


def _count_sql(source: str) -> str:
    """The number of rows of ``source`` (a FROM ... WHERE), up to COUNT_LIMIT + 1."""
    return f"(SELECT count(*) FROM (SELECT 1 {source} LIMIT %(count_limit)s + 1) AS found)"  # noqa: S608


# -- entities (search_index) -------------------------------------------------------------------------

FULL_TEXT_MATCH = f"s.search_vector @@ {ENTITY_QUERY}"
FULL_TEXT_RANK = f"ts_rank_cd(s.search_vector, {ENTITY_QUERY})"
# The title's words (weight A; idx_search_index_title_words) hold what the query looks for.
TITLE_MATCH = "ts_filter(s.search_vector, '{a}') @@ (SELECT query.title_words FROM query)"
# Written as the index's own operator (``%>``, the commutator of ``<%``): PostgreSQL then checks it
# with the index alone instead of computing the similarity again on every row.
NEAR_MATCH = "veza_fold(s.title) %%> (SELECT query.folded FROM query)"
NEAR_RANK = "word_similarity((SELECT query.folded FROM query), veza_fold(s.title))"


def _count_of_type(kind: str) -> str:
    if not kind.isidentifier():  # our own constants, written into the SQL so its partial index is used
        raise ValueError(f"Not an entity type: {kind!r}.")
    matches = f"FROM search_index s WHERE s.entity_type = '{kind}' AND {FULL_TEXT_MATCH}"
    return f"SELECT '{kind}' AS kind, {_count_sql(matches)} AS n"


# The whole search of entities, in one statement. Each type's full-text matches are counted up to
# COUNT_LIMIT + 1, each through its own partial index (idx_search_index_<type>_words). Then:
# - when there are at most FEW matches in all, they are read and ranked in one pass;
# - otherwise the entities whose title matches are ranked (tier 0), and the others (tier 1) are read
#   and ranked only when the title matches do not fill the page. Each tier reads at most
#   COUNT_LIMIT + 1 rows: beyond that (a word in most titles), the page ranks the first ones read;
# - when nothing matches, titles of near spelling (trigram word similarity) are counted and ranked.
# Title matches come first, best ``ts_rank_cd`` first; pages stop at COUNT_LIMIT results, and no step
# reads more than COUNT_LIMIT + 1 rows, however common the words. Only the page's rows get headlines
# (``ts_headline`` re-parses the text).
SEARCH_SQL = f"""
    WITH {QUERY_CTE}, counts AS MATERIALIZED (
        {" UNION ALL ".join(_count_of_type(kind) for kind in EntityType.values)}
    ), few AS MATERIALIZED (
        SELECT sum(c.n) <= %(few)s AS yes, sum(c.n) = 0 AS nothing FROM counts c
    ), titled AS MATERIALIZED (
        -- The whole query is checked on these rows only (an excluded word may be in the description).
        SELECT s.id, {FULL_TEXT_RANK} AS rank, {FULL_TEXT_MATCH} AS whole FROM search_index s
        WHERE NOT (SELECT yes FROM few) AND cardinality(%(kinds)s::text[]) > 0
          AND {TITLE_MATCH} AND s.entity_type = ANY(%(kinds)s::text[])
        LIMIT %(count_limit)s + 1
    ), near AS MATERIALIZED (
        SELECT s.id, s.entity_type, CASE WHEN s.entity_type = ANY(%(kinds)s::text[]) THEN {NEAR_RANK} END AS rank
        FROM search_index s
        WHERE (SELECT nothing FROM few) AND {NEAR_MATCH}
        LIMIT %(count_limit)s + 1
    ), ranked AS (
        SELECT s.id, {FULL_TEXT_RANK} AS rank, CASE WHEN {TITLE_MATCH} THEN 0 ELSE 1 END AS tier
        FROM search_index s
        WHERE (SELECT yes FROM few) AND cardinality(%(kinds)s::text[]) > 0
          AND {FULL_TEXT_MATCH} AND s.entity_type = ANY(%(kinds)s::text[])
        UNION ALL
        SELECT t.id, t.rank, 0 FROM titled t WHERE t.whole
        UNION ALL
        (SELECT s.id, {FULL_TEXT_RANK}, 1 FROM search_index s
         WHERE NOT (SELECT yes FROM few) AND cardinality(%(kinds)s::text[]) > 0
           AND (SELECT count(*) FROM titled t WHERE t.whole) < %(offset)s + %(limit)s
           AND {FULL_TEXT_MATCH} AND ({TITLE_MATCH}) IS NOT TRUE AND s.entity_type = ANY(%(kinds)s::text[])
         LIMIT %(count_limit)s + 1)
        UNION ALL
        SELECT n.id, n.rank, 0 FROM near n WHERE n.rank IS NOT NULL
    ), page AS (
        SELECT r.id, r.rank, r.tier FROM ranked r
        ORDER BY r.tier, r.rank DESC, r.id
        LIMIT %(limit)s OFFSET %(offset)s
    )
    SELECT (SELECT json_object_agg(c.kind, c.n) FROM counts c WHERE c.n > 0),
           (SELECT json_object_agg(n.entity_type, n.n)
            FROM (SELECT entity_type, count(*) AS n FROM near GROUP BY entity_type) n),
           CASE WHEN %(messages)s THEN {_count_sql(ROOM_MESSAGES_FROM)} END,
           CASE WHEN %(messages)s THEN {_count_sql(DIRECT_MESSAGES_FROM)} END,
           s.entity_type, s.entity_id, s.title,
           ts_headline('veza_fr', s.title, {ENTITY_QUERY}, %(title_options)s),
           ts_headline('veza_fr', s.content, {ENTITY_QUERY}, %(options)s),
           page.rank
    FROM (SELECT 1) AS one
    LEFT JOIN (page JOIN search_index s ON s.id = page.id) ON true
    ORDER BY page.tier, page.rank DESC, page.id
"""  # noqa: S608


# -- messages the viewer can read --------------------------------------------------------------------

# One page of messages, newest first, with the counts of both kinds in the same statement: the page's
# kind is counted from the matches it reads anyway to find the newest.
ROOM_MESSAGES_PAGE_SQL = f"""
    WITH {QUERY_CTE}, found AS MATERIALIZED (
        SELECT m.id {ROOM_MESSAGES_FROM}
    ), page AS (
        SELECT f.id FROM found f ORDER BY f.id DESC LIMIT %(limit)s OFFSET %(offset)s
    )
    SELECT (SELECT count(*) FROM found), {_count_sql(DIRECT_MESSAGES_FROM)},
           m.id, m.room_id, r.name, u.username, m.created_at,
           ts_headline('french', m.content, {MESSAGE_QUERY}, %(options)s)
    FROM (SELECT 1) AS one
    LEFT JOIN (page
               JOIN room_messages m ON m.id = page.id
               JOIN rooms r ON r.id = m.room_id
               LEFT JOIN users u ON u.id = m.user_id) ON true
    ORDER BY m.id DESC
"""  # noqa: S608
DIRECT_MESSAGES_PAGE_SQL = f"""
    WITH {QUERY_CTE}, found AS MATERIALIZED (
        SELECT m.id, m.timestamp {DIRECT_MESSAGES_FROM}
    ), page AS (
        SELECT f.id, f.timestamp FROM found f ORDER BY f.id DESC LIMIT %(limit)s OFFSET %(offset)s
    )
    SELECT {_count_sql(ROOM_MESSAGES_FROM)}, (SELECT count(*) FROM found),
           m.id, sender.username, peer.username, m.timestamp,
           ts_headline('french', m.content, {MESSAGE_QUERY}, %(options)s)
    FROM (SELECT 1) AS one
    LEFT JOIN (page
               JOIN messages m ON m.id = page.id AND m.timestamp = page.timestamp
               JOIN users sender ON sender.id = m.from_user
               JOIN users peer
                 ON peer.id = CASE WHEN m.from_user = %(viewer)s THEN m.to_user ELSE m.from_user END) ON true
    ORDER BY m.id DESC
"""  # noqa: S608


# -- as-you-type suggestions -------------------------------------------------------------------------

# Entities with every word, the last one as a prefix (``%(prefix)s`` from ``selectors.prefix_query``).
PREFIX_SQL = """
    WITH prefix AS MATERIALIZED (SELECT to_tsquery('veza_simple', %(prefix)s) AS words)
    SELECT s.entity_type, s.entity_id, s.title
    FROM search_index s
    WHERE s.search_vector @@ (SELECT prefix.words FROM prefix)
    ORDER BY ts_rank_cd(s.search_vector, (SELECT prefix.words FROM prefix)) DESC, length(s.title), s.id
    LIMIT %(limit)s
"""
# Titles of near spelling, when no entity has the words.
NEAR_TITLES_SQL = f"""
    WITH {QUERY_CTE}
    SELECT s.entity_type, s.entity_id, s.title FROM search_index s
    WHERE {NEAR_MATCH} ORDER BY {NEAR_RANK} DESC, s.id LIMIT %(limit)s
"""  # noqa: S608
