"""/api/v1/rooms/: rooms, membership, roles and messages, with their permission rules."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rooms import services
from rooms.models import MemberRole, MessageType, Room, RoomMember, RoomMessage
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_create_room_makes_the_creator_owner(api, owner):
    api.force_authenticate(owner)
    response = api.post("/api/v1/rooms/", {"name": "jazz-club", "description": "Swing"}, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["is_member"] is True and body["member_count"] == 1
    assert RoomMember.objects.get(room_id=body["id"], user=owner).role == MemberRole.OWNER


@pytest.mark.parametrize("payload", [{"name": "ab"}, {"name": "x" * 101}, {}, {"name": "Lobby"}])
def test_bad_room_names_are_400(api, owner, public_room, payload):
    api.force_authenticate(owner)
    response = api.post("/api/v1/rooms/", payload, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]


def test_list_shows_public_rooms_and_mine_but_never_others_private_rooms(
    api, owner, outsider, public_room, private_room
):
    api.force_authenticate(outsider)
    assert [r["name"] for r in api.get("/api/v1/rooms/").json()["results"]] == ["lobby"]
    api.force_authenticate(owner)
    assert [r["name"] for r in api.get("/api/v1/rooms/").json()["results"]] == ["backstage", "lobby"]
    assert [r["name"] for r in api.get("/api/v1/rooms/", {"mine": "true"}).json()["results"]] == ["backstage", "lobby"]


def test_private_room_is_404_for_non_members_everywhere(api, outsider, private_room):
    api.force_authenticate(outsider)
    base = f"/api/v1/rooms/{private_room.pk}"
    calls = [("get", f"{base}/"), ("patch", f"{base}/"), ("delete", f"{base}/"), ("get", f"{base}/members/"),
             ("get", f"{base}/messages/"), ("post", f"{base}/messages/"), ("post", f"{base}/leave")]  # fmt: skip
    for method, url in calls:
        response = getattr(api, method)(url, {"content": "hi"}, format="json")
        assert response.status_code == 404, (method, url, response.status_code)
        assert response.json()["error"]["code"] == "not_found"


def test_private_room_is_joined_with_its_password_only(api, outsider, private_room):
    api.force_authenticate(outsider)
    wrong = api.post(f"/api/v1/rooms/{private_room.pk}/join", {"password": "nope"}, format="json")
    missing = api.post("/api/v1/rooms/999999/join", {"password": "nope"}, format="json")
    assert wrong.status_code == missing.status_code == 404
    assert wrong.json() == missing.json()
    right = api.post(f"/api/v1/rooms/{private_room.pk}/join", {"password": "open sesame"}, format="json")
    assert right.status_code == 200
    assert api.get(f"/api/v1/rooms/{private_room.pk}/").status_code == 200


def test_room_password_is_stored_hashed(private_room):
    assert "open sesame" not in private_room.password_hash
    assert private_room.password_hash.startswith("argon2")


def test_join_and_leave_write_room_messages(api, outsider, public_room):
    api.force_authenticate(outsider)
    assert api.post(f"/api/v1/rooms/{public_room.pk}/join", {}, format="json").status_code == 200
    assert api.post(f"/api/v1/rooms/{public_room.pk}/leave").status_code == 204
    kinds = list(RoomMessage.objects.filter(room=public_room, user=outsider).values_list("message_type", flat=True))
    assert sorted(kinds) == [MessageType.JOIN, MessageType.LEAVE]


def test_owner_cannot_leave_without_handing_over(api, owner, public_room):
    api.force_authenticate(owner)
    response = api.post(f"/api/v1/rooms/{public_room.pk}/leave")
    assert response.status_code == 400


def test_only_owner_and_admins_edit_the_room(api, owner, member, public_room):
    api.force_authenticate(member)
    assert api.patch(f"/api/v1/rooms/{public_room.pk}/", {"description": "x"}, format="json").status_code == 403
    services.member_set_role(actor=owner, room=public_room, user=member, role=MemberRole.ADMIN)
    assert api.patch(f"/api/v1/rooms/{public_room.pk}/", {"description": "x"}, format="json").status_code == 200
    assert api.delete(f"/api/v1/rooms/{public_room.pk}/").status_code == 403  # admins do not delete
    api.force_authenticate(owner)
    assert api.delete(f"/api/v1/rooms/{public_room.pk}/").status_code == 204
    assert not Room.objects.filter(pk=public_room.pk).exists()


def test_members_roles_removal_and_transfer(api, owner, member, outsider, public_room):
    base = f"/api/v1/rooms/{public_room.pk}/members/"
    api.force_authenticate(member)
    assert api.patch(f"{base}{owner.pk}/", {"role": "member"}, format="json").status_code == 403
    assert api.delete(f"{base}{owner.pk}/").status_code == 403
    assert api.post(base, {"user": outsider.pk}, format="json").status_code == 403
    api.force_authenticate(owner)
    assert api.post(base, {"user": outsider.pk}, format="json").status_code == 201
    assert api.patch(f"{base}{member.pk}/", {"role": "admin"}, format="json").json()["role"] == "admin"
    assert api.patch(f"{base}{member.pk}/", {"role": "owner"}, format="json").status_code == 400
    api.force_authenticate(member)  # now an admin
    assert api.delete(f"{base}{outsider.pk}/").status_code == 204
    api.force_authenticate(owner)
    assert api.post(f"/api/v1/rooms/{public_room.pk}/transfer", {"user": member.pk}, format="json").status_code == 204
    roles = dict(RoomMember.objects.filter(room=public_room).values_list("user__username", "role"))
    assert roles == {"owner": "admin", "member": "owner"}


def test_owner_adds_someone_to_a_private_room(api, owner, outsider, private_room):
    api.force_authenticate(owner)
    assert (
        api.post(f"/api/v1/rooms/{private_room.pk}/members/", {"user": outsider.pk}, format="json").status_code == 201
    )
    api.force_authenticate(outsider)
    assert api.get(f"/api/v1/rooms/{private_room.pk}/messages/").status_code == 200


def test_send_messages_with_trimming_and_length_rules(api, member, public_room):
    api.force_authenticate(member)
    url = f"/api/v1/rooms/{public_room.pk}/messages/"
    ok = api.post(url, {"content": "  hello  "}, format="json")
    assert ok.status_code == 201 and ok.json()["content"] == "hello"
    assert api.post(url, {"content": "x" * 10000}, format="json").status_code == 201
    for bad in ("", "   \n  ", "x" * 10001):
        response = api.post(url, {"content": bad}, format="json")
        assert response.status_code == 400, len(bad)
        assert "content" in response.json()["error"]["fields"]


def test_non_member_cannot_post_in_a_public_room(api, outsider, public_room):
    api.force_authenticate(outsider)
    assert api.post(f"/api/v1/rooms/{public_room.pk}/messages/", {"content": "hi"}, format="json").status_code == 403


def test_a_retry_with_the_same_client_id_is_stored_once(api, member, public_room):
    api.force_authenticate(member)
    url = f"/api/v1/rooms/{public_room.pk}/messages/"
    first = api.post(url, {"content": "once", "client_id": "abc-123"}, format="json").json()
    second = api.post(url, {"content": "once", "client_id": "abc-123"}, format="json").json()
    assert first["id"] == second["id"]
    assert RoomMessage.objects.filter(content="once").count() == 1
    assert api.post(url, {"content": "x", "client_id": "bad id!"}, format="json").status_code == 400


def test_send_rate_limit_answers_429(api, member, public_room, settings):
    settings.CHAT_MESSAGES_PER_WINDOW = 3
    api.force_authenticate(member)
    url = f"/api/v1/rooms/{public_room.pk}/messages/"
    statuses = [api.post(url, {"content": f"m{i}"}, format="json").status_code for i in range(4)]
    assert statuses == [201, 201, 201, 429]


def test_edit_and_delete_rules(api, owner, member, public_room):
    mine = services.room_message_send(user=member, room=public_room, content="typo")
    theirs = services.room_message_send(user=owner, room=public_room, content="owner's")
    api.force_authenticate(member)
    url = f"/api/v1/rooms/{public_room.pk}/messages/"
    edited = api.patch(f"{url}{mine.pk}/", {"content": "fixed"}, format="json").json()
    assert edited["content"] == "fixed" and edited["edited_at"] is not None
    assert api.patch(f"{url}{theirs.pk}/", {"content": "hacked"}, format="json").status_code == 403
    assert api.delete(f"{url}{theirs.pk}/").status_code == 403
    assert api.delete(f"{url}{mine.pk}/").status_code == 204
    other = services.room_message_send(user=member, room=public_room, content="moderate me")
    api.force_authenticate(owner)
    assert api.delete(f"{url}{other.pk}/").status_code == 204
    assert api.patch(f"{url}{other.pk}/", {"content": "x"}, format="json").status_code == 404


def test_history_is_newest_first_with_cursors_and_bounds(api, member, public_room):
    sent = [services.room_message_send(user=member, room=public_room, content=f"m{i}").pk for i in range(12)]
    api.force_authenticate(member)
    url = f"/api/v1/rooms/{public_room.pk}/messages/"
    page = api.get(url, {"page_size": 5}).json()
    assert [m["content"] for m in page["results"]] == ["m11", "m10", "m9", "m8", "m7"]
    second = api.get(page["next"]).json()
    assert [m["content"] for m in second["results"]] == ["m6", "m5", "m4", "m3", "m2"]
    after = api.get(url, {"after": sent[9]}).json()["results"]
    assert [m["content"] for m in after] == ["m11", "m10"]
    before = api.get(url, {"before": sent[2], "page_size": 2}).json()["results"]
    assert [m["content"] for m in before] == ["m1", "m0"]
    assert api.get(url, {"after": "x"}).status_code == 400


def test_history_runs_a_constant_number_of_queries(api, public_room):
    people = [UserFactory() for _ in range(10)]
    for person in people:
        services.room_join(user=person, room=public_room)
        services.room_message_send(user=person, room=public_room, content="hello")
    api.force_authenticate(people[0])
    counts = []
    for size in (3, 30):
        with CaptureQueriesContext(connection) as queries:
            api.get(f"/api/v1/rooms/{public_room.pk}/messages/", {"page_size": size})
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 3


def test_room_list_runs_a_constant_number_of_queries(api, owner):
    for i in range(12):
        services.room_create(creator=owner, name=f"room-{i:02d}")
    counts = []
    for size in (3, 12):
        with CaptureQueriesContext(connection) as queries:
            api.force_authenticate(owner)
            api.get("/api/v1/rooms/", {"page_size": size})
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 3
