"""Refresh tokens: JWTs from djangorestframework-simplejwt, remembered in ``refresh_tokens`` by hash.

- Each issued refresh token gets one row: the SHA-256 of the token, its expiry and its family.
- Refreshing rotates: the presented token is revoked and a new one of the same family is issued.
- Presenting a revoked token (already rotated, or logged out) revokes the whole family, so a thief's
  copy and the victim's both stop working (RFC 6819, section 5.2.2.3).
- Revoking a family, or every token of an account, also ends the account's live sockets
  (:mod:`accounts.credentials`).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import RefreshToken as JWTRefreshToken

from accounts.credentials import credentials_revoke
from accounts.models import RefreshToken, User


class TokenRejected(Exception):
    """The refresh token is invalid, expired, revoked or belongs to an inactive account."""


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _issue(user: User, family: uuid.UUID) -> TokenPair:
    refresh = JWTRefreshToken.for_user(user)
    RefreshToken.objects.create(
        user=user,
        token=token_hash(str(refresh)),
        family=family,
        created_at=timezone.now(),
        expires_at=datetime.fromtimestamp(refresh["exp"], tz=UTC),
    )
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh))


def token_pair_issue(*, user: User) -> TokenPair:
    """A new access + refresh pair starting a new family (a login)."""
    return _issue(user, uuid.uuid4())


def _decode(raw: str) -> JWTRefreshToken:
    try:
        return JWTRefreshToken(raw)
    except TokenError as exc:
        raise TokenRejected("The refresh token is invalid or expired.") from exc


def token_refresh(*, raw: str) -> TokenPair:
    """Exchange a live refresh token for a new pair (rotation).

    Presenting a revoked token revokes its whole family, committed before the refusal, and ends the
    account's live sockets.
    """
    _decode(raw)
    with transaction.atomic():
        row = RefreshToken.objects.select_for_update().select_related("user").filter(token=token_hash(raw)).first()
        if row is None:
            raise TokenRejected("The refresh token is invalid or expired.")
        now = timezone.now()
        if row.revoked_at is None:
            if row.expires_at <= now or not row.user.is_active:
                raise TokenRejected("The refresh token is invalid or expired.")
            row.revoked_at = now
            row.save(update_fields=["revoked_at"])
            return _issue(row.user, row.family)
        RefreshToken.objects.filter(family=row.family, revoked_at__isnull=True).update(revoked_at=now)
        credentials_revoke(user_id=row.user_id)
    raise TokenRejected("The refresh token was already used: every token of its session is now revoked.")


def token_revoke(*, raw: str, caller: User | None = None) -> User:
    """Revoke one refresh token (logout); returns its owner.

    With a ``caller`` (the authenticated user logging out), a token of anyone else is refused exactly like
    an unknown token, and nothing is revoked.
    """
    _decode(raw)
    row = RefreshToken.objects.select_related("user").filter(token=token_hash(raw)).first()
    if row is None or (caller is not None and row.user_id != caller.pk):
        raise TokenRejected("The refresh token is invalid or expired.")
    RefreshToken.objects.filter(pk=row.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return row.user


def tokens_revoke_all(*, user: User) -> int:
    """Revoke every live refresh token of ``user`` and end their live sockets ("log out everywhere")."""
    credentials_revoke(user_id=user.pk)
    return RefreshToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


def token_delete(*, actor: User, token: RefreshToken) -> None:
    """A super admin deletes a token's row (with an account, say): the token is refused from then on."""
    if not actor.has_perm("accounts.delete_refreshtoken"):
        raise PermissionDenied("Only a super admin can delete refresh tokens.")
    token.delete()


def tokens_purge_expired(*, batch_size: int = 1000) -> int:
    """Delete expired rows in batches; returns how many were deleted."""
    deleted = 0
    while True:
        ids = list(
            RefreshToken.objects.filter(expires_at__lte=timezone.now()).values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return deleted
        deleted += RefreshToken.objects.filter(id__in=ids).delete()[0]


def user_from_access_token(raw: str) -> User | None:
    """The active user of a valid access token (the WebSocket ``?token=``), else None."""
    from rest_framework_simplejwt.authentication import JWTAuthentication
    from rest_framework_simplejwt.exceptions import AuthenticationFailed, InvalidToken

    authentication = JWTAuthentication()
    try:
        return authentication.get_user(authentication.get_validated_token(raw.encode()))
    except (InvalidToken, AuthenticationFailed, TokenError):
        return None
