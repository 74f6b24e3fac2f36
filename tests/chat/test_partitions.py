"""Monthly partitions of ``messages`` and the default partition that never refuses a row."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection

from chat import partitions
from chat.models import Message
from tests.chat.factories import MessageFactory

pytestmark = pytest.mark.django_db


def partition_of(message_id):
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM messages WHERE id = %s", [message_id])
        return cursor.fetchone()[0]


def test_a_row_for_a_month_without_partition_lands_in_the_default_partition():
    message = MessageFactory(timestamp=dt.datetime(2031, 7, 14, 12, 0, tzinfo=dt.UTC))
    assert partition_of(message.pk) == "messages_default"
    assert Message.objects.get(pk=message.pk).content == message.content


def test_current_month_rows_go_to_their_month_partition():
    message = MessageFactory()
    now = dt.datetime.now(dt.UTC)
    assert partition_of(message.pk) == f"messages_{now:%Y_%m}"


def test_creating_a_partition_moves_the_rows_the_default_partition_held():
    stranded = MessageFactory(timestamp=dt.datetime(2032, 3, 31, 23, 59, 59, tzinfo=dt.UTC))
    other_month = MessageFactory(timestamp=dt.datetime(2032, 4, 1, 0, 0, tzinfo=dt.UTC))
    assert partitions.ensure_month_partition(dt.date(2032, 3, 1)) is True
    assert partition_of(stranded.pk) == "messages_2032_03"
    assert partition_of(other_month.pk) == "messages_default"
    assert Message.objects.filter(pk__in=[stranded.pk, other_month.pk]).count() == 2


def test_create_message_partitions_command_is_idempotent():
    call_command("create_message_partitions", "--months", "2")
    before = partitions.existing_partitions()
    call_command("create_message_partitions", "--months", "2")
    assert partitions.existing_partitions() == before
    today = dt.datetime.now(dt.UTC).date()
    for offset in range(3):
        assert partitions.partition_name(partitions.add_months(today.replace(day=1), offset)) in before


def test_ids_stay_unique_across_partitions():
    old = MessageFactory(timestamp=dt.datetime(2031, 1, 1, tzinfo=dt.UTC))
    new = MessageFactory()
    assert old.pk != new.pk
    assert Message.objects.get(pk=old.pk).timestamp.year == 2031


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [(dt.date(2026, 11, 25), 2, dt.date(2027, 1, 1)), (dt.date(2026, 1, 31), -1, dt.date(2025, 12, 1))],
)
def test_add_months(day, months, expected):
    assert partitions.add_months(day, months) == expected
