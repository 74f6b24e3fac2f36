"""One representation per entity: a socket event carries what the REST API answers for the same object."""

import pytest

from realtime.testing import capture_events
from rooms import services
from rooms.models import RoomMessage
from rooms.serializers import RoomMessageSerializer

pytestmark = pytest.mark.django_db


def test_a_room_message_event_carries_what_the_api_answers(public_room, member):
    with capture_events() as sent:
        message = services.room_message_send(user=member, room=public_room, content="Hello")
    [event] = [sent_event.event for sent_event in sent if sent_event.type == "room.message"]
    stored = RoomMessage.objects.select_related("user").get(pk=message.pk)
    assert event["message"] == RoomMessageSerializer(stored).data
    assert event["message"]["created_at"].endswith("Z")
