from django.contrib import admin

from media import services
from media.models import File
from veza.moderation import ModerationAdmin, switch_actions


@admin.register(File)
class FileAdmin(ModerationAdmin):
    """Moderators hide or show files (a track follows its file); only super admins delete them."""

    list_display = ("original_name", "user", "mime_type", "size", "is_public", "created_at")
    list_filter = ("is_public", "mime_type")
    list_select_related = ("user",)
    search_fields = ("original_name", "=filename", "user__username")
    date_hierarchy = "created_at"
    fields = ("original_name", "user", "is_public", "filename", "mime_type", "size", "path", "url", "created_at",
              "updated_at")  # fmt: skip
    readonly_fields = ("original_name", "user", "filename", "mime_type", "size", "path", "url", "created_at",
                       "updated_at")  # fmt: skip
    actions = ("hide", "show")

    def save_object(self, request, obj, form, change):
        if "is_public" in form.changed_data:
            services.file_set_public(actor=request.user, file=obj, is_public=obj.is_public)

    def delete_object(self, request, obj):
        services.file_delete(actor=request.user, file=obj)

    hide, show = switch_actions(
        ("Hide the selected files (and their tracks)", "Hidden"),
        ("Make the selected files public", "Made public"),
        lambda actor, file, on: services.file_set_public(actor=actor, file=file, is_public=on),
    )
