from django.contrib import admin

from console.moderation import (
    MODERATION_FIELDS,
    ModeratedFilter,
    ModerationAdmin,
    hidden_column,
    hide_action,
    moderation_action,
)
from media import services
from media.models import File


@admin.register(File)
class FileAdmin(ModerationAdmin):
    """Moderators hide files with a reason (their tracks with them) and restore them; only super admins delete.

    ``is_public`` is the owner's switch: moderators hide instead, which the owner cannot undo.
    """

    list_display = ("original_name", "user", "mime_type", "size", "is_public", hidden_column, "created_at")
    list_filter = (ModeratedFilter, "is_public", "mime_type")
    list_select_related = ("user",)
    search_fields = ("original_name", "=filename", "user__username")
    date_hierarchy = "created_at"
    fields = ("original_name", "user", "is_public", *MODERATION_FIELDS, "filename", "mime_type", "size", "path", "url",
              "created_at", "updated_at")  # fmt: skip
    readonly_fields = fields
    actions = ("hide", "restore")

    def save_object(self, request, obj, form, change):
        pass  # nothing is editable: the actions hide and restore

    def delete_object(self, request, obj):
        services.file_delete(actor=request.user, file=obj)

    hide = hide_action(
        "Hide the selected files (and their tracks)",
        "Hidden",
        lambda actor, file, reason: services.file_hide(actor=actor, file=file, reason=reason),
    )
    restore = moderation_action(
        "Lift the hiding of the selected files",
        "Restored",
        lambda actor, file: services.file_restore(actor=actor, file=file),
    )
