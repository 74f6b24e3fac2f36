"""Unified search (reads only): people, rooms, tracks, products, listings, and the viewer's messages.

Entities are found through ``search_index`` (kept by PostgreSQL triggers, see
``catalog/migrations/0003_search.py``), which holds only what anyone may find: active users, public
rooms, tracks of public files, active products and listings. Messages are searched where they live,
only among those the viewer can read: direct messages through the schema's French GIN index on
``messages.content``, room messages through a room-scoped French GIN index on ``room_messages.content``
(``rooms/migrations/0004_room_words.py``) that holds each message's words under its room.

Text analysis: French and English stemmers and plain words, all without accents, weighted A (title or
name), B (artist, album, category, names), C (body); queries go through ``websearch_to_tsquery``;
entities whose title holds the words come first, each group ranked with ``ts_rank_cd``. When
full-text search finds nothing, trigram similarity on titles finds near spellings. Counts stop at
COUNT_LIMIT per type and no step reads more rows than that, however common the words. The user's text
only ever travels as a query parameter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import psycopg
from django.db import connection
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from psycopg.types.numeric import Int8Dumper

from accounts.models import User
from catalog.models import EntityType

ENTITY_TYPES = tuple(EntityType.values)
ROOM_MESSAGE = "message"
DIRECT_MESSAGE = "direct_message"
MESSAGE_TYPES = (ROOM_MESSAGE, DIRECT_MESSAGE)
TYPES = ENTITY_TYPES + MESSAGE_TYPES
MAX_QUERY_LENGTH = 200
# Matches are counted exactly up to this number per type; beyond it a count reads "1,000+".
COUNT_LIMIT = 1000
# Queries with at most this many matches in all are ranked in one pass over them.
FEW = 1000
PAGE_SIZE = 20
AUTOCOMPLETE_LIMIT = 8

START, STOP = "\x02", "\x03"
HEADLINE = f'StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
TITLE_HEADLINE = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"

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
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
WORD = re.compile(r"\w+")
NEGATION = re.compile(r"(?<!\w)-+(?=(\w|\"))?")


class QueryError(ValueError):
    """The search text cannot be searched (too long)."""


@dataclass
class Hit:
    type: str
    id: int
    title: str
    snippet: SafeString
    url: str
    rank: float = 0.0
    created_at: datetime | None = None
    title_html: SafeString | None = None

    def as_dict(self) -> dict:
        data = {"type": self.type, "id": self.id, "title": self.title, "snippet": str(self.snippet), "url": self.url}
        if self.created_at is not None:
            data["created_at"] = self.created_at
        return data


@dataclass
class Results:
    query: str
    type: str | None
    page: int
    page_size: int
    counts: dict[str, int] = field(default_factory=dict)  # at most COUNT_LIMIT each
    capped: set[str] = field(default_factory=set)  # types with more than their count
    hits: list[Hit] = field(default_factory=list)
    near: bool = False  # found by near spelling, not by full-text search

    def count_of(self, kind: str | None) -> tuple[int, bool]:
        """The number of results of ``kind`` (of every entity type when None), and whether there are
        more than that (some type has more than COUNT_LIMIT)."""
        kinds = ENTITY_TYPES if kind is None else (kind,)
        return sum(self.counts.get(k, 0) for k in kinds), bool(self.capped.intersection(kinds))

    @property
    def total(self) -> int:
        return self.count_of(self.type)[0]

    @property
    def has_next(self) -> bool:
        """Whether the next page has results: pages stop at the first COUNT_LIMIT."""
        return self.page * self.page_size < min(self.total, COUNT_LIMIT)


def clean_query(text: str | None) -> str:
    """The search text without control characters and extra spaces; QueryError if it is too long."""
    # A dash that starts a word excludes it ("--word" is "not not word": PostgreSQL nests at most 32
    # negations); one is enough, and one followed by no word excludes nothing.
    text = NEGATION.sub(lambda match: "-" if match.group(1) else " ", CONTROL_CHARACTERS.sub(" ", text or ""))
    text = " ".join(text.split())
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"Search text is limited to {MAX_QUERY_LENGTH} characters.")
    return text


def highlighted(text: str) -> SafeString:
    """HTML for a ``ts_headline`` result: every character of ``text`` escaped, matches in ``<mark>``."""
    parts, open_mark = [], False
    for piece in re.split(f"([{START}{STOP}])", text or ""):
        if piece == START and not open_mark:
            parts.append("<mark>")
            open_mark = True
        elif piece == STOP and open_mark:
            parts.append("</mark>")
            open_mark = False
        elif piece not in (START, STOP):
            parts.append(escape(piece))
    if open_mark:
        parts.append("</mark>")
    return mark_safe("".join(parts))  # noqa: S308 - built from escaped text and our own tags only


def _entity_url(kind: str, entity_id: int, title: str) -> str:
    if kind == EntityType.USER:
        return reverse("accounts:profile", args=[title])
    if kind == EntityType.ROOM:
        return reverse("rooms:room", args=[entity_id])
    if kind == EntityType.TRACK:
        return reverse("catalog:track", args=[entity_id])
    if kind == EntityType.PRODUCT:
        return reverse("marketplace:product", args=[entity_id])
    return reverse("marketplace:listing", args=[entity_id])


class _PreparedCursor(psycopg.Cursor):
    """Binds parameters on the server and prepares every statement on its connection: PostgreSQL
    plans a search statement (about 2 ms for the entities' one) on its first runs only, then keeps a
    generic plan. Each statement reads what was typed once (``QUERY_CTE``), so that plan never
    re-reads it row by row."""

    def __init__(self, connection, **kwargs):
        super().__init__(connection, **kwargs)
        # Every integer as bigint: one plan whatever the numbers' sizes, and no smallint arithmetic
        # (psycopg sends a small int as int2, and ``offset + limit`` would overflow past 32767).
        self.adapters.register_dumper(int, Int8Dumper)

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def _rows(sql: str, params: dict) -> list[tuple]:
    """Runs ``sql`` as a prepared statement, through Django's cursor wrapper (query logging,
    execute wrappers, error translation)."""
    connection.ensure_connection()
    raw = _PreparedCursor(connection.connection)
    cursor = connection.make_debug_cursor(raw) if connection.queries_logged else connection.make_cursor(raw)
    with cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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
    return f"(SELECT count(*) FROM (SELECT 1 {source} LIMIT %(count_limit)s + 1) AS found)"


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
    assert kind.isidentifier()  # our own constants, written into the SQL so its partial index is used
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
        {" UNION ALL ".join(_count_of_type(kind) for kind in ENTITY_TYPES)}
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
"""


