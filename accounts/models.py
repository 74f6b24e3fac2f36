"""Users (``users``) and the audit trail (``audit_logs``)."""

from __future__ import annotations

import re
import uuid

from django.contrib.auth import hashers
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.validators import MinLengthValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower, Now
from django.urls import reverse
from django.utils import timezone

from core.db import length_between, one_of


class Role(models.TextChoices):
    USER = "user", "User"
    ADMIN = "admin", "Admin (moderator)"
    SUPER_ADMIN = "super_admin", "Super admin"


STAFF_ROLES = frozenset({Role.ADMIN, Role.SUPER_ADMIN})
# Hashes written by the earlier Veza platform: bare bcrypt, without Django's "bcrypt$" prefix.
LEGACY_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
# Only super admins may do these; admins moderate everything else (they hide, deactivate, archive and
# close instead of deleting; deleting messages and removing room members is moderation, open to admins).
SUPER_ADMIN_PERMISSIONS = frozenset(
    {
        "accounts.change_user_role",
        "accounts.delete_user",
        "accounts.delete_refreshtoken",
        "rooms.delete_room",
        "media.delete_file",
        "catalog.delete_track",
        "marketplace.delete_product",
        "marketplace.delete_listing",
    }
)

# Where accounts.services.user_set_avatar stores avatars: avatars/<user id>/<random>.<extension>.
STORED_AVATAR = re.compile(r"avatars/\d+/\w+\.(jpg|png|webp|gif)", re.ASCII)


def is_stored_avatar(value: str | None) -> bool:
    """Whether ``value`` names an avatar image uploaded to Veza's storage (never an external URL)."""
    return bool(value) and STORED_AVATAR.fullmatch(value) is not None


username_validator = RegexValidator(
    r"^[\w.-]+\Z",
    "A username may contain only letters, digits and the characters _ . -",
    code="invalid_username",
)


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, username: str, email: str, password: str | None, **fields):
        if not username:
            raise ValueError("A username is required.")
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(username=username, email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, username: str, email: str, password: str | None = None, **fields):
        fields.setdefault("role", Role.USER)
        return self._create_user(username, email, password, **fields)

    def create_superuser(self, username: str, email: str, password: str | None = None, **fields):
        fields["role"] = Role.SUPER_ADMIN
        fields.setdefault("is_verified", True)
        return self._create_user(username, email, password, **fields)

    def get_by_natural_key(self, username: str):
        """Usernames are unique case-insensitively (``idx_users_username``)."""
        return self.get(username__iexact=username)


class User(AbstractBaseUser):
    """A Veza account: the ``users`` table of the schema, used as ``AUTH_USER_MODEL``.

    Django's ``is_staff`` / ``is_superuser`` are derived from ``role``.
    """

    username = models.CharField(
        max_length=50,
        validators=[username_validator, MinLengthValidator(3)],
        help_text="3 to 50 characters: letters, digits and _ . - only.",
    )
    email = models.EmailField(max_length=255)
    password = models.CharField("password", max_length=255, db_column="password_hash")
    first_name = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    last_name = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    bio = models.TextField(null=True, blank=True)  # noqa: DJ001
    avatar = models.CharField(max_length=500, null=True, blank=True)  # noqa: DJ001
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.USER, db_default=Role.USER)
    is_active = models.BooleanField(default=True, db_default=True)
    is_verified = models.BooleanField(default=False, db_default=False)
    last_login = models.DateTimeField("last login", null=True, blank=True, db_column="last_login_at")
    created_at = models.DateTimeField(default=timezone.now, db_default=Now(), editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_default=Now())

    objects = UserManager()

    USERNAME_FIELD = "username"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["email"]

    class Meta:
        db_table = "users"
        ordering = ["username"]
        constraints = [
            models.UniqueConstraint(fields=["username"], name="uk_users_username"),
            models.UniqueConstraint(fields=["email"], name="uk_users_email"),
            models.UniqueConstraint(Lower("username"), name="idx_users_username"),
            models.UniqueConstraint(Lower("email"), name="idx_users_email"),
            length_between("username", 3, 50, name="ck_users_username_length"),
            models.CheckConstraint(
                condition=models.Q(email__regex=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
                name="ck_users_email_format",
            ),
            models.CheckConstraint(condition=~models.Q(password=""), name="ck_users_password_hash"),
            one_of("role", Role, name="ck_users_role"),
        ]
        indexes = [
            models.Index(fields=["role"], name="idx_users_role"),
            models.Index(fields=["created_at"], name="idx_users_created_at"),
        ]

    def __str__(self) -> str:
        return self.username

    def get_absolute_url(self) -> str:
        return reverse("admin:accounts_user_change", args=[self.pk])

    @property
    def is_staff(self) -> bool:
        """Admins and super admins reach the moderation console."""
        return self.is_active and self.role in STAFF_ROLES

    @property
    def is_superuser(self) -> bool:
        return self.is_active and self.role == Role.SUPER_ADMIN

    def has_perm(self, perm: str, obj=None) -> bool:
        if perm in SUPER_ADMIN_PERMISSIONS:
            return self.is_superuser
        return self.is_staff

    def has_perms(self, perm_list, obj=None) -> bool:
        return all(self.has_perm(perm, obj) for perm in perm_list)

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff

    def check_password(self, raw_password: str) -> bool:
        """Verify ``raw_password``; a legacy bare bcrypt hash is verified, then upgraded on success."""
        encoded = self.password
        if encoded.startswith(LEGACY_BCRYPT_PREFIXES):
            # $2y$ (PHP) and $2a$ hashes are the same algorithm as $2b$.
            encoded = "bcrypt$$2b$" + encoded[4:]

        def upgrade(raw: str) -> None:
            self.set_password(raw)
            self._password = None
            self.save(update_fields=["password"])

        return hashers.check_password(raw_password, encoded, upgrade)

    @property
    def avatar_url(self) -> str | None:
        """The URL of the avatar image Veza stores; None without one, or for a value that is not an image
        Veza stored (an external URL left by the earlier platform is never shown)."""
        if not is_stored_avatar(self.avatar):
            return None
        from django.core.files.storage import default_storage

        return default_storage.url(self.avatar)

    def get_full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part) or self.username

    def get_short_name(self) -> str:
        return self.first_name or self.username


