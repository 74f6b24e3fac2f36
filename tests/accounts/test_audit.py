"""The audit trigger on ``users``: old and new values, and who did it from which address."""

import asyncio
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditLog
from tests.accounts.factories import SuperAdminFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_update_records_old_and_new_values_without_password_hashes():
    user = UserFactory(bio="before")
    AuditLog.objects.all().delete()
    user.bio = "after"
    user.set_password("a brand new passphrase")
    user.save()
    row = AuditLog.objects.get(table_name="users", record_id=user.pk)
    assert row.action == "UPDATE"
    assert row.old_values["bio"] == "before"
    assert row.new_values["bio"] == "after"
    assert row.old_values["password_hash"] == "[redacted]"
    assert row.new_values["password_hash"] == "[changed]"
    assert row.user_id is None
    assert row.ip_address is None


def test_delete_records_the_old_row():
    user = UserFactory(username="leaving")
    pk = user.pk
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM users WHERE id = %s", [pk])
    row = AuditLog.objects.get(table_name="users", record_id=pk, action="DELETE")
    assert row.old_values["username"] == "leaving"
    assert "password_hash" not in row.old_values
    assert row.new_values is None


def test_change_through_a_request_records_the_acting_user_and_ip(client):
    moderator = SuperAdminFactory()
    target = UserFactory(username="target", email="target@example.org")
    client.force_login(moderator)
    response = client.post(
        reverse("admin:accounts_user_change", args=[target.pk]),
        {
            "username": "target",
            "email": "target@example.org",
            "role": "user",
            "is_active": "",
            "is_verified": "on",
            "first_name": "",
            "last_name": "",
            "bio": "",
            "avatar": "",
        },
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302, response.content
    row = AuditLog.objects.filter(table_name="users", record_id=target.pk).latest("id")
    assert row.old_values["is_active"] is True
    assert row.new_values["is_active"] is False
    assert row.user_id == moderator.pk
    assert row.ip_address == "203.0.113.7"


def test_actor_is_cleared_after_the_request(client):
    moderator = SuperAdminFactory()
    client.force_login(moderator)
    client.get("/", REMOTE_ADDR="198.51.100.1")
    user = UserFactory()
    user.bio = "changed outside any request"
    user.save()
    row = AuditLog.objects.filter(record_id=user.pk).latest("id")
    assert row.user_id is None
    assert row.ip_address is None


def test_a_user_deleting_their_own_account_keeps_the_audit_row(client):
    user = SuperAdminFactory()
    client.force_login(user)
    response = client.post(reverse("admin:accounts_user_delete", args=[user.pk]), {"post": "yes"})
    assert response.status_code == 302
    row = AuditLog.objects.get(record_id=user.pk, action="DELETE")
    assert row.user_id is None


# --- every table a moderator touches ----------------------------------------------------------------


def _rows(table, pk):
    return list(AuditLog.objects.filter(table_name=table, record_id=pk).order_by("id"))


def _factories():
    from tests.catalog.factories import TrackFactory
    from tests.chat.factories import MessageFactory
    from tests.marketplace.factories import ListingFactory, ProductFactory
    from tests.media.factories import FileFactory
    from tests.rooms.factories import RoomFactory, RoomMemberFactory, RoomMessageFactory

    return {
        "rooms": (RoomFactory, "description"),
        "room_members": (RoomMemberFactory, "role"),
        "room_messages": (RoomMessageFactory, "content"),
        "messages": (MessageFactory, "content"),
        "files": (FileFactory, "original_name"),
        "tracks": (TrackFactory, "title"),
        "products": (ProductFactory, "description"),
        "listings": (ListingFactory, "description"),
    }


NEW_VALUE = {"role": "admin"}


@pytest.mark.parametrize(
    "table", ["rooms", "room_members", "room_messages", "messages", "files", "tracks", "products", "listings"]
)
def test_insert_update_and_delete_by_raw_sql_are_audited(table):
    factory, column = _factories()[table]
    pk = factory().pk
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [NEW_VALUE.get(column, "changed"), pk])  # noqa: S608
        cursor.execute(f"UPDATE {table} SET {column} = {column} WHERE id = %s", [pk])  # changes nothing  # noqa: S608
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608
    inserted, updated, deleted = _rows(table, pk)
    assert (inserted.action, updated.action, deleted.action) == ("INSERT", "UPDATE", "DELETE")
    assert inserted.old_values is None and inserted.new_values["id"] == pk
    assert updated.new_values[column] == NEW_VALUE.get(column, "changed")
    assert updated.old_values[column] == inserted.new_values[column]
    assert deleted.old_values[column] == NEW_VALUE.get(column, "changed") and deleted.new_values is None
    assert all(row.user_id is None and row.ip_address is None for row in (inserted, updated, deleted))


