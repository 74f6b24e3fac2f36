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

from accounts import credentials, login_guard, permissions, selectors, tokens
from accounts.models import Role, User, is_stored_avatar
from core import pagecache, ratelimit
from core.errors import Throttled
from core.uploads import inspect_image

logger = logging.getLogger(__name__)

VERIFY_SALT = "accounts.email-verification"


# The login rule lives in accounts.login_guard; its errors are part of this module's interface too.
LoginThrottled = login_guard.LoginThrottled
InvalidCredentials = login_guard.InvalidCredentials


class RegistrationThrottled(Throttled):
    what = "sign-up attempts from this address"


class MailThrottled(Throttled):
    what = "requests for emails"


# --- registration -------------------------------------------------------------


def _unique_errors(*, username: str, email: str) -> dict[str, list[str]]:
    errors = {}
    # Compared as logins compare them (NFKC, casefold): no second account that a login could mistake for it.
    if username and selectors.user_for_login(username) is not None:
        errors["username"] = ["A user with that username already exists."]
    if email and (selectors.user_for_login(email) is not None or User.objects.filter(email__iexact=email).exists()):
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


def registration_attempt(*, ip: str | None) -> None:
    """Count one sign-up attempt from ``ip``, successful or not; raise :class:`RegistrationThrottled` when the
    address has used up ``REGISTRATIONS_PER_IP`` attempts within ``REGISTRATION_WINDOW`` seconds.

    Every sign-up (page and API) calls it first, before the form is even validated: a failed attempt
    (a taken name, a weak password) costs as much as a successful one.
    """
    if not ip:
        return
    wait = ratelimit.consume(
        "register-ip", ip, limit=settings.REGISTRATIONS_PER_IP, window=settings.REGISTRATION_WINDOW
    )
    if wait:
        raise RegistrationThrottled(wait)


def user_register(*, username: str, email: str, password: str) -> User:
    """Create an account (role ``user``, unverified) and send its verification email after commit.

    The caller has counted the attempt with :func:`registration_attempt`.
    """
    user = registration_validate(username=username, email=email, password=password)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
            pagecache.changed(pagecache.PEOPLE)
    except IntegrityError as exc:  # a concurrent sign-up took the name or address
        raise ValidationError(
            _unique_errors(username=user.username, email=user.email) or {"username": ["This account already exists."]}
        ) from exc
    transaction.on_commit(lambda: verification_email_send(user=user))
    return user


# --- login --------------------------------------------------------------------


def user_authenticate(*, request, identifier: str, password: str, ip: str | None) -> User:
    """Check a password login (username or email) under the login rule (:mod:`accounts.login_guard`).

    Raises :class:`LoginThrottled` or :class:`InvalidCredentials`; records ``last_login_at`` on success.
    """
    user = login_guard.attempt(
        identifier=identifier,
        ip=ip,
        check=lambda: authenticate(request, username=identifier, password=password),
    )
    update_last_login(type(user), user)
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


def user_change_password(*, user: User, current_password: str, new_password: str, ip: str | None = None) -> None:
    """A user changes their own password, proving the current one: wrong ones count as failed logins
    (:func:`accounts.login_guard.prove`, per account and per IP, 429 past the limit).

    Like every password change, it revokes every refresh token of the account and ends its sockets.
    """
    try:
        login_guard.prove(user=user, ip=ip, check=lambda: user.check_password(current_password))
    except login_guard.InvalidCredentials as exc:
        raise ValidationError({"current_password": ["This is not your current password."]}) from exc
    try:
        user_set_password(user=user, password=new_password)
    except ValidationError as exc:
        raise ValidationError({"new_password": exc.messages}) from exc


def _require_moderator(actor: User, user: User) -> None:
    """:func:`accounts.permissions.can_moderate_user`, or PermissionDenied saying why."""
    if not permissions.can_moderate_user(actor, user):
        if not actor.is_staff:
            raise PermissionDenied("Only moderators can do this.")
        raise PermissionDenied("Only a super admin can change a super admin.")


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """A moderator deactivates (revoking every refresh token and socket at once) or reactivates an account."""
    _require_moderator(actor, user)
    user.is_active = active
    user.save(update_fields=["is_active", "updated_at"])
    pagecache.changed(pagecache.PEOPLE)
    if not active:
        tokens.tokens_revoke_all(user=user)
    return user


@transaction.atomic
def user_mark_verified(*, actor: User, user: User) -> User:
    """A moderator marks an account as verified."""
    _require_moderator(actor, user)
    user.is_verified = True
    user.save(update_fields=["is_verified", "updated_at"])
    pagecache.changed(pagecache.PEOPLE)
    return user