class AuditAction(models.TextChoices):
    INSERT = "INSERT"
    UPDATE = "UPDATE"
    DELETE = "DELETE"


class AuditLog(models.Model):
    """One row per change of an audited table, written by database triggers only."""

    table_name = models.CharField(max_length=50)
    record_id = models.BigIntegerField()
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    old_values = models.JSONField(null=True, blank=True)
    new_values = models.JSONField(null=True, blank=True)
    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_index=False,
        related_name="+",
        help_text="The acting user, when the change came through an authenticated request.",
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_default=Now())

    class Meta:
        db_table = "audit_logs"
        ordering = ["-created_at", "-id"]
        constraints = [one_of("action", AuditAction, name="ck_audit_logs_action")]
        indexes = [
            models.Index(fields=["table_name", "record_id"], name="idx_audit_logs_record"),
            models.Index(fields=["user"], name="idx_audit_logs_user_id"),
            models.Index(fields=["created_at"], name="idx_audit_logs_created_at"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.table_name}#{self.record_id}"


class RefreshTokenQuerySet(models.QuerySet):
    def live(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=Now())


class RefreshToken(models.Model):
    """An issued refresh token. ``token`` holds the SHA-256 hash of the JWT, never the JWT itself.

    Tokens issued by rotation share their ``family`` with the login that started it; presenting a
    revoked token revokes its whole family (RFC 6819, 5.2.2.3).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens", db_index=False)
    token = models.CharField(max_length=255)
    expires_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now, db_default=Now())
    family = models.UUIDField(default=uuid.uuid4, help_text="Shared by every token rotated from the same login.")
    revoked_at = models.DateTimeField(null=True, blank=True, help_text="Set when rotated, logged out or revoked.")

    objects = RefreshTokenQuerySet.as_manager()

    class Meta:
        db_table = "refresh_tokens"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["token"], name="uk_refresh_tokens_token"),
            # A covering twin of uk_refresh_tokens_token: a refresh is checked by an index-only scan.
            models.UniqueConstraint(fields=["token"], include=["user", "expires_at"], name="idx_refresh_tokens_token"),
            models.CheckConstraint(
                condition=models.Q(expires_at__gt=models.F("created_at")),
                name="ck_refresh_tokens_expires_at",
            ),
            length_between("token", 1, 255, name="ck_refresh_tokens_token_length"),
        ]
        indexes = [
            models.Index(fields=["user"], name="idx_refresh_tokens_user_id"),
            models.Index(fields=["expires_at"], name="idx_refresh_tokens_expires_at"),
            models.Index(fields=["family"], name="idx_refresh_tokens_family"),
        ]

    def __str__(self) -> str:
        return f"refresh token #{self.pk} of user #{self.user_id}"
