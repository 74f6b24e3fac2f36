"""The audit trail covers every table a moderator touches, as it covers ``users``.

One trigger function, ``audit_row_changes(table, secret columns...)``, is attached to ``rooms``,
``room_members``, ``room_messages``, ``messages``, ``files``, ``tracks``, ``products`` and ``listings``
for INSERT, UPDATE and DELETE. Being a database trigger, it records raw SQL and ON DELETE cascades too.
Each row of ``audit_logs`` holds the action, the old and new row as JSONB, and the acting user and
client IP that the request stored in ``veza.actor_id`` / ``veza.client_ip`` (see ``core/audit.py``).

- Secrets never enter the trail: a non-null secret column (``rooms.password_hash``) is stored as
  ``"[redacted]"``, and as ``"[changed]"`` on the new side of an UPDATE that changed it.
- An UPDATE that changes nothing but ``updated_at`` writes nothing (a save without changes).
- The table name is passed as an argument, not read from ``TG_TABLE_NAME``: on the partitioned
  ``messages`` the trigger runs on each partition (PostgreSQL 13+ clones it onto every partition,
  present and future), and the trail names the parent.
- It stays lean for the hot chat tables: one INSERT per row; the acting user's existence is only
  checked when there is one (an account deleting itself cascades into its rows after it is gone).
"""

from django.db import migrations

FUNCTION_SQL = """
CREATE OR REPLACE FUNCTION audit_row_changes()
RETURNS TRIGGER AS $$
DECLARE
    audited text := TG_ARGV[0];
    actor bigint := NULLIF(current_setting('veza.actor_id', true), '')::bigint;
    client inet := NULLIF(current_setting('veza.client_ip', true), '')::inet;
    old_row jsonb;
    new_row jsonb;
    secret text;
    i int;
BEGIN
    IF TG_OP <> 'INSERT' THEN
        old_row := to_jsonb(OLD);
    END IF;
    IF TG_OP <> 'DELETE' THEN
        new_row := to_jsonb(NEW);
    END IF;
    IF TG_OP = 'UPDATE' AND (old_row - 'updated_at') = (new_row - 'updated_at') THEN
        RETURN NULL;
    END IF;
    FOR i IN 1 .. TG_NARGS - 1 LOOP
        secret := TG_ARGV[i];
        IF new_row ->> secret IS NOT NULL THEN
            new_row := new_row || jsonb_build_object(
                secret,
                CASE WHEN TG_OP = 'UPDATE' AND (old_row -> secret) IS DISTINCT FROM (new_row -> secret)
                     THEN '[changed]' ELSE '[redacted]' END
            );
        END IF;
        IF old_row ->> secret IS NOT NULL THEN
            old_row := old_row || jsonb_build_object(secret, '[redacted]');
        END IF;
    END LOOP;
    IF actor IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users WHERE id = actor) THEN
        actor := NULL;
    END IF;
    INSERT INTO audit_logs (table_name, record_id, action, old_values, new_values, user_id, ip_address)
    VALUES (audited, (COALESCE(new_row, old_row) ->> 'id')::bigint, TG_OP, old_row, new_row, actor, client);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""

# (table, its secret columns)
AUDITED = [
    ("rooms", ["password_hash"]),
    ("room_members", []),
    ("room_messages", []),
    ("messages", []),
    ("files", []),
    ("tracks", []),
    ("products", []),
    ("listings", []),
]


def _arguments(table: str, secrets: list[str]) -> str:
    return ", ".join(f"'{name}'" for name in (table, *secrets))


CREATE_SQL = FUNCTION_SQL + "\n".join(
    f"CREATE TRIGGER trigger_audit_{table} AFTER INSERT OR UPDATE OR DELETE ON {table} "
    f"FOR EACH ROW EXECUTE FUNCTION audit_row_changes({_arguments(table, secrets)});"
    for table, secrets in AUDITED
)

DROP_SQL = "\n".join(f"DROP TRIGGER trigger_audit_{table} ON {table};" for table, _ in AUDITED) + (
    "\nDROP FUNCTION audit_row_changes();"
)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_refresh_token_families"),
        ("catalog", "0004_bounded_search"),
        ("chat", "0001_initial"),
        ("marketplace", "0003_price_and_description_limits"),
        ("media", "0002_database_rules"),
        ("rooms", "0004_room_words"),
    ]

    operations = [migrations.RunSQL(CREATE_SQL, reverse_sql=DROP_SQL)]
