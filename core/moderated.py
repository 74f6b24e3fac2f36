"""The moderation state shared by files, tracks, products, listings and rooms.

A moderator hides an item (a room: closes it) with a reason; that is a state of its own, beside the
owner's fields (``is_public``, ``is_active``, ``status``, ``is_private``), which the owner keeps but
which no longer decide alone. Only staff set and lift it (each app's ``*_hide`` / ``*_restore``
services); every owner-facing write refuses a moderated item (except deleting it), and every read
(lists, details, search, streaming, signed URLs, sockets) leaves it out for everyone but its owner,
who sees it flagged with the reason, and staff.

The columns (added to the seed schema, see docs/architecture.md): ``moderated_at`` (set: hidden),
``moderated_by_id`` (users, ON DELETE SET NULL) and ``moderation_reason`` (non-empty exactly when
``moderated_at`` is set, a CHECK constraint).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import migrations, models
from django.db.models import Q
from django.utils import timezone

from core.db import foreign_key

REASON_MAX = 1000


class Moderated(models.Model):
    """Abstract: the three moderation columns. Add :func:`moderation_constraints` to ``Meta``."""

    moderated_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="Set while moderators hide the item."
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,
    )
    moderation_reason = models.TextField(null=True, blank=True, editable=False)  # noqa: DJ001

    class Meta:
        abstract = True

    @property
    def is_moderated(self) -> bool:
        return self.moderated_at is not None


def moderation_constraints(table: str) -> list:
    """The CHECK (a reason exactly when hidden) and a partial index of hidden rows (the console's filter)."""
    return [
        models.CheckConstraint(
            condition=Q(moderated_at__isnull=True, moderation_reason__isnull=True)
            | Q(moderated_at__isnull=False, moderation_reason__isnull=False, moderation_reason__regex=r"\S"),
            name=f"ck_{table}_moderation_reason",
        ),
    ]


def moderation_index(table: str) -> models.Index:
    return models.Index(fields=["moderated_at"], condition=Q(moderated_at__isnull=False), name=f"idx_{table}_moderated")


def moderated_by_foreign_key(table: str) -> migrations.RunSQL:
    return foreign_key(table, "moderated_by_id", "users", name=f"fk_{table}_moderated_by_id", on_delete="SET NULL")


def unmoderated(prefix: str = "") -> Q:
    """Rows not hidden by moderators (``prefix``: the path to a related row, e.g. ``"file__"``)."""
    return Q(**{f"{prefix}moderated_at__isnull": True})


def clean_reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationError({"reason": ["Give the reason: the owner reads it."]})
    if len(text) > REASON_MAX:
        raise ValidationError({"reason": [f"A reason has at most {REASON_MAX} characters."]})
    return text


def is_moderator(user) -> bool:
    """Site moderators (staff): they see, change and lift what moderators hid; anyone else does not."""
    return user.is_authenticated and user.is_staff


def owner_or_moderator(user, owner_id: int | None) -> bool:
    """The owner of an item (``owner_id``: its owner's user id) or a site moderator."""
    return user.is_authenticated and (user.pk == owner_id or user.is_staff)


def may_change(user, owner_id: int | None, obj: Moderated) -> bool:
    """The owner while moderators have not hidden ``obj``, and moderators: who changes an owned item."""
    return owner_or_moderator(user, owner_id) and (user.is_staff or obj.moderated_at is None)


def owner_or_permitted(user, owner_id: int | None, permission: str) -> bool:
    """The owner, or a user with ``permission`` (deleting: among moderators, super admins only)."""
    return user.is_authenticated and (user.pk == owner_id or user.has_perm(permission))


def require_staff(actor) -> None:
    if not is_moderator(actor):
        raise PermissionDenied("Only moderators can hide or restore content.")


def refuse_if_moderated(actor, obj: Moderated, *, what: str = "This item") -> None:
    """The owner-facing services' guard: a moderated item changes only through staff."""
    if obj.moderated_at is not None and not is_moderator(actor):
        raise PermissionDenied(
            f"{what} is hidden by moderation ({obj.moderation_reason}); only moderators can change it."
        )


FIELDS = ["moderated_at", "moderated_by", "moderation_reason", "updated_at"]


def hide(obj: Moderated, *, actor, reason: str) -> None:
    """A moderator hides ``obj`` (saved) with ``reason``, which its owner reads; staff only."""
    require_staff(actor)
    text = clean_reason(reason)
    obj.moderated_at, obj.moderated_by, obj.moderation_reason = timezone.now(), actor, text
    obj.save(update_fields=FIELDS)


def restore(obj: Moderated, *, actor) -> None:
    """A moderator lifts the hiding of ``obj`` (saved); staff only."""
    require_staff(actor)
    obj.moderated_at = obj.moderated_by = obj.moderation_reason = None
    obj.save(update_fields=FIELDS)


def payload(moderated_at, reason) -> dict | None:
    """What owners and staff read (``moderation`` in the API): null, or when and why."""
    if moderated_at is None:
        return None
    return {"hidden": True, "reason": reason, "moderated_at": moderated_at}