@transaction.atomic
def user_moderate(*, actor: User, user: User, changed: list[str]) -> None:
    """Save a moderator's edit of ``user`` (admin site).

    What is saved is compared with the stored row (not only with the fields a form says it changed, so
    a crafted POST is held to the same rules):

    - changing a role needs a super admin;
    - nobody changes an avatar here: an avatar is an image its owner uploads;
    - only a super admin changes an email address or a password, and changing the address clears
      ``is_verified`` and mails both the old and the new address (links on ``SITE_URL``);
    - deactivating revokes the account's refresh tokens at once.
    """
    _require_moderator(actor, user)
    stored = User.objects.select_for_update().get(pk=user.pk)
    if ("role" in changed or user.role != stored.role) and not permissions.can_change_roles(actor):
        raise PermissionDenied("Only a super admin can change roles.")
    if user.avatar != stored.avatar:
        raise PermissionDenied("An avatar is an image its owner uploads: it cannot be set in the console.")
    if user.password != stored.password and not permissions.can_change_credentials(actor):
        raise PermissionDenied("Only a super admin can change another person's password.")
    email_changed = user.email != stored.email
    if email_changed:
        if not permissions.can_change_credentials(actor):
            raise PermissionDenied("Only a super admin can change another person's email address.")
        user.email = User.objects.normalize_email(user.email)
        user.is_verified = False
    user.save()
    pagecache.changed(pagecache.PEOPLE)
    if "is_active" in changed and not user.is_active:
        tokens.tokens_revoke_all(user=user)
    if email_changed:
        old_address = stored.email
        transaction.on_commit(lambda: email_change_notify(user=user, old_address=old_address))


def email_change_notify(*, user: User, old_address: str) -> None:
    """Tell the old address that the account's email changed, and send the new one its confirmation link."""
    site = settings.SITE_URL.rstrip("/")
    send_mail(
        subject="The email address of your Veza account was changed",
        message=f"Hello {user.username},\n\nA moderator changed the email address of your Veza account from "
        f"{old_address} to {user.email}.\n\nIf you did not ask for it, answer this email or choose a new "
        f"password:\n{site}{reverse('accounts:password-reset')}",
        from_email=None,
        recipient_list=[old_address],
    )
    verification_email_send(user=user)


def user_delete(*, actor: User, user: User) -> None:
    """Hard-delete an account: super admins only."""
    if not permissions.can_delete_users(actor):
        raise PermissionDenied("Only a super admin can delete accounts.")
    with transaction.atomic():
        credentials.credentials_revoke(user_id=user.pk)  # its sockets close once the deletion commits
        user.delete()
        pagecache.changed(*pagecache.TOPICS)


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
    pagecache.changed(pagecache.PEOPLE)
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
    """Store a new avatar (or remove it with ``None``); the previous image is deleted after commit.

    The only way an avatar is set: ``users.avatar`` only ever names an image uploaded here and stored by
    Veza (:func:`accounts.models.is_stored_avatar`), never an external URL.
    """
    previous = user.avatar
    name = None
    if upload is not None:
        extension = validate_avatar(upload)
        name = default_storage.save(f"avatars/{user.pk}/{get_random_string(16)}{extension}", upload)
    try:
        if name is not None and not is_stored_avatar(name):
            raise ValidationError({"avatar": ["The image could not be stored."]})
        with transaction.atomic():
            user.avatar = name
            user.save(update_fields=["avatar", "updated_at"])
            pagecache.changed(pagecache.PEOPLE)
    except Exception:
        if name:
            default_storage.delete(name)
        raise
    if previous and is_stored_avatar(previous):  # never a value left by the earlier platform (an external URL)
        stale: str = previous
        transaction.on_commit(lambda: default_storage.delete(stale))
    return user


# --- account emails: limits ------------------------------------------------------------

MAIL_KINDS = ("password-reset", "verification")


def mail_request(*, kind: str, ip: str | None) -> None:
    """Count one request for an account email of ``kind`` from ``ip``; raise :class:`MailThrottled` once
    the address has made ``ACCOUNT_MAIL_REQUESTS_PER_IP`` within ``ACCOUNT_MAIL_WINDOW`` seconds.

    Counted whether or not an account matches, so the answer tells nothing about who has an account.
    """
    if kind not in MAIL_KINDS:
        raise ValueError(f"Unknown account mail kind: {kind!r}.")
    if not ip:
        return
    wait = ratelimit.consume(
        f"mail-{kind}-ip", ip, limit=settings.ACCOUNT_MAIL_REQUESTS_PER_IP, window=settings.ACCOUNT_MAIL_WINDOW
    )
    if wait:
        raise MailThrottled(wait)


def mail_wait(*, kind: str, user: User) -> int | None:
    """Seconds before ``user`` may be sent another email of ``kind``, or None when one may go now."""
    return ratelimit.retry_after(f"mail-{kind}-account", str(user.pk), limit=settings.ACCOUNT_MAILS_PER_ACCOUNT)


def mail_allowed(*, kind: str, user: User) -> bool:
    """Whether one more email of ``kind`` may go to ``user`` (``ACCOUNT_MAILS_PER_ACCOUNT`` per
    ``ACCOUNT_MAIL_WINDOW``); when it may, it is counted."""
    if kind not in MAIL_KINDS:
        raise ValueError(f"Unknown account mail kind: {kind!r}.")
    if mail_wait(kind=kind, user=user):
        return False
    ratelimit.hit(f"mail-{kind}-account", str(user.pk), window=settings.ACCOUNT_MAIL_WINDOW)
    return True


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


def verification_email_resend(*, user: User, ip: str | None) -> None:
    """Send the confirmation link again, within the limits per client IP and per account
    (raises :class:`MailThrottled` with the wait)."""
    mail_request(kind="verification", ip=ip)
    wait = mail_wait(kind="verification", user=user)
    if wait:
        raise MailThrottled(wait)
    mail_allowed(kind="verification", user=user)
    verification_email_send(user=user)


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