def _entities(q: str, kinds: tuple[str, ...], *, limit: int, offset: int, viewer: User | None = None):
    """The number of matches of every type (up to COUNT_LIMIT + 1, those of near spellings when
    nothing matches the words, then ``near`` is True) and one page of ``kinds``. With a ``viewer``, the
    counts include the messages they can read."""
    params = {
        "q": q,
        "messages": viewer is not None,
        "viewer": viewer.pk if viewer is not None else None,
        "kinds": list(kinds),
        "limit": limit,
        "offset": offset,
        "count_limit": COUNT_LIMIT,
        "few": FEW,
        "options": HEADLINE,
        "title_options": TITLE_HEADLINE,
    }
    rows = _rows(SEARCH_SQL, params)
    full_text, near = rows[0][0], rows[0][1]
    counts = full_text or near or {}
    message_counts = {ROOM_MESSAGE: rows[0][2], DIRECT_MESSAGE: rows[0][3]} if viewer is not None else {}
    hits = [
        Hit(
            kind,
            entity_id,
            title,
            highlighted(snippet),
            _entity_url(kind, entity_id, title),
            float(rank),
            title_html=highlighted(title_html),
        )
        for *_, kind, entity_id, title, title_html, snippet, rank in rows
        if kind is not None
    ]
    return counts, not full_text and bool(near), message_counts, hits


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
"""
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
"""


