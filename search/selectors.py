"""Unified search (reads only): people, rooms, tracks, products, listings, and the viewer's messages.

Entities are found through ``search_index`` (``search.models``, kept by PostgreSQL triggers, see
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
only ever travels as a query parameter. The statements are in ``search.sql``.

Results are plain data: snippets mark matches with START and STOP, and hits carry what their page's
address is built from; ``search.presentation`` makes HTML and URLs of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

import psycopg
from django.db import connection
from psycopg.types.numeric import Int8Dumper

from accounts.models import User
from core import pagecache
from search.models import EntityType
from search.sql import (
    DIRECT_MESSAGES_PAGE_SQL,
    NEAR_TITLES_SQL,
    PREFIX_SQL,
    ROOM_MESSAGES_PAGE_SQL,
    SEARCH_SQL,
)

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

# ``ts_headline`` surrounds matches with these (characters ``clean_query`` never lets through).
START, STOP = "\x02", "\x03"
HEADLINE = f'StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "'
TITLE_HEADLINE = f"StartSel={START}, StopSel={STOP}, HighlightAll=true"

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
WORD = re.compile(r"\w+")
NEGATION = re.compile(r"(?<!\w)-+(?=(\w|\"))?")


class QueryError(ValueError):
    """The search text cannot be searched (too long)."""


@dataclass(frozen=True)
class Hit:
    """One result. ``title`` is plain text; in ``snippet`` and ``marked_title`` (entities only), START
    and STOP surround the matches. ``room_id`` (room messages) and ``peer`` (direct messages: the
    other participant's username) say where a message was written."""

    type: str
    id: int
    title: str
    snippet: str = ""
    marked_title: str | None = None
    rank: float = 0.0
    created_at: datetime | None = None
    room_id: int | None = None
    peer: str | None = None


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


class _PreparedCursor(psycopg.Cursor):
    """Binds parameters on the server and prepares every statement on its connection: PostgreSQL
    plans a search statement (about 2 ms for the entities' one) on its first runs only, then keeps a
    generic plan. Each statement reads what was typed once (``sql.QUERY_CTE``), so that plan never
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
    # The stubs type both factories' argument as Django's wrapper; they take (and wrap) a DB-API cursor.
    make = connection.make_debug_cursor if connection.queries_logged else connection.make_cursor
    cursor = make(raw)  # type: ignore[arg-type]
    with cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# -- entities (search_index) -------------------------------------------------------------------------


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
        Hit(kind, entity_id, title, snippet or "", marked_title=marked_title, rank=float(rank))
        for *_, kind, entity_id, title, marked_title, snippet, rank in rows
        if kind is not None
    ]
    return counts, not full_text and bool(near), message_counts, hits


# -- messages the viewer can read --------------------------------------------------------------------


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
                snippet or "",
                created_at=created_at,
                room_id=room_id,
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
                snippet or "",
                created_at=sent_at,
                peer=peer,
            )
            for _, _, message_id, sender, peer, sent_at, snippet in rows
            if message_id is not None
        ]
    return counts, hits


# -- public entry points -----------------------------------------------------------------------------


def search(*, viewer: User, text: str, type: str | None = None, page: int = 1, page_size: int = PAGE_SIZE) -> Results:
    """One page of results of ``type`` (every entity type when None), with the count of every type.

    ``text`` must have gone through ``clean_query``. Runs one query (two for a message tab), whatever
    the page size. What visitors who are not logged in find is the same for all of them: it is kept
    until people, rooms, tracks or the marketplace change (:mod:`core.pagecache`).
    """
    if not viewer.is_authenticated:
        parts = (text, type, page, page_size)
        return pagecache.cached("search", parts, pagecache.TOPICS, lambda: _search(viewer, text, type, page, page_size))
    return _search(viewer, text, type, page, page_size)


def _search(viewer: User, text: str, type: str | None, page: int, page_size: int) -> Results:
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
    """Entities whose words start with what has been typed, best first; near spellings otherwise.

    The same for everyone: kept until people, rooms, tracks or the marketplace change (:mod:`core.pagecache`).
    """
    return pagecache.cached("autocomplete", (text, limit), pagecache.TOPICS, lambda: _autocomplete(text, limit))


def _autocomplete(text: str, limit: int) -> list[Hit]:
    query = prefix_query(text)
    if query is None:
        return []
    rows = _rows(PREFIX_SQL, {"prefix": query, "limit": limit})
    if not rows:
        rows = _rows(NEAR_TITLES_SQL, {"q": text, "limit": limit})
    return [Hit(kind, entity_id, title) for kind, entity_id, title in rows]
