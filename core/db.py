"""Database helpers shared by every app's models and migrations.

The schema document is the contract: constraints and foreign keys carry the
names it gives, and PostgreSQL itself enforces ON DELETE rules.
"""

from __future__ import annotations

from django.db import connections, migrations, models
from django.db.models.expressions import RawSQL
from django.db.models.functions import Length

models.CharField.register_lookup(Length)
models.TextField.register_lookup(Length)


def length_between(field: str, low: int, high: int, *, name: str) -> models.CheckConstraint:
    """``char_length(field) BETWEEN low AND high``."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__length__range": (low, high)}), name=name)


def one_of(field: str, choices: type[models.TextChoices], *, name: str) -> models.CheckConstraint:
    """``field IN (...)`` for an enum column."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=name)


def foreign_key(table: str, column: str, target: str, *, name: str, on_delete: str) -> migrations.RunSQL:
    """Replace Django's foreign key on ``table.column`` by the named one with a database ON DELETE rule.

    Django (5.2) emulates ON DELETE in Python and creates the constraint without
    it; the schema wants PostgreSQL to enforce it, so raw SQL deletes behave too.
    The model's ``on_delete`` must say the same thing.
    """
    if on_delete not in ("CASCADE", "SET NULL"):
        raise ValueError(f"Unsupported ON DELETE rule: {on_delete!r}.")
    drop = f"""
        DO $$
        DECLARE con record;
        BEGIN
            FOR con IN
                SELECT c.conname FROM pg_constraint c
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)
                WHERE c.conrelid = '{table}'::regclass AND c.contype = 'f' AND a.attname = '{column}'
            LOOP
                EXECUTE format('ALTER TABLE {table} DROP CONSTRAINT %I', con.conname);
            END LOOP;
        END $$;
    """  # noqa: S608
    add = (
        f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}) "
        f"REFERENCES {target}(id) ON DELETE {on_delete} DEFERRABLE INITIALLY DEFERRED;"
    )
    restore = (
        f"ALTER TABLE {table} DROP CONSTRAINT {name}; "
        f"ALTER TABLE {table} ADD CONSTRAINT {name} FOREIGN KEY ({column}) "
        f"REFERENCES {target}(id) DEFERRABLE INITIALLY DEFERRED;"
    )
    return migrations.RunSQL(sql=drop + add, reverse_sql=restore)


def release_connections() -> None:
    """Close this thread's database connections (with the pool: give them back to it) unless a
    transaction is open. For responses whose long body needs no database; a later query reconnects."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close()


def french_match(document_sql: str, text: str) -> RawSQL:
    """``<document_sql> @@ websearch_to_tsquery('french', text)`` as a filter condition.

    ``document_sql`` is code-owned SQL: the exact expression of a French full-text index, so PostgreSQL
    uses the index; the searched text only ever travels as a query parameter.
    """
    return RawSQL(  # noqa: S611 - constant SQL, the text is a parameter
        f"{document_sql} @@ websearch_to_tsquery('french', %s)", [text], output_field=models.BooleanField()
    )
