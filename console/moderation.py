"""Shared ground of the moderation console (the Django admin): every write goes through a service.

:class:`ModerationAdmin` is the base of the apps' ModelAdmins:

- change-form saves, deletions and actions call the apps' services (the same ones as the API and
  the pages), so every permission rule, broadcast and audit tag applies; a service that refuses
  (``PermissionDenied``, ``ValidationError``, ``NotFound``, ``Conflict``) rolls the change back and the moderator
  sees its reason as an error message;
- changelists stay fast on large tables: no full ``COUNT(*)`` of an unfiltered list (see
  :class:`EstimatedCountPaginator`) nor of the whole table, and every ModelAdmin selects its related
  rows up front (``list_select_related``; a test pins the number of queries per changelist);
- content comes from the members, so nothing is added through the console unless an admin opts in;
- hiding content (files, tracks, products, listings, rooms) is a state of its own with a reason
  (:func:`hide_action`, :class:`ModeratedFilter`), which the owner cannot lift: see ``core.moderated``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Model, Q, QuerySet
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.functional import cached_property

from accounts.selectors import user_ids_named
from core.db import french_match
from core.errors import Conflict, NotFound
from core.moderated import REASON_MAX
from rooms.selectors import room_ids_named

REFUSALS = (PermissionDenied, ValidationError, NotFound, Conflict)


class Refused(Exception):
    """A service refused a moderator's change; the message says why."""


def refusal_text(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc) or "This is not allowed."


@contextmanager
def service_call() -> Iterator[None]:
    """Turn a service's refusal into :class:`Refused` (Django's own 403s and 404s pass untouched)."""
    try:
        yield
    except REFUSALS as exc:
        raise Refused(refusal_text(exc)) from exc


def table_estimate(model: type[Model]) -> int:
    """PostgreSQL's estimate of the rows of ``model``'s table, from the last (auto)ANALYZE.

    A partitioned table (``messages``) sums its partitions, which autovacuum keeps up to date.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT COALESCE(SUM(c.reltuples) FILTER (WHERE c.reltuples > 0), 0)::bigint FROM pg_class c "
            "WHERE (c.oid = to_regclass(%s) AND c.relkind <> 'p') "
            "OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = to_regclass(%s))",
            [model._meta.db_table] * 2,
        )
        return cursor.fetchone()[0]


class EstimatedCountPaginator(Paginator):
    """Counts exactly, except the unfiltered list of a large table: there, PostgreSQL's estimate.

    ``COUNT(*)`` reads the whole table; the estimate (``pg_class.reltuples``, kept by autovacuum) costs
    nothing. A filtered or searched list is always counted exactly.
    """

    estimate_from = 100_000

    @cached_property
    def count(self) -> int:
        rows = self.object_list
        if isinstance(rows, QuerySet) and not rows.query.where:
            estimate = table_estimate(rows.model)
            if estimate >= self.estimate_from:
                return estimate
        return super().count


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete widget, for a form shown again with a value that is no id of the target.

    Django looks the submitted value up as it is, so text (or a number of 5000 digits) in an id field
    ended in a database error; such a value now selects nothing and the form shows its field error.
    """

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        target = remote.model._meta.get_field(getattr(remote, "field_name", None) or remote.model._meta.pk.name)
        kept = []
        for item in value:
            try:
                target.get_prep_value(target.to_python(item))
            except (ValidationError, ValueError, TypeError):
                continue
            kept.append(item)
        return super().optgroups(name, kept, attr)


