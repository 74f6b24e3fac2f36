"""One representation per entity: a socket event carries what the REST API answers for the same object."""

import pytest

from chat import services
from chat.models import Message
from chat.serializers import DirectMessageSerializer
from realtime.testing import capture_events
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_direct_message_event_carries_what_the_api_answers():
    sender, recipient = UserFactory(), UserFactory()
    with capture_events() as sent:
        message = services.dm_send(sender=sender, recipient=recipient, content="Hi")
    events = [sent_event.event for sent_event in sent if sent_event.type == "dm.message"]
    stored = Message.objects.select_related("sender", "recipient").get(pk=message.pk)
    assert [event["message"] for event in events] == [DirectMessageSerializer(stored).data] * 2  # both people
