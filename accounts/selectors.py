"""Reads of accounts."""

from django.db.models import Q, QuerySet

from accounts.models import User


def user_list(*, search: str | None = None) -> QuerySet[User]:
    """Active accounts, optionally matching ``search`` in the username or names."""
    users = User.objects.filter(is_active=True).order_by("username")
    if search:
        term = search.strip()[:100]
        users = users.filter(Q(username__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term))
    return users


def user_get_public(*, user_id: int) -> User | None:
    """An active account, or None when it does not exist or is deactivated."""
    return User.objects.filter(pk=user_id, is_active=True).first()


def user_get_public_by_username(*, username: str) -> User | None:
    return User.objects.filter(username__iexact=username, is_active=True).first()