def test_the_partitioned_messages_table_is_audited_under_its_own_name_on_every_partition():
    from chat.partitions import ensure_partitions
    from tests.chat.factories import MessageFactory

    ensure_partitions(1)
    old = MessageFactory(timestamp=timezone.now() - timedelta(days=3650))  # lands in messages_default
    current = MessageFactory()
    for message in (old, current):
        assert [row.action for row in _rows("messages", message.pk)] == ["INSERT"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'messages'::regclass")
        assert cursor.fetchone()[0] >= 2
    from accounts import selectors

    tables = selectors.audited_tables()
    assert "messages" in tables
    assert not [name for name in tables if name.startswith("messages_")]


def test_deleting_a_room_audits_the_cascaded_members_and_messages():
    from tests.rooms.factories import RoomMemberFactory, RoomMessageFactory

    member = RoomMemberFactory()
    message = RoomMessageFactory(room=member.room)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM rooms WHERE id = %s", [member.room_id])
    assert _rows("rooms", member.room_id)[-1].action == "DELETE"
    assert _rows("room_members", member.pk)[-1].action == "DELETE"
    assert _rows("room_messages", message.pk)[-1].old_values["content"] == message.content


def test_deleting_a_user_audits_their_cascaded_content_with_the_acting_user_gone():
    from tests.catalog.factories import TrackFactory
    from tests.chat.factories import MessageFactory

    track = TrackFactory()
    owner = track.creator
    message = MessageFactory(sender=owner)
    with connection.cursor() as cursor:
        cursor.execute("SELECT set_config('veza.actor_id', %s, true)", [str(owner.pk)])  # deleting themselves
        cursor.execute("DELETE FROM users WHERE id = %s", [owner.pk])
    for table, pk in (("files", track.file_id), ("tracks", track.pk), ("messages", message.pk)):
        row = _rows(table, pk)[-1]
        assert row.action == "DELETE" and row.user_id is None


def test_room_passwords_never_enter_the_audit_trail_in_clear():
    from rooms.models import Room
    from tests.rooms.factories import RoomFactory

    room = RoomFactory(is_private=True, password_hash="pbkdf2_sha256$first-secret-hash")
    room.password_hash = "pbkdf2_sha256$second-secret-hash"
    room.save()
    room.description = "same password"
    room.save()
    Room.objects.filter(pk=room.pk).update(password_hash=None)
    Room.objects.filter(pk=room.pk).delete()
    rows = _rows("rooms", room.pk)
    assert [row.action for row in rows] == ["INSERT", "UPDATE", "UPDATE", "UPDATE", "DELETE"]
    created, changed, same, removed, deleted = rows
    assert created.new_values["password_hash"] == "[redacted]"
    assert (changed.old_values["password_hash"], changed.new_values["password_hash"]) == ("[redacted]", "[changed]")
    assert (same.old_values["password_hash"], same.new_values["password_hash"]) == ("[redacted]", "[redacted]")
    assert (removed.old_values["password_hash"], removed.new_values["password_hash"]) == ("[redacted]", None)
    assert deleted.old_values["password_hash"] is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM audit_logs WHERE concat(old_values, new_values) LIKE '%%secret-hash%%'")
        assert cursor.fetchone()[0] == 0


def test_a_save_that_changes_nothing_writes_no_audit_row():
    from tests.rooms.factories import RoomMessageFactory

    message = RoomMessageFactory()
    message.save()  # updated_at alone would change on a table that has it
    from tests.marketplace.factories import ProductFactory

    product = ProductFactory()
    product.save()
    assert [row.action for row in _rows("room_messages", message.pk)] == ["INSERT"]
    assert [row.action for row in _rows("products", product.pk)] == ["INSERT"]


def test_api_changes_record_the_acting_user_and_ip(api, login):
    from rooms.models import RoomMessage

    author = UserFactory(username="melody")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {login().json()['access']}")
    payload = {"name": "audited room", "is_private": True, "password": "door code"}
    response = api.post("/api/v1/rooms/", payload, format="json", REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 201, response.content
    room_id = response.json()["id"]
    response = api.post(
        f"/api/v1/rooms/{room_id}/messages/", {"content": "hello"}, format="json", REMOTE_ADDR="203.0.113.9"
    )
    assert response.status_code == 201, response.content
    message = RoomMessage.objects.get(room_id=room_id, content="hello")
    rows = [*_rows("rooms", room_id), *_rows("room_members", message.room.memberships.get().pk)]
    rows += _rows("room_messages", message.pk)
    assert {row.action for row in rows} == {"INSERT"}
    assert {(row.user_id, row.ip_address) for row in rows} == {(author.pk, "203.0.113.9")}
    assert _rows("rooms", room_id)[0].new_values["password_hash"] == "[redacted]"


def test_work_outside_a_request_names_its_actor_with_acting_as():
    from core.audit import acting_as
    from rooms import services as room_services
    from tests.rooms.factories import RoomMemberFactory

    membership = RoomMemberFactory()
    with acting_as(membership.user, "192.0.2.5"):
        message = room_services.room_message_send(user=membership.user, room=membership.room, content="from a socket")
    row = _rows("room_messages", message.pk)[0]
    assert (row.user_id, row.ip_address) == (membership.user_id, "192.0.2.5")
    message.content = "after the block"
    message.save()
    assert _rows("room_messages", message.pk)[-1].user_id is None


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_socket_writes_name_the_sockets_user_and_ip_as_the_actor():
    """Room messages, their edits and deletions, and direct messages sent over /ws/ are recorded with
    the socket's user and client address."""
    from asgiref.sync import sync_to_async
    from channels.testing import WebsocketCommunicator
    from rest_framework_simplejwt.tokens import AccessToken

    from rooms import services as room_services
    from tests.accounts.factories import UserFactory
    from veza.asgi import application

    def setup():
        owner, peer = UserFactory(username="speaker"), UserFactory(username="listener")
        room = room_services.room_create(creator=owner, name="audited-room")
        return owner, peer, room, str(AccessToken.for_user(owner))

    owner, peer, room, token = await sync_to_async(setup)()
    socket = WebsocketCommunicator(
        application, f"/ws/?token={token}", headers=[(b"origin", b"http://localhost"), (b"host", b"localhost")]
    )
    socket.scope["client"] = ("198.51.100.7", 50000)
    assert (await socket.connect())[0]
    await socket.send_json_to({"type": "room.message", "room": room.pk, "content": "first words", "ref": 1})
    await socket.send_json_to({"type": "dm.send", "to_user": peer.pk, "content": "hello you", "ref": 2})

    def rows(table, **values):
        audited = AuditLog.objects.filter(table_name=table)
        if values:
            first = audited.filter(action="INSERT", **{f"new_values__{k}": v for k, v in values.items()}).first()
            audited = audited.filter(record_id=first.record_id) if first else audited.none()
        return list(audited.order_by("id").values_list("action", "user_id", "ip_address"))

    async def written(count, table, **values):
        for _ in range(50):
            found = await sync_to_async(rows)(table, **values)
            if len(found) >= count:
                return found
            await asyncio.sleep(0.1)
        return found

    assert len(await written(1, "room_messages", content="first words")) == 1
    message_id = await sync_to_async(
        lambda: AuditLog.objects.get(table_name="room_messages", new_values__content="first words").record_id
    )()
    await socket.send_json_to({"type": "room.edit", "message_id": message_id, "content": "better words"})
    await socket.send_json_to({"type": "room.delete", "message_id": message_id})
    room_rows = await written(3, "room_messages", content="first words")
    direct_rows = await written(1, "messages", content="hello you")
    await socket.disconnect()
    actor = (owner.pk, "198.51.100.7")
    assert [(action, user_id, str(ip)) for action, user_id, ip in room_rows] == [
        ("INSERT", *actor),
        ("UPDATE", *actor),
        ("DELETE", *actor),
    ]
    assert [(action, user_id, str(ip)) for action, user_id, ip in direct_rows] == [("INSERT", *actor)]


@pytest.mark.django_db(transaction=True)
def test_a_write_outside_a_transaction_carries_its_actor_in_one_round_trip_and_leaves_nothing_behind():
    """In autocommit mode the actor's settings and the write go as one simple query: its own implicit
    transaction, so the settings vanish with it; a bulk insert (one statement, many rows) likewise."""
    from django.test.utils import CaptureQueriesContext

    from core.audit import acting_as
    from rooms.models import RoomMessage
    from tests.rooms.factories import RoomMemberFactory

    membership = RoomMemberFactory()
    assert not connection.in_atomic_block
    with acting_as(membership.user, "192.0.2.9"), CaptureQueriesContext(connection) as queries:
        message = RoomMessage.objects.create(room=membership.room, user=membership.user, content="one trip")
    assert len(queries) == 1
    assert message.pk is not None and RoomMessage.objects.filter(pk=message.pk, content="one trip").exists()
    assert (_rows("room_messages", message.pk)[0].user_id, _rows("room_messages", message.pk)[0].ip_address) == (
        membership.user_id,
        "192.0.2.9",
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('veza.actor_id', true), current_setting('veza.client_ip', true)")
        assert cursor.fetchone() in ((None, None), ("", ""))
    with acting_as(membership.user, "192.0.2.10"):
        many = RoomMessage.objects.bulk_create(
            [RoomMessage(room=membership.room, user=membership.user, content=f"bulk {i}") for i in range(2)]
        )
    assert {row.ip_address for m in many for row in _rows("room_messages", m.pk)} == {"192.0.2.10"}
    message.content = "later, nobody acting"
    message.save()
    assert _rows("room_messages", message.pk)[-1].user_id is None
