import factory

from chat.models import Message
from tests.accounts.factories import UserFactory


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    sender = factory.SubFactory(UserFactory)
    recipient = factory.SubFactory(UserFactory)
    content = factory.Sequence(lambda n: f"direct message {n}")
