"""Every state change of accounts: registration, login, passwords, profiles, verification, roles."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.contrib.auth.models import update_last_login
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.crypto import get_random_string

from accounts import credentials, tokens
from accounts.models import Role, User
from media.inspect import inspect_image
from veza import ratelimit
from veza.errors import Throttled

logger = logging.getLogger(__name__)

VERIFY_SALT = "accounts.email-verification"


class LoginThrottled(Throttled):
    what = "failed logins"


class RegistrationThrottled(Throttled):
    what = "sign-ups from this address"


class InvalidCredentials(Exception):
    """Unknown account, wrong password or inactive account: one answer for all three."""

    message = "Unable to log in with the given username and password."


# --- registration -------------------------------------------------------------


def _unique_errors(*, username: str, email: str) -> dict[str, list[str]]:
    errors = {}
    if username and User.objects.filter(username__iexact=username).exists():
        errors["username"] = ["A user with that username already exists."]
    if email and User.objects.filter(email__iexact=email).exists():
        errors["email"] = ["A user with that email address already exists."]
    return errors


def registration_validate(*, username: str, email: str, password: str) -> User:
    """Check a sign-up; raise one ValidationError holding every field's errors, or return the unsaved user."""
    user = User(username=username.strip(), email=User.objects.normalize_email(email.strip()), role=Role.USER)
    errors: dict[str, list[str]] = {}
    try:
        user.full_clean(exclude=["password"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for field, messages in _unique_errors(username=user.username, email=user.email).items():
        errors.setdefault(field, messages)
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        errors["password"] = list(exc.messages)
    if errors:
        raise ValidationError(errors)
    return user


def user_register(*, username: str, email: str, password: str, ip: str | None = None) -> User:
    """Create an account (role ``user``, unverified) and send its verification email after commit."""
    if ip:
        wait = ratelimit.retry_after("register-ip", ip, limit=settings.REGISTRATIONS_PER_IP)
        if wait:
            raise RegistrationThrottled(wait)
    user = registration_validate(username=username, email=email, password=password)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as exc:  # a concurrent sign-up took the name or address
        raise ValidationError(
            _unique_errors(username=user.username, email=user.email) or {"username": ["This account already exists."]}
        ) from exc
    if ip:
        ratelimit.hit("register-ip", ip, window=settings.REGISTRATION_WINDOW)
    transaction.on_commit(lambda: verification_email_send(user=user))
    return user


# --- login --------------------------------------------------------------------


def _login_wait(identifier: str, ip: str | None) -> int | None:
    waits = [ratelimit.retry_after("login-account", identifier.lower(), limit=settings.LOGIN_FAILURES_PER_ACCOUNT)]
    if ip:
        waits.append(ratelimit.retry_after("login-ip", ip, limit=settings.LOGIN_FAILURES_PER_IP))
    return max((w for w in waits if w), default=None)


def user_authenticate(*, request, identifier: str, password: str, ip: str | None) -> User:
    """Check credentials (username or email), throttling failures per account and per IP.

    Raises :class:`LoginThrottled` or :class:`InvalidCredentials`; records ``last_login_at`` on success.
    """
    wait = _login_wait(identifier, ip)
    if wait:
        raise LoginThrottled(wait)
    user = authenticate(request, username=identifier, password=password)
    if user is None:
        window = settings.LOGIN_FAILURE_WINDOW
        ratelimit.hit("login-account", identifier.lower(), window=window)
        if ip:
            ratelimit.hit("login-ip", ip, window=window)
        logger.info("failed login", extra={"ip": ip})
        raise InvalidCredentials(InvalidCredentials.message)
    ratelimit.reset("login-account", identifier.lower())
    update_last_login(None, user)
    return user


def user_login_tokens(*, request, identifier: str, password: str, ip: str | None) -> tuple[User, tokens.TokenPair]:
    """API login: authenticate, then issue an access + refresh pair."""
    user = user_authenticate(request=request, identifier=identifier, password=password, ip=ip)
    return user, tokens.token_pair_issue(user=user)


# --- passwords, activation, roles ------------------------------------------------


@transaction.atomic
def user_set_password(*, user: User, password: str) -> None:
    """Change the password (validated), revoke every refresh token of the account and end its sockets."""
    password_validation.validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password", "updated_at"])
    tokens.tokens_revoke_all(user=user)


class PasswordCheckThrottled(Throttled):
    what = "wrong passwords"


def user_change_password(*, user: User, current_password: str, new_password: str) -> None:
    """A user changes their own password, proving the current one (wrong ones are throttled per account).

    Like every password change, it revokes every refresh token of the account and ends its sockets.
    """
    wait = ratelimit.retry_after("password-check", str(user.pk), limit=settings.LOGIN_FAILURES_PER_ACCOUNT)
    if wait:
        raise PasswordCheckThrottled(wait)
    if not user.check_password(current_password):
        ratelimit.hit("password-check", str(user.pk), window=settings.LOGIN_FAILURE_WINDOW)
        raise ValidationError({"current_password": ["This is not your current password."]})
    try:
        user_set_password(user=user, password=new_password)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc


def _require_moderator(actor: User, user: User) -> None:
    """Moderators (admins, super admins) moderate accounts; only a super admin touches a super admin."""
    if not actor.is_staff:
        raise PermissionDenied("Only moderators can do this.")
    if user.role == Role.SUPER_ADMIN and not actor.is_superuser:
        raise PermissionDenied("Only a super admin can change a super admin.")


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """A moderator deactivates (revoking every refresh token and socket at once) or reactivates an account."""
    _require_moderator(actor, user)
    user.is_active = active
    user.save(update_fields=["is_active", "updated_at"])
    if not active:
        tokens.tokens_revoke_all(user=user)
    return user


@transaction.atomic
def user_mark_verified(*, actor: User, user: User) -> User:
    """A moderator marks an account as verified."""
    _require_moderator(actor, user)
    user.is_verified = True
    user.save(update_fields=["is_verified", "updated_at"])
    return user


@transaction.atomic
def user_moderate(*, actor: User, user: User, changed: list[str]) -> None:
    """Save a moderator's edit of ``user`` (admin site).

    Changing a role needs a super admin; deactivating revokes the account's refresh tokens at once.
    """
    _require_moderator(actor, user)
    if "role" in changed and not actor.has_perm("accounts.change_user_role"):
        raise PermissionDenied("Only a super admin can change roles.")
    user.save()
    if "is_active" in changed and not user.is_active:
        tokens.tokens_revoke_all(user=user)


def user_delete(*, actor: User, user: User) -> None:
    """Hard-delete an account: super admins only."""
    if not actor.has_perm("accounts.delete_user"):
        raise PermissionDenied("Only a super admin can delete accounts.")
    with transaction.atomic():
        credentials.credentials_revoke(user_id=user.pk)  # its sockets close once the deletion commits
        user.delete()


# --- profile --------------------------------------------------------------------

PROFILE_FIELDS = ("first_name", "last_name", "bio")


@transaction.atomic
def user_update_profile(*, user: User, **changes) -> User:
    """Update the profile fields a user may change themselves (never the role)."""
    unknown = set(changes) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError({field: ["This field cannot be changed."] for field in unknown})
    for field, value in changes.items():
        setattr(user, field, (value or "").strip() or None)
    user.full_clean(exclude=["password", "username", "email"], validate_unique=False, validate_constraints=False)
    user.save(update_fields=[*changes, "updated_at"])
    return user


def validate_avatar(upload: UploadedFile) -> str:
    """Check that ``upload`` is an image Veza accepts; return the file extension to store it with."""
    if upload.size > settings.AVATAR_MAX_BYTES:
        raise ValidationError({"avatar": [f"The image is larger than {settings.AVATAR_MAX_BYTES // 1_000_000} MB."]})
    try:
        found = inspect_image(upload)
    except ValidationError as exc:
        raise ValidationError({"avatar": exc.message_dict["file"]}) from exc
    return found.extension


def user_set_avatar(*, user: User, upload: UploadedFile | None) -> User:
    """Store a new avatar (or remove it with ``None``); the previous image is deleted after commit."""
    previous = user.avatar
    name = None
    if upload is not None:
        extension = validate_avatar(upload)
        name = default_storage.save(f"avatars/{user.pk}/{get_random_string(16)}{extension}", upload)
    try:
        with transaction.atomic():
            user.avatar = name
            user.save(update_fields=["avatar", "updated_at"])
    except Exception:
        if name:
            default_storage.delete(name)
        raise
    if previous and not previous.startswith(("http://", "https://", "/")):
        transaction.on_commit(lambda: default_storage.delete(previous))
    return user


# --- email verification -----------------------------------------------------------


def verification_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=VERIFY_SALT)


def verification_email_send(*, user: User) -> None:
    """Email the confirmation link, built on ``SITE_URL`` (never on a request's Host header)."""
    link = settings.SITE_URL.rstrip("/") + reverse("accounts:verify-email", args=[verification_token(user)])
    send_mail(
        subject="Confirm your email address on Veza",
        message=f"Hello {user.username},\n\nConfirm your email address by opening this link:\n{link}\n\n"
        f"The link is valid for {settings.EMAIL_VERIFICATION_DAYS} days.",
        from_email=None,
        recipient_list=[user.email],
    )


def user_verify_email(*, token: str) -> User:
    """Mark the account of a valid, unexpired link as verified (for the address it was sent to)."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=settings.EMAIL_VERIFICATION_DAYS * 86400)
    except signing.BadSignature as exc:
        raise ValidationError("This verification link is invalid or has expired.") from exc
    user = User.objects.filter(pk=data.get("user"), email=data.get("email")).first()
    if user is None:
        raise ValidationError("This verification link is invalid or has expired.")
    if not user.is_verified:
        user.is_verified = True
        user.save(update_fields=["is_verified", "updated_at"])
    return user
