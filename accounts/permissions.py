"""Who may do what with accounts: the one policy that services, views and the console apply.

:func:`require_active` is the rule every app's services apply before a change made on someone's behalf.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.models import Role, User


def require_active(user: User | None) -> None:
    """Refuse an anonymous or deactivated account, whoever calls the service (a socket, a task, a view)."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied("This account is deactivated.")


def can_moderate_user(actor: User, user: User) -> bool:
    """Moderators (admins, super admins) moderate accounts; only a super admin moderates a super admin."""
    return actor.is_staff and (user.role != Role.SUPER_ADMIN or actor.is_superuser)


def can_change_roles(actor: User) -> bool:
    """Super admins give roles."""
    return actor.has_perm("accounts.change_user_role")


def can_change_credentials(actor: User) -> bool:
    """Super admins change another person's email address or password."""
    return actor.is_superuser


def can_delete_users(actor: User) -> bool:
    """Super admins hard-delete accounts (admins deactivate them)."""
    return actor.has_perm("accounts.delete_user")