def _messages(kind: str, viewer: User, q: str, *, limit: int, offset: int) -> tuple[dict[str, int], list[Hit]]:
    """The number of room messages and direct messages, and one page of ``kind``."""
    params = {
        "q": q,
        "viewer": viewer.pk,
        "limit": limit,
        "offset": offset,
        "count_limit": COUNT_LIMIT,
        "options": HEADLINE,
    }
    rows = _rows(ROOM_MESSAGES_PAGE_SQL if kind == ROOM_MESSAGE else DIRECT_MESSAGES_PAGE_SQL, params)
    counts = {ROOM_MESSAGE: rows[0][0], DIRECT_MESSAGE: rows[0][1]}
    if kind == ROOM_MESSAGE:
        hits = [
            Hit(
                ROOM_MESSAGE,
                message_id,
                f"{room_name} · {author or 'deleted user'}",
                highlighted(snippet),
                f"{reverse('rooms:room', args=[room_id])}#message-{message_id}",
                created_at=created_at,
            )
            for _, _, message_id, room_id, room_name, author, created_at, snippet in rows
            if message_id is not None
        ]
    else:
        hits = [
            Hit(
                DIRECT_MESSAGE,
                message_id,
                f"{sender} → conversation with {peer}",
                highlighted(snippet),
                f"{reverse('chat:conversation', args=[peer])}#dm-{message_id}",
                created_at=sent_at,
            )
            for _, _, message_id, sender, peer, sent_at, snippet in rows
            if message_id is not None
        ]
    return counts, hits


# -- public entry points -----------------------------------------------------------------------------


def search(*, viewer: User, text: str, type: str | None = None, page: int = 1, page_size: int = PAGE_SIZE) -> Results:
    """One page of results of ``type`` (every entity type when None), with the count of every type.

    ``text`` must have gone through ``clean_query``. Runs one query (two for a message tab), whatever
    the page size.
    """
    results = Results(query=text, type=type, page=page, page_size=page_size)
    if not WORD.search(text):
        return results
    offset = (page - 1) * page_size
    kinds = ENTITY_TYPES if type is None else (type,) if type in ENTITY_TYPES else ()
    # Message counts come with the entities' unless a message tab counts and pages its kind itself.
    reader = viewer if viewer.is_authenticated and type not in MESSAGE_TYPES else None
    counts, near, message_counts, results.hits = _entities(text, kinds, limit=page_size, offset=offset, viewer=reader)
    results.near = near and type not in MESSAGE_TYPES  # message tabs show exact matches
    results.counts = {kind: counts.get(kind, 0) for kind in ENTITY_TYPES} | message_counts
    if viewer.is_authenticated and type in MESSAGE_TYPES:
        message_counts, results.hits = _messages(type, viewer, text, limit=page_size, offset=offset)
        results.counts.update(message_counts)
    results.capped = {kind for kind, count in results.counts.items() if count > COUNT_LIMIT}
    results.counts = {kind: min(count, COUNT_LIMIT) for kind, count in results.counts.items()}
    return results


def prefix_query(text: str) -> str | None:
    """A ``to_tsquery`` text matching every word, the last one as a prefix (None without words).

    Only ``\\w`` characters reach it, each word quoted, so no input can break its syntax.
    """
    words = WORD.findall(text)[:8]
    if not words:
        return None
    terms = [f"'{word}'" for word in words]
    terms[-1] += ":*"
    return " & ".join(terms)


def autocomplete(*, text: str, limit: int = AUTOCOMPLETE_LIMIT) -> list[Hit]:
    """Entities whose words start with what has been typed, best first; near spellings otherwise."""
    query = prefix_query(text)
    if query is None:
        return []
    sql = """
        WITH prefix AS MATERIALIZED (SELECT to_tsquery('veza_simple', %(prefix)s) AS words)
        SELECT s.entity_type, s.entity_id, s.title
        FROM search_index s
        WHERE s.search_vector @@ (SELECT prefix.words FROM prefix)
        ORDER BY ts_rank_cd(s.search_vector, (SELECT prefix.words FROM prefix)) DESC, length(s.title), s.id
        LIMIT %(limit)s
    """
    rows = _rows(sql, {"prefix": query, "limit": limit})
    if not rows:
        sql = f"""
            WITH {QUERY_CTE}
            SELECT s.entity_type, s.entity_id, s.title FROM search_index s
            WHERE {NEAR_MATCH} ORDER BY {NEAR_RANK} DESC, s.id LIMIT %(limit)s
        """
        rows = _rows(sql, {"q": text, "limit": limit})
    return [
        Hit(kind, entity_id, title, SafeString(""), _entity_url(kind, entity_id, title))
        for kind, entity_id, title in rows
    ]
