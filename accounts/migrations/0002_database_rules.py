"""Database rules of the accounts tables.

- foreign keys with the schema's names and ON DELETE rules, enforced by PostgreSQL;
- the audit trigger on ``users`` (UPDATE and DELETE, old and new values as JSONB),
  which also records the acting user and client IP that the request stored in
  ``veza.actor_id`` / ``veza.client_ip`` (see ``core/audit.py``). Password
  hashes never enter the audit trail: they are redacted, and a change is marked;
- ``django_admin_log`` entries follow their user on a raw SQL delete too.
"""

from django.db import migrations

from core.db import foreign_key

AUDIT_SQL = """
CREATE OR REPLACE FUNCTION audit_user_changes()
RETURNS TRIGGER AS $$
DECLARE
    actor bigint := NULLIF(current_setting('veza.actor_id', true), '')::bigint;
    client inet := NULLIF(current_setting('veza.client_ip', true), '')::inet;
    old_row jsonb := to_jsonb(OLD) - 'password_hash';
    new_row jsonb;
BEGIN
    -- An actor that no longer exists (for example a user deleting their own
    -- account) cannot be referenced; the row is kept without it.
    IF actor IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users WHERE id = actor) THEN
        actor := NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        new_row := to_jsonb(NEW) - 'password_hash';
        IF OLD.password_hash IS DISTINCT FROM NEW.password_hash THEN
            old_row := old_row || '{"password_hash": "[redacted]"}'::jsonb;
            new_row := new_row || '{"password_hash": "[changed]"}'::jsonb;
        END IF;
        INSERT INTO audit_logs (table_name, record_id, action, old_values, new_values, user_id, ip_address)
        VALUES ('users', NEW.id, 'UPDATE', old_row, new_row, actor, client);
        RETURN NEW;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO audit_logs (table_name, record_id, action, old_values, user_id, ip_address)
        VALUES ('users', OLD.id, 'DELETE', old_row, actor, client);
        RETURN OLD;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER trigger_audit_users
    AFTER UPDATE OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION audit_user_changes();
"""


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("admin", "0003_logentry_add_action_flag_choices"),
    ]

    operations = [
        foreign_key("refresh_tokens", "user_id", "users", name="fk_refresh_tokens_user_id", on_delete="CASCADE"),
        foreign_key("audit_logs", "user_id", "users", name="fk_audit_logs_user_id", on_delete="SET NULL"),
        foreign_key("django_admin_log", "user_id", "users", name="fk_django_admin_log_user_id", on_delete="CASCADE"),
        migrations.RunSQL(
            AUDIT_SQL,
            reverse_sql="DROP TRIGGER trigger_audit_users ON users; DROP FUNCTION audit_user_changes();",
        ),
    ]
