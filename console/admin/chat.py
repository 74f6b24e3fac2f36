from django.contrib import admin

from chat import services
from chat.models import Message
from console.moderation import MessageSearchAdmin


@admin.register(Message)
class MessageAdmin(MessageSearchAdmin):
    """Direct messages: moderators edit or delete them; both people's open pages are told."""

    list_display = ("id", "sender", "recipient", "room", "short_content", "is_read", "timestamp")
    list_filter = ("is_read",)
    list_select_related = ("sender", "recipient")
    search_fields = ("content",)  # searched through the full-text index, see MessageSearchAdmin
    people_fields = ("sender", "recipient")
    date_hierarchy = "timestamp"
    fields = ("sender", "recipient", "room", "content", "is_read", "timestamp", "edited_at", "created_at", "updated_at")
    readonly_fields = ("sender", "recipient", "room", "is_read", "timestamp", "edited_at", "created_at", "updated_at")
    edit_message = staticmethod(services.dm_edit)
    delete_message = staticmethod(services.dm_delete)
