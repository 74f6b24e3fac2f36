"""Monthly partitions of the ``messages`` table.

``messages_default`` catches any row whose month has no partition yet, so an
insert is never rejected. Creating a month's partition later moves that
month's rows out of the default partition in the same transaction.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

TABLE = "messages"
DEFAULT_PARTITION = "messages_default"
IN_MONTH = '"timestamp" >= %s AND "timestamp" < %s'


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + (day.month - 1) + months
    return dt.date(index // 12, index % 12 + 1, 1)


def partition_name(month: dt.date) -> str:
    return f"{TABLE}_{month:%Y_%m}"


def existing_partitions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT child.relname FROM pg_inherits
            JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            WHERE parent.relname = %s ORDER BY child.relname
            """,
            [TABLE],
        )
        return [row[0] for row in cursor.fetchall()]


def ensure_month_partition(month: dt.date) -> bool:
    """Create the partition for ``month`` if missing; return True when it was created.

    Rows of that month already held by the default partition are moved into it.
    """
    month = month_start(month)
    name = partition_name(month)
    lower, upper = f"{month.isoformat()} 00:00:00+00", f"{add_months(month, 1).isoformat()} 00:00:00+00"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext('veza.messages.partitions'))")
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            return False
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"SELECT count(*) FROM {DEFAULT_PARTITION} WHERE {IN_MONTH}", [lower, upper])  # noqa: S608
        stranded = cursor.fetchone()[0]
        if stranded:
            cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {DEFAULT_PARTITION}")
        # The bounds are built from dates above, never from user input.
        cursor.execute(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM ('{lower}') TO ('{upper}')")
        if stranded:
            cursor.execute(f"INSERT INTO {name} SELECT * FROM {DEFAULT_PARTITION} WHERE {IN_MONTH}", [lower, upper])  # noqa: S608
            cursor.execute(f"DELETE FROM {DEFAULT_PARTITION} WHERE {IN_MONTH}", [lower, upper])  # noqa: S608
            cursor.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {DEFAULT_PARTITION} DEFAULT")
    return True


def ensure_partitions(months: int, *, start: dt.date | None = None) -> list[str]:
    """Ensure partitions for the month of ``start`` (today, UTC) and the ``months`` following ones.

    Returns the names of the partitions it created.
    """
    first = month_start(start or dt.datetime.now(dt.UTC).date())
    created = []
    for offset in range(months + 1):
        month = add_months(first, offset)
        if ensure_month_partition(month):
            created.append(partition_name(month))
    return created
