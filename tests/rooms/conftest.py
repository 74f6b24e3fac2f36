import pytest

from rooms import services
from tests.accounts.factories import AdminFactory, UserFactory


@pytest.fixture
def owner(db):
    return UserFactory(username="owner")


@pytest.fixture
def member(db):
    return UserFactory(username="member")


@pytest.fixture
def outsider(db):
    return UserFactory(username="outsider")


@pytest.fixture
def moderator(db):
    return AdminFactory(username="moderator")


@pytest.fixture
def public_room(owner, member):
    room = services.room_create(creator=owner, name="lobby", description="Everyone")
    services.room_join(user=member, room=room)
    return room


@pytest.fixture
def private_room(owner, member):
    room = services.room_create(creator=owner, name="backstage", is_private=True, password="open sesame")
    services.room_join(user=member, room=room, password="open sesame")
    return room
