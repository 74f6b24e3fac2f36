"""The direct messages policy (chat.permissions): for each rule, a user it allows and one it refuses."""

import pytest
from django.contrib.auth.models import AnonymousUser

from chat import permissions
from tests.accounts.factories import AdminFactory
from tests.chat.factories import MessageFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("rule", [permissions.can_edit_message, permissions.can_delete_message])
def test_the_sender_and_moderators_change_a_direct_message_the_recipient_does_not(rule):
    message = MessageFactory()
    assert rule(message.sender, message)
    assert rule(AdminFactory(), message)
    assert not rule(message.recipient, message)
    assert not rule(AnonymousUser(), message)
