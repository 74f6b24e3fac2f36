"""The files policy (media.permissions): for each rule, a user it allows and one it refuses."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from media import permissions
from tests.accounts.factories import AdminFactory, SuperAdminFactory, UserFactory
from tests.media.factories import FileFactory

pytestmark = pytest.mark.django_db


def test_the_owner_and_moderators_manage_a_file_others_do_not():
    file = FileFactory()
    assert permissions.can_manage_file(file.user, file)
    assert permissions.can_manage_file(AdminFactory(), file)
    assert not permissions.can_manage_file(UserFactory(), file)
    assert not permissions.can_manage_file(AnonymousUser(), file)


def test_a_hidden_file_is_managed_by_moderators_only():
    file = FileFactory()
    file.moderated_at, file.moderation_reason = timezone.now(), "spam"
    assert not permissions.can_manage_file(file.user, file)
    assert permissions.can_manage_file(AdminFactory(), file)


def test_the_owner_and_super_admins_delete_a_file_admins_do_not():
    file = FileFactory()
    file.moderated_at, file.moderation_reason = timezone.now(), "spam"  # even hidden, its owner deletes it
    assert permissions.can_delete_file(file.user, file)
    assert permissions.can_delete_file(SuperAdminFactory(), file)
    assert not permissions.can_delete_file(AdminFactory(), file)
    assert not permissions.can_delete_file(UserFactory(), file)
    assert not permissions.can_delete_file(AnonymousUser(), file)
