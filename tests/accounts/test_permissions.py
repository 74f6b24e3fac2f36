"""The accounts policy (accounts.permissions): for each rule, a user it allows and one it refuses."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from accounts import permissions
from tests.accounts.factories import AdminFactory, SuperAdminFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_require_active_refuses_anonymous_and_deactivated_accounts():
    permissions.require_active(UserFactory())
    for user in (None, AnonymousUser(), UserFactory(is_active=False)):
        with pytest.raises(PermissionDenied):
            permissions.require_active(user)


def test_moderators_moderate_users_and_only_super_admins_moderate_super_admins():
    user, admin, super_admin = UserFactory(), AdminFactory(), SuperAdminFactory()
    assert permissions.can_moderate_user(admin, user)
    assert permissions.can_moderate_user(super_admin, SuperAdminFactory())
    assert not permissions.can_moderate_user(admin, super_admin)
    assert not permissions.can_moderate_user(UserFactory(), user)
    assert not permissions.can_moderate_user(AnonymousUser(), user)


@pytest.mark.parametrize(
    "rule", [permissions.can_change_roles, permissions.can_change_credentials, permissions.can_delete_users]
)
def test_super_admins_change_roles_and_credentials_and_delete_users_admins_do_not(rule):
    assert rule(SuperAdminFactory())
    assert not rule(AdminFactory())
    assert not rule(UserFactory())
    assert not rule(AnonymousUser())
