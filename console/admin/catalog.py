from django import forms
from django.contrib import admin

from catalog import services
from catalog.models import Track
from console.moderation import (
    MODERATION_FIELDS,
    ModeratedFilter,
    ModerationAdmin,
    changed_values,
    hide_action,
    moderation_action,
)

TRACK_TEXT = ("title", "artist", "album", "genre")


class TrackAdminForm(forms.ModelForm):
    class Meta:
        model = Track
        fields = TRACK_TEXT


@admin.register(Track)
class TrackAdmin(ModerationAdmin):
    """Moderators edit tracks and hide them with a reason (the audio stops); only super admins delete them."""

    form = TrackAdminForm
    list_display = ("title", "artist", "album", "genre", "duration", "creator", "public", "hidden", "created_at")
    list_filter = (ModeratedFilter, ("file__is_public", admin.BooleanFieldListFilter))
    list_select_related = ("creator", "file")
    search_fields = ("title", "artist", "album", "genre", "creator__username")
    date_hierarchy = "created_at"
    fields = (*TRACK_TEXT, "public", *MODERATION_FIELDS, "duration", "file", "creator", "created_at", "updated_at")
    readonly_fields = ("public", *MODERATION_FIELDS, "duration", "file", "creator", "created_at", "updated_at")
    actions = ("hide", "restore")

    @admin.display(description="public (the owner's switch)", boolean=True, ordering="file__is_public")
    def public(self, obj: Track) -> bool:
        return obj.file.is_public

    @admin.display(description="hidden", boolean=True, ordering="moderated_at")
    def hidden(self, obj: Track) -> bool:
        """Hidden by moderation: the track or its file."""
        return obj.hidden_by_moderation is not None

    def save_object(self, request, obj, form, change):
        changes = changed_values(form, TRACK_TEXT)
        if changes:
            services.track_update(actor=request.user, track=obj, **changes)

    def delete_object(self, request, obj):
        services.track_delete(actor=request.user, track=obj)

    hide = hide_action(
        "Hide the selected tracks",
        "Hidden",
        lambda actor, track, reason: services.track_hide(actor=actor, track=track, reason=reason),
    )
    restore = moderation_action(
        "Lift the hiding of the selected tracks",
        "Restored",
        lambda actor, track: services.track_restore(actor=actor, track=track),
    )
