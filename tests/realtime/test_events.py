"""Typed events: one definition per type, checked where the event is built, and the tests' capture."""

import re
from pathlib import Path

import pytest
from django.db import transaction

import chat.events
import rooms.events
from chat import services as chat_services
from realtime import events, transport
from realtime.events import InvalidEvent
from realtime.testing import capture_events
from rooms import services as room_services
from tests.accounts.factories import UserFactory

API_DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def documented_server_events() -> set[str]:
    """The types named in the first column of docs/api.md's "Server to client" table."""
    section = API_DOC.read_text().split("### Server to client", 1)[1]
    table = re.search(r"\| type \| fields \|\n\| --- \| --- \|\n((?:\|.*\n)+)", section).group(1)
    return {name for row in table.splitlines() for name in re.findall(r"`([a-z_.]+)`", row.split("|")[1])}


def test_the_api_docs_list_exactly_the_registered_event_types():
    assert rooms.events.MESSAGE and chat.events.DM_MESSAGE  # their apps' types are registered at import
    assert documented_server_events() == set(events.registered())


def test_an_event_is_built_from_its_definition():
    assert rooms.events.DELETED(room=7) == {"type": "room.deleted", "room": 7}
    assert events.build("typing", user=None, to_user=3) == {"type": "typing", "user": None, "to_user": 3}


@pytest.mark.parametrize(
    "build",
    [
        lambda: events.build("room.nope", room=1),  # unknown type
        lambda: rooms.events.MESSAGE(message={}),  # missing client_id
        lambda: rooms.events.DELETED(room=1, name="x"),  # unexpected field
        lambda: transport.event_message({"type": "room.nope"}),  # a hand-made event of an unknown type
        lambda: transport.event_message({"type": "room.deleted"}),  # a hand-made event missing its field
        lambda: transport.event_message({"room": 1}),  # no type at all
    ],
)
def test_an_unknown_type_or_wrong_fields_are_refused_before_sending(build):
    with pytest.raises(InvalidEvent):
        build()


def test_a_type_is_registered_once():
    with pytest.raises(InvalidEvent):
        events.register("room.message", "message", "client_id")


@pytest.mark.django_db
def test_capture_events_records_what_a_block_sent_after_it_commits():
    owner = UserFactory()
    room = room_services.room_create(creator=owner, name="lobby")
    with capture_events() as sent:
        message = room_services.room_message_send(user=owner, room=room, content="hello")
        assert sent == []  # nothing goes out before the commit
    assert [(event.group, event.type) for event in sent] == [(f"room-{room.pk}", "room.message")]
    assert sent[0].event["message"]["id"] == message.pk


@pytest.mark.django_db
def test_capture_events_records_nothing_for_a_block_that_rolls_back():
    owner = UserFactory()
    room = room_services.room_create(creator=owner, name="lobby")
    with capture_events() as sent, pytest.raises(RuntimeError), transaction.atomic():
        room_services.room_message_send(user=owner, room=room, content="hello")
        raise RuntimeError
    assert sent == []


@pytest.mark.django_db
def test_capture_events_records_direct_messages_to_both_people():
    alice, bob = UserFactory(), UserFactory()
    with capture_events() as sent:
        chat_services.dm_send(sender=alice, recipient=bob, content="hi")
    assert sorted(event.group for event in sent) == sorted([f"user-{alice.pk}", f"user-{bob.pk}"])
    assert {event.type for event in sent} == {"dm.message"}
