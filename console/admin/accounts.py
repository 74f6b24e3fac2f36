import datetime
import json
import re
from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from accounts import permissions, selectors, services, tokens
from accounts.models import AuditLog, RefreshToken, User
from console.moderation import ModerationAdmin, moderation_action, switch_actions


@admin.register(User)
class UserAdmin(ModerationAdmin):
    list_display = ("username", "email", "role", "is_active", "is_verified", "last_login", "created_at")
    list_filter = ("role", "is_active", "is_verified")
    search_fields = ("username", "email", "first_name", "last_name")
    date_hierarchy = "created_at"
    ordering = ("username",)
    # The avatar is shown, never edited (an avatar is an image its owner uploads); only a super admin edits
    # an email address (services.user_moderate refuses the rest, even in a crafted POST). No password field.
    readonly_fields = ("avatar_image", "last_login", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("username", "email", "role", "is_active", "is_verified")}),
        ("Profile", {"fields": ("first_name", "last_name", "bio", "avatar_image")}),
        ("Dates", {"fields": ("last_login", "created_at", "updated_at")}),
    )
    actions = ("deactivate", "reactivate", "mark_verified")

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not permissions.can_change_roles(request.user):
            fields.append("role")
        if not permissions.can_change_credentials(request.user):
            fields.append("email")
        return fields

    @admin.display(description="avatar")
    def avatar_image(self, obj: User) -> str:
        url = obj.avatar_url
        if not url:
            return "—"
        return format_html('<img src="{}" alt="" width="96" height="96" style="object-fit: cover">', url)

    def has_change_permission(self, request, obj=None):
        """Admins moderate users; only a super admin edits a super admin."""
        if obj is not None and not permissions.can_moderate_user(request.user, obj):
            return False
        return super().has_change_permission(request, obj)

    def save_object(self, request, obj, form, change):
        services.user_moderate(actor=request.user, user=obj, changed=form.changed_data)

    def delete_object(self, request, obj):
        services.user_delete(actor=request.user, user=obj)

    deactivate, reactivate = switch_actions(
        ("Deactivate the selected accounts", "Deactivated"),
        ("Reactivate the selected accounts", "Reactivated"),
        lambda actor, user, on: services.user_set_active(actor=actor, user=user, active=on),
    )
    mark_verified = moderation_action(
        "Mark the selected accounts as verified",
        "Marked as verified",
        lambda actor, u: services.user_mark_verified(actor=actor, user=u),
    )


@admin.register(RefreshToken)
class RefreshTokenAdmin(ModerationAdmin):
    """Issued refresh tokens, view only (super admins may delete them); the stored hash is never shown."""

    list_display = ("id", "user", "family", "created_at", "expires_at", "revoked_at")
    list_select_related = ("user",)
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    search_fields = ("user__username",)
    date_hierarchy = "created_at"
    fields = ("user", "family", "created_at", "expires_at", "revoked_at")
    readonly_fields = fields

    def has_change_permission(self, request, obj=None):
        return False

    def delete_object(self, request, obj):
        tokens.token_delete(actor=request.user, token=obj)


# --- the audit trail -------------------------------------------------------------------------------

SENSITIVE_COLUMN = re.compile(r"(^|_)(password|token|secret)(_|$)|_hash$")
HIDDEN = "•••••• (hidden)"
ABSENT = object()


def _shown(column: str, value) -> str:
    """How one audited value is shown: never the value of a secret column; JSON for non-strings."""
    if value is ABSENT:
        return ""
    if SENSITIVE_COLUMN.search(column) and value is not None:
        return HIDDEN
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _as_id(text: str | None) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() and len(text) < 19 else None


def audit_diff(log: AuditLog) -> list[tuple[str, str, str, bool]]:
    """(column, old, new, changed) for every column of the row; ``changed`` only makes sense for UPDATE."""
    old, new = log.old_values or {}, log.new_values or {}
    both = log.old_values is not None and log.new_values is not None
    rows = []
    for column in sorted(old.keys() | new.keys()):
        before, after = old.get(column, ABSENT), new.get(column, ABSENT)
        rows.append((column, _shown(column, before), _shown(column, after), both and before != after))
    return rows


def _changelist_filtered(**params) -> str:
    return reverse("admin:accounts_auditlog_changelist") + "?" + urlencode(params)


class ActorFilter(admin.SimpleListFilter):
    """Who made the change: one of the moderators, nobody (no signed-in user), or any user by id."""

    title = "acting user"
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        return [("none", "nobody (no signed-in user)"), *((str(pk), name) for pk, name in selectors.staff_accounts())]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(user__isnull=True)
        user_id = _as_id(self.value())
        return queryset if user_id is None else queryset.filter(user_id=user_id)


