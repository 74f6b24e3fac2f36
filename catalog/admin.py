from django import forms
from django.contrib import admin

from catalog import services
from catalog.models import SearchIndex, Track
from veza.moderation import ModerationAdmin, changed_values, switch_actions

TRACK_TEXT = ("title", "artist", "album", "genre")


class TrackAdminForm(forms.ModelForm):
    is_public = forms.BooleanField(required=False, label="Public", help_text="A track follows its file's visibility.")

    class Meta:
        model = Track
        fields = TRACK_TEXT

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["is_public"].initial = self.instance.file.is_public


@admin.register(Track)
class TrackAdmin(ModerationAdmin):
    """Moderators edit and hide tracks (hiding hides the file); only super admins delete them."""

    form = TrackAdminForm
    list_display = ("title", "artist", "album", "genre", "duration", "creator", "public", "created_at")
    list_filter = (("file__is_public", admin.BooleanFieldListFilter),)
    list_select_related = ("creator", "file")
    search_fields = ("title", "artist", "album", "genre", "creator__username")
    date_hierarchy = "created_at"
    fields = (*TRACK_TEXT, "is_public", "duration", "file", "creator", "created_at", "updated_at")
    readonly_fields = ("duration", "file", "creator", "created_at", "updated_at")
    actions = ("hide", "show")

    @admin.display(description="public", boolean=True, ordering="file__is_public")
    def public(self, obj: Track) -> bool:
        return obj.file.is_public

    def save_object(self, request, obj, form, change):
        services.track_update(
            actor=request.user, track=obj, is_public=form.cleaned_data["is_public"], **changed_values(form, TRACK_TEXT)
        )

    def delete_object(self, request, obj):
        services.track_delete(actor=request.user, track=obj)

    hide, show = switch_actions(
        ("Hide the selected tracks", "Hidden"),
        ("Make the selected tracks public", "Made public"),
        lambda actor, track, on: services.track_update(actor=actor, track=track, is_public=on),
    )


@admin.register(SearchIndex)
class SearchIndexAdmin(ModerationAdmin):
    """Read-only: PostgreSQL keeps the index (``rebuild_search_index`` repairs it)."""

    list_display = ("entity_type", "entity_id", "title", "indexed_at")
    list_filter = ("entity_type",)
    search_fields = ("=entity_id", "title")
    date_hierarchy = "indexed_at"
    readonly_fields = ("entity_type", "entity_id", "title", "content", "search_vector", "indexed_at")

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
