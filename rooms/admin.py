from django.contrib import admin

from rooms.models import Room, RoomMember, RoomMessage


class RoomMemberInline(admin.TabularInline):
    model = RoomMember
    extra = 0
    autocomplete_fields = ("user",)
    readonly_fields = ("joined_at",)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "is_private", "creator", "created_at")
    list_filter = ("is_private",)
    list_select_related = ("creator",)
    search_fields = ("name", "description")
    autocomplete_fields = ("creator",)
    date_hierarchy = "created_at"
    readonly_fields = ("password_hash", "created_at", "updated_at")
    inlines = [RoomMemberInline]


@admin.register(RoomMember)
class RoomMemberAdmin(admin.ModelAdmin):
    list_display = ("room", "user", "role", "joined_at")
    list_filter = ("role",)
    list_select_related = ("room", "user")
    search_fields = ("room__name", "user__username")
    autocomplete_fields = ("room", "user")
    readonly_fields = ("joined_at",)


@admin.register(RoomMessage)
class RoomMessageAdmin(admin.ModelAdmin):
    list_display = ("id", "room", "user", "message_type", "short_content", "edited_at", "created_at")
    list_filter = ("message_type",)
    list_select_related = ("room", "user")
    search_fields = ("content", "room__name", "user__username")
    autocomplete_fields = ("room", "user")
    date_hierarchy = "created_at"
    readonly_fields = ("created_at", "edited_at")

    @admin.display(description="content")
    def short_content(self, obj: RoomMessage) -> str:
        return obj.content[:80]
