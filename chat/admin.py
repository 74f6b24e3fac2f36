from django.contrib import admin

from chat.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "sender", "recipient", "room", "short_content", "is_read", "timestamp")
    list_filter = ("is_read",)
    list_select_related = ("sender", "recipient")
    search_fields = ("content", "sender__username", "recipient__username", "room")
    autocomplete_fields = ("sender", "recipient")
    date_hierarchy = "timestamp"
    readonly_fields = ("timestamp", "created_at", "updated_at", "edited_at")

    @admin.display(description="content")
    def short_content(self, obj: Message) -> str:
        return obj.content[:80]
