"""Room and message pages: list, create, join, the live room page, settings, inbox and conversations."""

import pytest

from chat import services as chat_services
from rooms import services
from rooms.models import MemberRole, Room, RoomMember

pytestmark = pytest.mark.django_db


def test_pages_need_login(client, public_room):
    for url in ("/rooms/", f"/rooms/{public_room.pk}/", "/messages/"):
        assert client.get(url).status_code == 302


def test_room_list_shows_public_and_my_rooms_only(client, outsider, public_room, private_room):
    client.force_login(outsider)
    body = client.get("/rooms/").content.decode()
    assert "lobby" in body and "backstage" not in body


def test_create_room_from_the_page(client, outsider):
    client.force_login(outsider)
    bad = client.post("/rooms/new/", {"name": "ab"})
    assert bad.status_code == 200 and 'class="field-error"' in bad.content.decode()
    data = {"name": "new-room", "description": "hi", "is_private": "on", "password": "pw"}
    response = client.post("/rooms/new/", data)
    room = Room.objects.get(name="new-room")
    assert response["Location"] == f"/rooms/{room.pk}/"
    assert room.is_private and RoomMember.objects.get(room=room).role == MemberRole.OWNER


def test_join_private_room_with_password_from_the_page(client, outsider, private_room):
    client.force_login(outsider)
    assert client.get(f"/rooms/{private_room.pk}/").status_code == 404
    wrong = client.post("/rooms/join/", {"room": private_room.pk, "password": "nope"})
    assert wrong.status_code == 404 and "No such room, or a wrong password." in wrong.content.decode()
    right = client.post("/rooms/join/", {"room": private_room.pk, "password": "open sesame"})
    assert right.status_code == 302
    assert client.get(f"/rooms/{private_room.pk}/").status_code == 200


def test_room_page_renders_history_as_json_data_escaped(client, member, public_room):
    services.room_message_send(user=member, room=public_room, content="</script><script>alert(1)</script>")
    client.force_login(member)
    body = client.get(f"/rooms/{public_room.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert '<script id="history" type="application/json">' in body
    assert 'src="/static/js/chat.js"' in body


def test_settings_page_is_for_owner_and_admins(client, owner, member, outsider, public_room):
    client.force_login(member)
    assert client.get(f"/rooms/{public_room.pk}/edit/").status_code == 403
    client.force_login(owner)
    assert client.get(f"/rooms/{public_room.pk}/edit/").status_code == 200
    client.post(f"/rooms/{public_room.pk}/edit/", {"op": "add", "user": "outsider"})
    assert RoomMember.objects.filter(room=public_room, user=outsider).exists()
    client.post(f"/rooms/{public_room.pk}/edit/", {"op": "role", "user": member.pk, "role": "admin"})
    assert RoomMember.objects.get(room=public_room, user=member).role == MemberRole.ADMIN
    client.post(f"/rooms/{public_room.pk}/edit/", {"op": "remove", "user": outsider.pk})
    assert not RoomMember.objects.filter(room=public_room, user=outsider).exists()
    response = client.post(f"/rooms/{public_room.pk}/edit/", {"op": "delete"})
    assert response["Location"] == "/rooms/"
    assert not Room.objects.filter(pk=public_room.pk).exists()


def test_leave_from_the_page(client, member, public_room):
    client.force_login(member)
    assert client.post(f"/rooms/{public_room.pk}/leave/").status_code == 302
    assert not RoomMember.objects.filter(room=public_room, user=member).exists()


def test_inbox_shows_unread_badges_and_conversation_marks_read(client, owner, member):
    chat_services.dm_send(sender=owner, recipient=member, content="<b>ping</b>")
    chat_services.dm_send(sender=owner, recipient=member, content="pong?")
    client.force_login(member)
    inbox = client.get("/messages/").content.decode()
    assert 'aria-label="2 unread"' in inbox and "<b>ping</b>" not in inbox
    assert client.get("/messages/owner/").status_code == 200
    assert 'aria-label="2 unread"' not in client.get("/messages/").content.decode()
    assert client.get("/messages/member/").status_code == 404  # no conversation with oneself


def test_owner_is_told_to_hand_over_instead_of_leaving(client, owner, member, public_room):
    client.force_login(owner)
    body = client.get(f"/rooms/{public_room.pk}/").content.decode()
    assert "hand it over to another member" in body and "Leave the room" not in body
    client.force_login(member)
    assert "Leave the room" in client.get(f"/rooms/{public_room.pk}/").content.decode()
