"""The tracks policy (catalog.permissions): for each rule, a user it allows and one it refuses."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from catalog import permissions
from tests.accounts.factories import AdminFactory, SuperAdminFactory, UserFactory
from tests.catalog.factories import TrackFactory

pytestmark = pytest.mark.django_db


def test_the_creator_and_moderators_manage_a_track_others_do_not():
    track = TrackFactory()
    assert permissions.can_manage_track(track.creator, track)
    assert permissions.can_manage_track(AdminFactory(), track)
    assert not permissions.can_manage_track(UserFactory(), track)
    assert not permissions.can_manage_track(AnonymousUser(), track)


@pytest.mark.parametrize("hidden", ["track", "file"])
def test_a_track_hidden_with_its_file_or_alone_is_managed_by_moderators_only(hidden):
    track = TrackFactory()
    row = track if hidden == "track" else track.file
    row.moderated_at, row.moderation_reason = timezone.now(), "spam"
    assert not permissions.can_manage_track(track.creator, track)
    assert permissions.can_manage_track(AdminFactory(), track)


def test_the_creator_and_super_admins_delete_a_track_admins_do_not():
    track = TrackFactory()
    track.moderated_at, track.moderation_reason = timezone.now(), "spam"  # even hidden, its creator deletes it
    assert permissions.can_delete_track(track.creator, track)
    assert permissions.can_delete_track(SuperAdminFactory(), track)
    assert not permissions.can_delete_track(AdminFactory(), track)
    assert not permissions.can_delete_track(UserFactory(), track)
    assert not permissions.can_delete_track(AnonymousUser(), track)
