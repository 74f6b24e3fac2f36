"""Repairs of the search index (PostgreSQL's triggers keep it on every change of the entities)."""

from __future__ import annotations

from django.db import connection, transaction

MAX_ID = 2**63 - 1


def search_index_sync(*, kind: str, first_id: int = 0, last_id: int = MAX_ID) -> None:
    """Make ``search_index`` match the entities of ``kind`` with ids in [first_id, last_id].

    The triggers call the same SQL function on every change; this is for rebuilds and repairs.
    """
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT search_index_sync(%s, %s, %s)", [kind, first_id, last_id])
