"""The rules of direct messages and typing notifications, held by the services themselves."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from chat import services
from chat.models import Message
from core.errors import NotFound
from realtime.testing import capture_events
from rooms import services as room_services
from rooms.services import MessageRateLimited
from tests.accounts.factories import AdminFactory
from tests.chat.factories import MessageFactory

pytestmark = pytest.mark.django_db


def test_a_direct_message_is_stored_unread_and_delivered_to_both_people(alice, bob):
    with capture_events() as sent:
        message = services.dm_send(sender=alice, recipient=bob, content="  hi bob  ")
    stored = Message.objects.get(pk=message.pk)
    assert (stored.sender_id, stored.recipient_id, stored.content) == (alice.pk, bob.pk, "hi bob")
    assert stored.is_read is False
    assert sorted(event.group for event in sent) == sorted([f"user-{alice.pk}", f"user-{bob.pk}"])


def test_nobody_sends_a_direct_message_to_themselves(alice):
    with pytest.raises(ValidationError) as refused:
        services.dm_send(sender=alice, recipient=alice, content="note to self")
    assert "to_user" in refused.value.message_dict
    assert not Message.objects.exists()


def test_a_deactivated_recipient_is_not_found(alice, bob):
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    with pytest.raises(NotFound):
        services.dm_send(sender=alice, recipient=bob, content="are you there?")
    assert not Message.objects.exists()


@pytest.mark.parametrize("content", ["", "  ", "a\x00b", "x" * 10001])
def test_an_empty_unstorable_or_too_long_direct_message_is_refused(alice, bob, content):
    with pytest.raises(ValidationError):
        services.dm_send(sender=alice, recipient=bob, content=content)
    assert not Message.objects.exists()


def test_a_retried_client_id_stores_the_direct_message_once(alice, bob):
    first = services.dm_send(sender=alice, recipient=bob, content="once", client_id="retry-1")
    again = services.dm_send(sender=alice, recipient=bob, content="once", client_id="retry-1")
    assert again.pk == first.pk
    assert Message.objects.count() == 1


def test_room_and_direct_messages_share_one_send_limit(alice, bob, settings):
    settings.CHAT_MESSAGES_PER_WINDOW = 2
    room = room_services.room_create(creator=alice, name="shared-limit")
    room_services.room_message_send(user=alice, room=room, content="in the room")
    services.dm_send(sender=alice, recipient=bob, content="in private")
    with pytest.raises(MessageRateLimited):
        services.dm_send(sender=alice, recipient=bob, content="one too many")
    assert list(Message.objects.values_list("content", flat=True)) == ["in private"]


def test_the_recipient_cannot_edit_a_message_they_received(alice, bob):
    message = MessageFactory(sender=alice, recipient=bob, content="original")
    with pytest.raises(PermissionDenied):
        services.dm_edit(actor=bob, message=message, content="forged")
    message.refresh_from_db()
    assert (message.content, message.edited_at) == ("original", None)


def test_a_stranger_cannot_edit_or_delete_a_direct_message(alice, bob, carol):
    message = MessageFactory(sender=alice, recipient=bob, content="private")
    with pytest.raises(PermissionDenied):
        services.dm_edit(actor=carol, message=message, content="forged")
    with pytest.raises(PermissionDenied):
        services.dm_delete(actor=carol, message=message)
    message.refresh_from_db()
    assert message.content == "private"


def test_the_sender_edits_and_the_edit_is_dated(alice, bob):
    message = MessageFactory(sender=alice, recipient=bob, content="typo")
    services.dm_edit(actor=alice, message=message, content="fixed")
    message.refresh_from_db()
    assert message.content == "fixed"
    assert message.edited_at is not None


def test_an_edit_to_nothing_is_refused(alice, bob):
    message = MessageFactory(sender=alice, recipient=bob, content="keep")
    with pytest.raises(ValidationError):
        services.dm_edit(actor=alice, message=message, content="   ")
    message.refresh_from_db()
    assert message.content == "keep"


def test_the_recipient_cannot_delete_a_message_they_received(alice, bob):
    message = MessageFactory(sender=alice, recipient=bob)
    with pytest.raises(PermissionDenied):
        services.dm_delete(actor=bob, message=message)
    assert Message.objects.filter(pk=message.pk).exists()


def test_site_moderators_edit_and_delete_anyones_direct_message(alice, bob):
    moderator = AdminFactory()
    message = MessageFactory(sender=alice, recipient=bob, content="abuse")
    services.dm_edit(actor=moderator, message=message, content="[removed]")
    assert Message.objects.get(pk=message.pk).content == "[removed]"
    message_id = message.pk
    with capture_events() as sent:
        services.dm_delete(actor=moderator, message=message)
    assert not Message.objects.filter(pk=message_id).exists()
    assert {(event.group, event.event["message_id"]) for event in sent} == {
        (f"user-{alice.pk}", message_id),
        (f"user-{bob.pk}", message_id),
    }


def test_marking_read_touches_only_what_the_peer_sent_me(alice, bob, carol):
    from_bob = [MessageFactory(sender=bob, recipient=alice) for _ in range(2)]
    to_bob = MessageFactory(sender=alice, recipient=bob)
    from_carol = MessageFactory(sender=carol, recipient=alice)
    with capture_events() as sent:
        assert services.dm_mark_read(reader=alice, peer=bob) == 2
    assert all(Message.objects.get(pk=m.pk).is_read for m in from_bob)
    assert not Message.objects.get(pk=to_bob.pk).is_read
    assert not Message.objects.get(pk=from_carol.pk).is_read
    assert [(event.group, event.event["count"]) for event in sent] == [(f"user-{bob.pk}", 2)]


def test_marking_read_with_nothing_unread_tells_nobody(alice, bob):
    with capture_events() as sent:
        assert services.dm_mark_read(reader=alice, peer=bob) == 0
    assert sent == []


# --- typing ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("target", [{}, {"room_id": 1, "peer_id": 2}])
def test_typing_goes_to_a_room_or_a_person_never_both_or_neither(alice, target):
    with pytest.raises(ValueError):
        services.typing_send(user=alice, **target)


def test_typing_to_a_deactivated_person_is_not_found(alice, bob):
    bob.is_active = False
    bob.save(update_fields=["is_active"])
    with pytest.raises(NotFound):
        services.typing_send(user=alice, peer_id=bob.pk)


def test_typing_to_nobody_is_not_found(alice):
    with pytest.raises(NotFound):
        services.typing_send(user=alice, peer_id=987654)


def test_typing_notifications_past_the_limit_are_refused(alice, bob, settings):
    settings.TYPING_FRAMES_PER_WINDOW = 3
    for _ in range(3):
        services.typing_send(user=alice, peer_id=bob.pk)
    with pytest.raises(services.TypingRateLimited) as refused:
        services.typing_send(user=alice, peer_id=bob.pk)
    assert refused.value.wait > 0


def test_typing_is_not_counted_against_the_message_limit(alice, bob, settings):
    settings.CHAT_MESSAGES_PER_WINDOW = 1
    for _ in range(3):
        services.typing_send(user=alice, peer_id=bob.pk)
    assert services.dm_send(sender=alice, recipient=bob, content="still allowed").pk
