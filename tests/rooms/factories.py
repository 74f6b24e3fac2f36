import factory

from rooms.models import MemberRole, Room, RoomMember, RoomMessage
from tests.accounts.factories import UserFactory


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    name = factory.Sequence(lambda n: f"room-{n:03d}")
    description = "A room"
    creator = factory.SubFactory(UserFactory)


class RoomMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoomMember

    room = factory.SubFactory(RoomFactory)
    user = factory.SubFactory(UserFactory)
    role = MemberRole.MEMBER


class RoomMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoomMessage

    room = factory.SubFactory(RoomFactory)
    user = factory.SubFactory(UserFactory)
    content = factory.Sequence(lambda n: f"message {n}")
