"""Deleting with raw SQL cascades or sets null exactly as the schema document says."""

import pytest
from django.db import connection

from accounts.models import AuditLog, RefreshToken
from catalog.models import Track
from chat.models import Message
from marketplace.models import Listing, Product
from media.models import File
from rooms.models import Room, RoomMember, RoomMessage
from tests.accounts.factories import UserFactory
from tests.catalog.factories import TrackFactory
from tests.chat.factories import MessageFactory
from tests.marketplace.factories import ListingFactory, ProductFactory
from tests.media.factories import FileFactory
from tests.rooms.factories import RoomFactory, RoomMemberFactory, RoomMessageFactory

pytestmark = pytest.mark.django_db


def raw_delete(table, pk):
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [pk])  # noqa: S608


def test_deleting_a_user_cascades_and_sets_null_as_documented():
    user, other = UserFactory(), UserFactory()
    token = RefreshToken.objects.create(
        user=user, token="f" * 64, expires_at="2999-01-01T00:00:00Z", created_at="2026-01-01T00:00:00Z"
    )
    sent = MessageFactory(sender=user, recipient=other)
    received = MessageFactory(sender=other, recipient=user)
    kept_dm = MessageFactory(sender=other, recipient=UserFactory())
    created_room = RoomFactory(creator=user)
    membership = RoomMemberFactory(user=user, room=RoomFactory(creator=other))
    room_message = RoomMessageFactory(user=user, room=created_room)
    file = FileFactory(user=user)
    track = TrackFactory(file=FileFactory(user=user))
    product = ProductFactory(creator=user)
    listing = ListingFactory(seller=user)
    audit_row = AuditLog.objects.create(table_name="users", record_id=other.pk, action="UPDATE", user=user)

    raw_delete("users", user.pk)

    # ON DELETE CASCADE
    assert not RefreshToken.objects.filter(pk=token.pk).exists()
    assert not Message.objects.filter(pk__in=[sent.pk, received.pk]).exists()
    assert Message.objects.filter(pk=kept_dm.pk).exists()
    assert not RoomMember.objects.filter(pk=membership.pk).exists()
    assert not File.objects.filter(pk=file.pk).exists()
    assert not Track.objects.filter(pk=track.pk).exists()
    assert not Product.objects.filter(pk=product.pk).exists()
    assert not Listing.objects.filter(pk=listing.pk).exists()
    # ON DELETE SET NULL
    created_room.refresh_from_db()
    assert created_room.creator_id is None
    room_message.refresh_from_db()
    assert room_message.user_id is None
    audit_row.refresh_from_db()
    assert audit_row.user_id is None


def test_deleting_a_room_cascades_to_members_and_messages():
    room = RoomFactory()
    member = RoomMemberFactory(room=room)
    message = RoomMessageFactory(room=room)
    raw_delete("rooms", room.pk)
    assert not RoomMember.objects.filter(pk=member.pk).exists()
    assert not RoomMessage.objects.filter(pk=message.pk).exists()
    assert not Room.objects.filter(pk=room.pk).exists()


def test_deleting_a_file_cascades_to_its_tracks():
    track = TrackFactory()
    raw_delete("files", track.file_id)
    assert not Track.objects.filter(pk=track.pk).exists()


def test_orm_delete_agrees_with_the_database():
    user = UserFactory()
    room = RoomFactory(creator=user)
    MessageFactory(sender=user)
    user.delete()
    room.refresh_from_db()
    assert room.creator_id is None
    assert not Message.objects.filter(sender_id=user.pk).exists()
