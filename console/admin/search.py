from django.contrib import admin

from console.moderation import ModerationAdmin
from search.models import SearchIndex


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
