"""Reads of accounts."""

import unicodedata

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.functions import Lower

from accounts.models import STAFF_ROLES, User


def user_list(*, search: str | None = None) -> QuerySet[User]:
    """Active accounts, optionally matching ``search`` in the username or names."""
    users = User.objects.filter(is_active=True).order_by("username")
    if search:
        term = search.strip()[:100]
        users = users.filter(Q(username__icontains=term) | Q(first_name__icontains=term) | Q(last_name__icontains=term))
    return users


def user_ids_named(name: str) -> list[int]:
    """Ids of the account called ``name``, whatever its case (through ``idx_users_username``)."""
    return list(
        User.objects.annotate(folded=Lower("username")).filter(folded=name.lower()).values_list("pk", flat=True)
    )


def user_get_public(*, user_id: int) -> User | None:
    """An active account, or None when it does not exist or is deactivated."""
    return User.objects.filter(pk=user_id, is_active=True).first()


def user_get_public_by_username(*, username: str) -> User | None:
    return User.objects.filter(username__iexact=username, is_active=True).first()


def staff_accounts() -> list[tuple[int, str]]:
    """(id, username) of the admins and super admins, by username: the moderators (a short list)."""
    return list(User.objects.filter(role__in=STAFF_ROLES).order_by("username").values_list("pk", "username"))


def audited_tables() -> list[str]:
    """The tables that have an audit trigger (``trigger_audit_<table>``), by name.

    The copies PostgreSQL makes of a partitioned table's trigger on its partitions are left out:
    ``messages`` is listed, not ``messages_default``.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND t.tgparentid = 0 AND t.tgname LIKE %s ORDER BY 1",
            [r"trigger\_audit\_%"],
        )
        return [name for (name,) in cursor.fetchall()]


def fold(identifier: str) -> str:
    """How a login identifier is compared: NFKC, then case folded (one rule for usernames and emails).

    ``ALICE``, ``alice`` and the fullwidth ``alice`` (U+FF41...) fold to the same string.
    """
    return unicodedata.normalize("NFKC", identifier.strip()).casefold()


def user_for_login(identifier: str) -> User | None:
    """The account a login identifier names: the user whose username or email folds like it (:func:`fold`).

    The database narrows the candidates through the ``lower()`` indexes (``idx_users_username``,
    ``idx_users_email``), with the identifier folded and as typed (NFKC); Python then keeps those whose
    username or email folds exactly like the identifier. Usernames are stored in NFKC (Django normalizes
    them at sign-up), so every spelling that folds alike finds the same account. Should two accounts fold
    alike (names created before this rule), the one spelled exactly as typed wins, else the oldest.
    Deactivated accounts are found too: the caller decides what they may do.
    """
    if not identifier or not identifier.strip():
        return None
    key = fold(identifier)
    typed = unicodedata.normalize("NFKC", identifier.strip())
    spellings = sorted({key, typed.lower()})
    found = (
        User.objects.annotate(folded_username=Lower("username"), folded_email=Lower("email"))
        .filter(Q(folded_username__in=spellings) | Q(folded_email__in=spellings))
        .order_by("pk")[:10]
    )
    candidates = [user for user in found if key in (fold(user.username), fold(user.email))]
    if not candidates:
        return None
    exact = [user for user in candidates if typed.lower() in (user.username.lower(), user.email.lower())]
    return (exact or candidates)[0]
