"""The rules every owned item shares (core.moderated): moderators, owners, hidden items, deletions."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from core import moderated
from tests.accounts.factories import AdminFactory, SuperAdminFactory, UserFactory
from tests.media.factories import FileFactory

pytestmark = pytest.mark.django_db


def test_moderators_are_active_staff():
    assert moderated.is_moderator(AdminFactory())
    assert moderated.is_moderator(SuperAdminFactory())
    assert not moderated.is_moderator(AdminFactory(is_active=False))
    assert not moderated.is_moderator(UserFactory())
    assert not moderated.is_moderator(AnonymousUser())


def test_owner_or_moderator_allows_the_owner_and_moderators_only():
    owner = UserFactory()
    assert moderated.owner_or_moderator(owner, owner.pk)
    assert moderated.owner_or_moderator(AdminFactory(), owner.pk)
    assert not moderated.owner_or_moderator(UserFactory(), owner.pk)
    assert not moderated.owner_or_moderator(AnonymousUser(), None)


def test_may_change_leaves_a_hidden_item_to_moderators():
    file = FileFactory()
    assert moderated.may_change(file.user, file.user_id, file)
    file.moderated_at, file.moderation_reason = timezone.now(), "spam"
    assert not moderated.may_change(file.user, file.user_id, file)
    assert moderated.may_change(AdminFactory(), file.user_id, file)
    assert not moderated.may_change(UserFactory(), file.user_id, file)


def test_owner_or_permitted_allows_the_owner_and_holders_of_the_permission():
    owner = UserFactory()
    assert moderated.owner_or_permitted(owner, owner.pk, "media.delete_file")
    assert moderated.owner_or_permitted(SuperAdminFactory(), owner.pk, "media.delete_file")
    assert not moderated.owner_or_permitted(AdminFactory(), owner.pk, "media.delete_file")
    assert not moderated.owner_or_permitted(AnonymousUser(), None, "media.delete_file")
