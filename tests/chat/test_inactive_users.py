"""The services that write refuse a deactivated account, whoever calls them (a socket, a view, a task)."""

import pytest
from django.core.exceptions import PermissionDenied

from chat import services as chat_services
from chat.models import Message
from rooms import services as room_services
from rooms.models import RoomMember, RoomMessage
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    owner, member, peer = UserFactory(username="owner"), UserFactory(username="member"), UserFactory(username="peer")
    room = room_services.room_create(creator=owner, name="inactive-room")
    room_services.room_join(user=member, room=room)
    message = room_services.room_message_send(user=member, room=room, content="mine")
    dm = chat_services.dm_send(sender=member, recipient=peer, content="hello")
    chat_services.dm_send(sender=peer, recipient=member, content="hi back")
    member.is_active = False
    member.save(update_fields=["is_active"])
    return {"owner": owner, "member": member, "peer": peer, "room": room, "message": message, "dm": dm}


WRITES = {
    "room message": lambda s: room_services.room_message_send(user=s["member"], room=s["room"], content="x"),
    "room edit": lambda s: room_services.room_message_edit(actor=s["member"], message=s["message"], content="x"),
    "room delete": lambda s: room_services.room_message_delete(actor=s["member"], message=s["message"]),
    "direct message": lambda s: chat_services.dm_send(sender=s["member"], recipient=s["peer"], content="x"),
    "direct edit": lambda s: chat_services.dm_edit(actor=s["member"], message=s["dm"], content="x"),
    "direct delete": lambda s: chat_services.dm_delete(actor=s["member"], message=s["dm"]),
    "read receipt": lambda s: chat_services.dm_mark_read(reader=s["member"], peer=s["peer"]),
    "typing in a room": lambda s: chat_services.typing_send(user=s["member"], room_id=s["room"].pk),
    "typing to a person": lambda s: chat_services.typing_send(user=s["member"], peer_id=s["peer"].pk),
    "join": lambda s: room_services.room_join(
        user=s["member"], room=room_services.room_create(creator=s["owner"], name="another-room")
    ),
    "leave": lambda s: room_services.room_leave(user=s["member"], room=s["room"]),
    "create a room": lambda s: room_services.room_create(creator=s["member"], name="new-room"),
}


@pytest.mark.parametrize("write", list(WRITES))
def test_a_deactivated_account_cannot_write_through_the_services(scene, write):
    before = (
        RoomMessage.objects.count(),
        Message.objects.count(),
        RoomMember.objects.filter(user=scene["member"]).count(),
        Message.objects.filter(is_read=True).count(),
    )
    with pytest.raises(PermissionDenied):
        WRITES[write](scene)
    after = (
        RoomMessage.objects.count() - (1 if write == "join" else 0),  # the other room's creation line
        Message.objects.count(),
        RoomMember.objects.filter(user=scene["member"]).count(),
        Message.objects.filter(is_read=True).count(),
    )
    assert after == before
    scene["message"].refresh_from_db()
    assert scene["message"].content == "mine"


def test_an_active_account_still_writes(scene):
    assert room_services.room_message_send(user=scene["owner"], room=scene["room"], content="fine").pk
    chat_services.typing_send(user=scene["owner"], room_id=scene["room"].pk)