class TableFilter(admin.SimpleListFilter):
    """The audited tables, read from their triggers (no scan of the audit trail)."""

    title = "table"
    parameter_name = "table_name"

    def lookups(self, request, model_admin):
        return [(table, table) for table in selectors.audited_tables()]

    def queryset(self, request, queryset):
        return queryset.filter(table_name=self.value()) if self.value() else queryset


class DateRangeFilter(admin.ListFilter):
    """Changes made from one day to another, both included (``?since=YYYY-MM-DD&until=YYYY-MM-DD``).

    Days are read in the site's time zone; either end may be left out. A date that does not parse is
    refused as a bad filter (the console shows its "incorrect lookup" notice).
    """

    title = "date range"
    template = "admin/accounts/date_range_filter.html"
    field = "created_at"
    parameters = ("since", "until")

    def __init__(self, request, params, model, model_admin):
        super().__init__(request, params, model, model_admin)
        for name in self.parameters:
            if name in params:
                value = params.pop(name)
                self.used_parameters[name] = value[-1] if isinstance(value, list) else value
        self.days = {}
        for name, text in self.used_parameters.items():
            if text.strip():
                try:
                    self.days[name] = datetime.date.fromisoformat(text.strip())
                except ValueError as exc:
                    raise IncorrectLookupParameters(f"{name}: not a date (YYYY-MM-DD).") from exc

    def has_output(self):
        return True

    def expected_parameters(self):
        return list(self.parameters)

    def queryset(self, request, queryset):
        zone = timezone.get_current_timezone()
        if "since" in self.days:
            start = datetime.datetime.combine(self.days["since"], datetime.time.min, tzinfo=zone)
            queryset = queryset.filter(**{f"{self.field}__gte": start})
        if "until" in self.days:
            next_day = self.days["until"] + datetime.timedelta(days=1)
            end = datetime.datetime.combine(next_day, datetime.time.min, tzinfo=zone)
            queryset = queryset.filter(**{f"{self.field}__lt": end})
        return queryset

    def choices(self, changelist):
        """One choice: the form, its current values and the other filters of the page kept as hidden fields."""
        kept = [
            (name, value)
            for name, values in changelist.get_filters_params().items()
            if name not in self.parameters
            for value in (values if isinstance(values, list) else [values])
        ]
        if changelist.query:
            kept.append(("q", changelist.query))
        yield {
            "since": self.used_parameters.get("since", ""),
            "until": self.used_parameters.get("until", ""),
            "kept": kept,
            "clear_link": changelist.get_query_string(remove=list(self.parameters)),
        }


@admin.register(AuditLog)
class AuditLogAdmin(ModerationAdmin):
    """The audit trail is written by database triggers only: view only, for every role.

    The detail page shows old and new values side by side, changed columns marked; secret columns
    (password and token hashes) are masked, and every value is escaped (it is user content).
    """

    list_display = ("created_at", "action", "table_name", "record", "actor", "ip_address", "changed_columns")
    list_filter = (DateRangeFilter, TableFilter, "action", ActorFilter)
    list_select_related = ("user",)
    search_fields = ("user__username",)
    search_help_text = "A username, or a record id."
    date_hierarchy = "created_at"
    fields = ("created_at", "action", "table_name", "record", "actor", "ip_address", "changes")
    readonly_fields = fields

    class Media:
        css = {"all": ("css/admin-audit.css",)}  # noqa: RUF012

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        record_id = _as_id(search_term)
        if record_id is not None:
            return queryset.filter(Q(record_id=record_id) | Q(user__username__iexact=search_term.strip())), False
        return super().get_search_results(request, queryset, search_term)

    @admin.display(description="record", ordering="record_id")
    def record(self, obj: AuditLog) -> str:
        link = _changelist_filtered(table_name=obj.table_name, record_id=obj.record_id)
        return format_html('<a href="{}" title="Every change of this row">{}</a>', link, obj.record_id)

    @admin.display(description="acting user", ordering="user__username")
    def actor(self, obj: AuditLog) -> str:
        if obj.user_id is None:
            return "—"
        link = _changelist_filtered(actor=obj.user_id)
        return format_html('<a href="{}" title="Every change by this user">{}</a>', link, obj.user)

    @admin.display(description="changed")
    def changed_columns(self, obj: AuditLog) -> str:
        return ", ".join(column for column, _old, _new, changed in audit_diff(obj) if changed)

    @admin.display(description="values")
    def changes(self, obj: AuditLog) -> str:
        rows = format_html_join(
            "",
            '<tr class="{}"><th scope="row">{}</th><td>{}</td><td>{}</td></tr>',
            (("changed" if changed else "same", column, old, new) for column, old, new, changed in audit_diff(obj)),
        )
        return format_html(
            '<table class="audit-diff"><thead><tr><th scope="col">field</th><th scope="col">old</th>'
            '<th scope="col">new</th></tr></thead><tbody>{}</tbody></table>',
            rows,
        )
