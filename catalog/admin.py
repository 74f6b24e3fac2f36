from django.contrib import admin

from catalog.models import SearchIndex, Track


@admin.register(Track)
class TrackAdmin(admin.ModelAdmin):
    list_display = ("title", "artist", "album", "genre", "duration", "creator", "created_at")
    list_filter = ("genre",)
    list_select_related = ("creator",)
    search_fields = ("title", "artist", "album", "genre", "creator__username")
    autocomplete_fields = ("creator", "file")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "updated_at")


@admin.register(SearchIndex)
class SearchIndexAdmin(admin.ModelAdmin):
    list_display = ("entity_type", "entity_id", "indexed_at")
    list_filter = ("entity_type",)
    search_fields = ("entity_id",)
    readonly_fields = ("entity_type", "entity_id", "search_vector", "indexed_at")

    def has_add_permission(self, request):
        return False