class ModerationAdmin(admin.ModelAdmin):
    """Base ModelAdmin: writes through services, fast changelists, no additions by default."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    list_per_page = 50
    list_max_show_all = 500
    show_facets = admin.ShowFacets.NEVER  # facet counts are one COUNT per filter choice
    allow_add = False

    def has_add_permission(self, request) -> bool:
        return self.allow_add and super().has_add_permission(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- writes: subclasses implement save_object / delete_object with a service -------------------

    def save_object(self, request, obj, form, change: bool) -> None:
        raise PermissionDenied("This cannot be changed in the console.")

    def delete_object(self, request, obj) -> None:
        raise PermissionDenied("This cannot be deleted in the console.")

    def save_model(self, request, obj, form, change):
        with service_call():
            self.save_object(request, obj, form, change)

    def delete_model(self, request, obj):
        with service_call():
            self.delete_object(request, obj)

    def log_deletions(self, request, queryset):
        """History entries for deletions.

        Django logs before deleting. A single deletion (a list of one) runs in the delete view's
        transaction, which a refusal rolls back with its entry. The bulk action passes the whole
        selection as a queryset: :meth:`delete_queryset` logs row by row instead, as each is deleted.
        """
        if not isinstance(queryset, QuerySet):
            super().log_deletions(request, queryset)

    def delete_queryset(self, request, queryset):
        """Bulk deletion: one service call per row, refusals reported one by one, deletions logged."""

        def delete(obj):
            with transaction.atomic():  # a refusal takes the row's history entry with it
                super(ModerationAdmin, self).log_deletions(request, [obj])
                self.delete_object(request, obj)

        self.apply(request, queryset, delete, done=None)

    def apply(self, request, queryset, service: Callable[[Model], object], *, done: str | None) -> int:
        """Run ``service`` on each selected row, log it (``done`` is the history message), report refusals."""
        count = 0
        for obj in queryset:
            try:
                with service_call():
                    service(obj)
            except Refused as exc:
                self.message_user(request, f"{obj}: {exc}", messages.ERROR)
                continue
            count += 1
            if done:
                self.log_change(request, obj, done)
        if done and count:
            noun = self.opts.verbose_name if count == 1 else self.opts.verbose_name_plural
            self.message_user(request, f"{done}: {count} {noun}.", messages.SUCCESS)
        return count

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except Refused as exc:  # the change was rolled back
            self.message_user(request, str(exc), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except Refused as exc:
            self.message_user(request, str(exc), messages.ERROR)
            opts = self.opts
            return HttpResponseRedirect(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[object_id]))


def moderation_action(description: str, done: str, service: Callable[[Model, Model], object]):
    """An admin action calling ``service(actor, obj)`` on every selected row (see :meth:`ModerationAdmin.apply`)."""

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin: ModerationAdmin, request, queryset) -> None:
        modeladmin.apply(request, queryset, lambda obj: service(request.user, obj), done=done)

    return action


def switch_actions(off: tuple[str, str], on: tuple[str, str], service: Callable[[Model, Model, bool], object]):
    """Two actions turning something off and on: ``service(actor, obj, False)`` and ``service(actor, obj, True)``.

    ``off`` and ``on`` are (description, history message) pairs.
    """
    return (
        moderation_action(*off, lambda actor, obj: service(actor, obj, False)),
        moderation_action(*on, lambda actor, obj: service(actor, obj, True)),
    )


def changed_values(form, fields) -> dict:
    """The cleaned values of the ``fields`` the moderator changed in ``form``."""
    return {field: form.cleaned_data[field] for field in fields if field in form.changed_data}


class MessageSearchAdmin(ModerationAdmin):
    """Messages (room or direct): found through their French full-text index instead of scanning every
    row, edited and deleted through their app's services.

    The search box matches the words of ``content`` (web search syntax, ``idx_*_content_fts``),
    exactly the username of one of ``people_fields``, or exactly the name of the ``room_field``'s room.
    ``edit_message(actor=, message=, content=)`` and ``delete_message(actor=, message=)`` are the
    services (given as ``staticmethod``), so the open pages hear of the change as they would from the app.
    """

    people_fields: tuple[str, ...] = ()
    room_field: str | None = None
    search_help_text = 'Words of the message ("a phrase", -word), an exact username or room name.'
    edit_message: Callable[..., object]
    delete_message: Callable[..., object]

    @admin.display(description="content")
    def short_content(self, obj) -> str:
        return obj.content[:80]

    def save_object(self, request, obj, form, change):
        if "content" in form.changed_data:
            self.edit_message(actor=request.user, message=obj, content=form.cleaned_data["content"])

    def delete_object(self, request, obj):
        self.delete_message(actor=request.user, message=obj)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if not term:
            return queryset, False
        table = connection.ops.quote_name(queryset.model._meta.db_table)
        found = Q(french_match(f"to_tsvector('french', {table}.\"content\")", term))
        # Ids rather than subqueries, so PostgreSQL can combine every index in one bitmap scan.
        named = user_ids_named(term)
        for field in self.people_fields:
            found |= Q(**{f"{field}__in": named})
        if self.room_field:
            found |= Q(**{f"{self.room_field}__in": room_ids_named(term)})
        return queryset.filter(found), False


# --- moderation state (hide with a reason, restore): see core.moderated --------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        help_text="The owner reads it beside the item; only moderators can lift the hiding.",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
    )


def hide_action(description: str, done: str, service: Callable[..., object]):
    """An action asking for a reason on an intermediate page, then calling ``service(actor, obj, reason)``.

    The page re-posts the selection; an empty reason shows the page again with the field's error.
    """

    @admin.action(description=description, permissions=["change"])
    def action(modeladmin: ModerationAdmin, request, queryset):
        form = ReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            modeladmin.apply(request, queryset, lambda obj: service(request.user, obj, reason), done=done)
            return None
        context = {
            **modeladmin.admin_site.each_context(request),
            "title": description,
            "opts": modeladmin.opts,
            "form": form,
            "objects": queryset,
            "action": request.POST.get("action", ""),
            "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
            "select_across": request.POST.get("select_across", "0"),
        }
        return TemplateResponse(request, "admin/console/moderation_reason.html", context)

    return action


class ModeratedFilter(admin.SimpleListFilter):
    """Filter a changelist by moderation state (``moderated_at``, a partial index holds the hidden rows)."""

    title = "moderation"
    parameter_name = "moderated"

    def lookups(self, request, model_admin):
        return (("yes", "Hidden by moderation"), ("no", "Not hidden"))

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(moderated_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(moderated_at__isnull=True)
        return queryset


MODERATION_FIELDS = ("moderated_at", "moderated_by", "moderation_reason")


@admin.display(description="hidden", boolean=True, ordering="moderated_at")
def hidden_column(obj) -> bool:
    return obj.moderated_at is not None
