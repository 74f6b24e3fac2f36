"""Who may act at all: the rule every app's services apply before a change made on someone's behalf."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from accounts.models import User


def require_active(user: User | None) -> None:
    """Refuse an anonymous or deactivated account, whoever calls the service (a socket, a task, a view)."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise PermissionDenied("This account is deactivated.")
