from django.contrib import admin

from media.models import File


@admin.register(File)
class FileAdmin(admin.ModelAdmin):
    list_display = ("original_name", "user", "mime_type", "size", "is_public", "created_at")
    list_filter = ("is_public", "mime_type")
    list_select_related = ("user",)
    search_fields = ("original_name", "filename", "user__username")
    autocomplete_fields = ("user",)
    date_hierarchy = "created_at"
    readonly_fields = ("filename", "mime_type", "size", "path", "url", "created_at", "updated_at")
