"""Every check constraint of the schema rejects a bad row, and names itself in the error."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from accounts.models import AuditLog, RefreshToken
from search.models import SearchIndex
from tests.accounts.factories import UserFactory
from tests.catalog.factories import TrackFactory
from tests.chat.factories import MessageFactory
from tests.marketplace.factories import ListingFactory, ProductFactory
from tests.media.factories import FileFactory
from tests.rooms.factories import RoomFactory, RoomMemberFactory, RoomMessageFactory

pytestmark = pytest.mark.django_db


def refresh_token(**kwargs):
    now = timezone.now()
    fields = {"user": UserFactory(), "token": "a" * 64, "created_at": now, "expires_at": now + timedelta(days=1)}
    fields.update(kwargs)
    return RefreshToken.objects.create(**fields)


CASES = [
    ("ck_users_username_length", lambda: UserFactory(username="ab")),
    ("ck_users_email_format", lambda: UserFactory(email="not-an-email")),
    ("ck_users_password_hash", lambda: UserFactory(password="")),
    ("ck_users_role", lambda: UserFactory(role="root")),
    ("ck_refresh_tokens_expires_at", lambda: refresh_token(expires_at=timezone.now() - timedelta(seconds=1))),
    ("ck_refresh_tokens_token_length", lambda: refresh_token(token="")),
    ("ck_messages_content_length", lambda: MessageFactory(content="")),
    ("ck_messages_content_length", lambda: MessageFactory(content="x" * 10001)),
    ("ck_messages_target", lambda: MessageFactory(recipient=None, room=None)),
    ("ck_rooms_name_length", lambda: RoomFactory(name="ab")),
    ("ck_room_members_role", lambda: RoomMemberFactory(role="king")),
    ("ck_room_messages_content_length", lambda: RoomMessageFactory(content="")),
    ("ck_room_messages_content_length", lambda: RoomMessageFactory(content="x" * 10001)),
    ("ck_room_messages_message_type", lambda: RoomMessageFactory(message_type="shout")),
    ("ck_files_original_name_length", lambda: FileFactory(original_name="")),
    ("ck_files_filename_length", lambda: FileFactory(filename="")),
    ("ck_files_mime_type_format", lambda: FileFactory(mime_type="audio")),
    ("ck_files_size_positive", lambda: FileFactory(size=0)),
    ("ck_files_path_format", lambda: FileFactory(path="../etc/passwd")),
    ("ck_files_url_format", lambda: FileFactory(url="javascript:alert(1)")),
    ("ck_products_name_length", lambda: ProductFactory(name="")),
    ("ck_products_description_length", lambda: ProductFactory(description="")),
    ("ck_products_category_length", lambda: ProductFactory(category="")),
    ("ck_products_price_positive", lambda: ProductFactory(price=Decimal("-0.01"))),
    ("ck_listings_title_length", lambda: ListingFactory(title="")),
    ("ck_listings_description_length", lambda: ListingFactory(description="x" * 10001)),
    ("ck_listings_price_positive", lambda: ListingFactory(price=Decimal("-1"))),
    ("ck_listings_status", lambda: ListingFactory(status="lost")),
    ("ck_tracks_title_length", lambda: TrackFactory(title="")),
    ("ck_tracks_artist_length", lambda: TrackFactory(artist="")),
    ("ck_tracks_album_length", lambda: TrackFactory(album="")),
    ("ck_tracks_genre_length", lambda: TrackFactory(genre="")),
    ("ck_tracks_duration_positive", lambda: TrackFactory(duration=0)),
    (
        "ck_search_index_entity_type",
        lambda: SearchIndex.objects.create(entity_type="song", entity_id=1, search_vector=""),
    ),
    ("ck_audit_logs_action", lambda: AuditLog.objects.create(table_name="users", record_id=1, action="TRUNCATE")),
    ("uk_users_username", lambda: [UserFactory(username="same"), UserFactory(username="same")]),
    ("idx_users_username", lambda: [UserFactory(username="Same"), UserFactory(username="sAME")]),
    ("idx_users_email", lambda: [UserFactory(email="a@b.org"), UserFactory(email="A@B.org")]),
    ("idx_rooms_name", lambda: [RoomFactory(name="Jazz"), RoomFactory(name="jazz")]),
]


@pytest.mark.parametrize(("constraint", "make"), CASES, ids=[f"{name}-{i}" for i, (name, _) in enumerate(CASES)])
def test_database_rejects_bad_row(constraint, make):
    with pytest.raises(IntegrityError) as caught, transaction.atomic():
        make()
    assert caught.value.__cause__.diag.constraint_name == constraint


def test_varchar_lengths_are_enforced():
    with pytest.raises(DataError), transaction.atomic():
        UserFactory(username="x" * 51)


def test_room_membership_is_unique():
    member = RoomMemberFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        RoomMemberFactory(room=member.room, user=member.user)


def test_valid_rows_are_accepted():
    TrackFactory()
    ProductFactory(price=Decimal("0"))
    ListingFactory()
    MessageFactory(recipient=None, room="general")
    RoomMessageFactory(content="x" * 10000, message_type="system", user=None)
