"""No clear-text password or token is ever written to the database or the logs."""

import logging

import pytest
from django.db import connection

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=False)

PASSWORD = "a very secret passphrase 123"


def database_dump() -> str:
    """Every row of every table, as text."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        tables = [row[0] for row in cursor.fetchall()]
        chunks = []
        for table in tables:
            cursor.execute(f"SELECT coalesce(string_agg(t::text, chr(10)), '') FROM \"{table}\" t")  # noqa: S608
            chunks.append(cursor.fetchone()[0])
    return "\n".join(chunks)


def test_no_clear_text_password_or_token_in_database_or_logs(api, caplog, settings, django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="django.db.backends")
    connection.force_debug_cursor = True  # log every SQL statement with its parameters
    try:
        with django_capture_on_commit_callbacks(execute=True):
            api.post(
                "/api/v1/auth/register",
                {"username": "secretive", "email": "secretive@example.org", "password": PASSWORD},
                format="json",
            )
        api.post("/api/v1/auth/login", {"username": "secretive", "password": "wrong " + PASSWORD}, format="json")
        first = api.post("/api/v1/auth/login", {"username": "secretive", "password": PASSWORD}, format="json").json()
        second = api.post("/api/v1/auth/refresh", {"refresh": first["refresh"]}, format="json").json()
        api.post("/api/v1/auth/refresh", {"refresh": first["refresh"]}, format="json")  # reuse detection path
        api.post("/api/v1/auth/logout", {"refresh": second["refresh"]}, format="json")
        UserFactory()
    finally:
        connection.force_debug_cursor = False
    secrets = [PASSWORD, first["refresh"], first["access"], second["refresh"], second["access"]]
    logs = "\n".join(record.getMessage() for record in caplog.records)
    assert "INSERT INTO" in logs  # SQL was really captured
    dump = database_dump()
    for secret in secrets:
        assert secret not in logs
        assert secret not in dump
    # The JWT signature part is the one piece that would let someone replay a token.
    for token in secrets[1:]:
        signature = token.rsplit(".", 1)[-1]
        assert signature not in logs
        assert signature not in dump
