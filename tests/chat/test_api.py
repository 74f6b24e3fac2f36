"""/api/v1/chat/: direct messages, conversations with unread counts, read receipts, edits."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from chat import services
from chat.models import Message
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_send_and_read_history(api, alice, bob):
    api.force_authenticate(alice)
    sent = api.post(f"/api/v1/chat/dm/{bob.pk}/", {"content": " hi bob "}, format="json")
    assert sent.status_code == 201
    assert sent.json()["content"] == "hi bob"
    assert sent.json()["to_user"]["id"] == bob.pk
    api.force_authenticate(bob)
    history = api.get(f"/api/v1/chat/dm/{alice.pk}/").json()["results"]
    assert [m["content"] for m in history] == ["hi bob"]


def test_bad_direct_messages(api, alice, bob):
    api.force_authenticate(alice)
    assert api.post(f"/api/v1/chat/dm/{alice.pk}/", {"content": "me"}, format="json").status_code == 400
    assert api.post("/api/v1/chat/dm/999999/", {"content": "x"}, format="json").status_code == 404
    assert api.post(f"/api/v1/chat/dm/{bob.pk}/", {"content": "   "}, format="json").status_code == 400
    assert api.post(f"/api/v1/chat/dm/{bob.pk}/", {"content": "x" * 10001}, format="json").status_code == 400
    inactive = UserFactory(is_active=False)
    assert api.post(f"/api/v1/chat/dm/{inactive.pk}/", {"content": "x"}, format="json").status_code == 404


def test_conversations_show_the_last_message_and_unread_counts(api, alice, bob, carol):
    services.dm_send(sender=bob, recipient=alice, content="one")
    services.dm_send(sender=bob, recipient=alice, content="two")
    services.dm_send(sender=alice, recipient=carol, content="hey carol")
    services.dm_send(sender=carol, recipient=alice, content="hey alice")
    api.force_authenticate(alice)
    rows = api.get("/api/v1/chat/conversations/").json()
    assert [(r["peer"]["username"], r["last_message"]["content"], r["unread"]) for r in rows] == [
        ("carol", "hey alice", 1),
        ("bob", "two", 2),
    ]
    assert api.post(f"/api/v1/chat/dm/{bob.pk}/read").json() == {"marked_read": 2}
    rows = api.get("/api/v1/chat/conversations/").json()
    assert {r["peer"]["username"]: r["unread"] for r in rows} == {"carol": 1, "bob": 0}
    assert Message.objects.filter(recipient=alice, sender=bob, is_read=True).count() == 2


def test_conversations_run_a_constant_number_of_queries(api, alice):
    for _ in range(8):
        services.dm_send(sender=UserFactory(), recipient=alice, content="hello")
    api.force_authenticate(alice)
    with CaptureQueriesContext(connection) as queries:
        assert len(api.get("/api/v1/chat/conversations/").json()) == 8
    assert len(queries) <= 3


def test_edit_my_own_direct_message_only(api, alice, bob, carol):
    mine = services.dm_send(sender=alice, recipient=bob, content="helo")
    theirs = services.dm_send(sender=bob, recipient=alice, content="hi")
    api.force_authenticate(alice)
    edited = api.patch(f"/api/v1/chat/dm/{bob.pk}/{mine.pk}/", {"content": "hello"}, format="json").json()
    assert edited["content"] == "hello" and edited["edited_at"]
    assert api.patch(f"/api/v1/chat/dm/{bob.pk}/{theirs.pk}/", {"content": "x"}, format="json").status_code == 403
    api.force_authenticate(carol)  # not part of that conversation
    assert api.patch(f"/api/v1/chat/dm/{bob.pk}/{mine.pk}/", {"content": "x"}, format="json").status_code == 404


def test_nobody_reads_other_peoples_conversations(api, alice, bob, carol):
    services.dm_send(sender=alice, recipient=bob, content="secret")
    api.force_authenticate(carol)
    assert api.get(f"/api/v1/chat/dm/{alice.pk}/").json()["results"] == []
    assert api.get("/api/v1/chat/conversations/").json() == []


def test_direct_message_retry_is_stored_once(api, alice, bob):
    api.force_authenticate(alice)
    url = f"/api/v1/chat/dm/{bob.pk}/"
    first = api.post(url, {"content": "once", "client_id": "k1"}, format="json").json()
    again = api.post(url, {"content": "once", "client_id": "k1"}, format="json").json()
    assert first["id"] == again["id"] and Message.objects.count() == 1


def test_history_runs_a_constant_number_of_queries(api, alice, bob):
    for i in range(30):
        services.dm_send(sender=alice if i % 2 else bob, recipient=bob if i % 2 else alice, content=f"m{i}")
    api.force_authenticate(alice)
    counts = []
    for size in (3, 30):
        with CaptureQueriesContext(connection) as queries:
            assert len(api.get(f"/api/v1/chat/dm/{bob.pk}/", {"page_size": size}).json()["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 3
